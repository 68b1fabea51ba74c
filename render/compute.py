"""From merged records to every computed result of one sync (pure, no wiki access)."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from ledger.budget import (
    CAMPAIGN_TEMPLATE,
    PLEDGE_TEMPLATE,
    PROJECT_TEMPLATE,
    compute_campaigns,
)
from ledger.closing import TEMPLATE_CLOSING
from ledger.contribution import (
    TEMPLATE_CIRCLE,
    TEMPLATE_CONTRIBUTION,
    TEMPLATE_ENVELOPE,
    compute_ledger,
)
from ledger.plausibility import check_plausibility
from ledger.record import Problem, Records, sort_problems
from ledger.report import CampaignReport, ContributionReport
from ledger.statement import Statement, StatementIndex
from parsers.card import CardCall
from render.config import SyncConfig

if TYPE_CHECKING:
    from render.card import Feedback


@dataclass(slots=True)
class Computation:
    """Everything the summary pages, the API and the exports are made from."""

    records: Records
    parse_problems: list[Problem]
    contributions: dict[int, ContributionReport] = field(default_factory=dict)
    campaigns: dict[str, CampaignReport] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)  # parse + cross-reference, sorted
    today: datetime.date = field(default_factory=datetime.date.today)
    computed_at: datetime.datetime = field(
        default_factory=lambda: datetime.datetime.now(datetime.UTC)
    )
    # {page title: (page id, its calls' card keys)}: where each card finds its feedback
    cards: dict[str, tuple[int, tuple[CardCall, ...]]] = field(default_factory=dict)
    # Kept up to date by `render.incremental` (None: worked out from the rest when needed):
    # {shard: its sorted card entries} and {member: statement} of the requested statements
    card_shards: dict[int, tuple[tuple[str, Feedback], ...]] | None = None
    statements: dict[str, Statement] | None = None
    _statements: StatementIndex | None = field(default=None, init=False, repr=False, compare=False)

    def statement_index(self) -> StatementIndex:
        """The reports read by member, for statements; built on first use, then kept.

        The reports must be complete when it is first asked for (as `compute_all` returns them).
        """
        if self._statements is None:
            self._statements = StatementIndex(self.contributions, self.campaigns)
        return self._statements


def _template_family(config: SyncConfig) -> tuple[set[str], set[str]]:
    names = config.templates
    contribution = {names.circle, names.envelope, names.contribution, names.closing}
    budget = {names.campaign, names.project, names.pledge}
    return contribution, budget


def _wiki_names(config: SyncConfig) -> Callable[[list[Problem]], list[Problem]]:
    """The ledger names the default templates in its problems (`template`, and `{{…}}` in a
    message); on a wiki whose templates have other names, its problems must name those."""
    names = config.templates
    renames = {
        default: name
        for default, name in (
            (TEMPLATE_CIRCLE, names.circle),
            (TEMPLATE_ENVELOPE, names.envelope),
            (TEMPLATE_CONTRIBUTION, names.contribution),
            (TEMPLATE_CLOSING, names.closing),
            (CAMPAIGN_TEMPLATE, names.campaign),
            (PROJECT_TEMPLATE, names.project),
            (PLEDGE_TEMPLATE, names.pledge),
        )
        if default != name
    }

    calls = re.compile("{{(" + "|".join(map(re.escape, renames)) + ")}}")

    def renamed(problem: Problem) -> Problem:
        message = calls.sub(lambda m: "{{" + renames[m[1]] + "}}", problem.message)
        template = renames.get(problem.template, problem.template)
        return replace(problem, template=template, message=message)

    def rename(problems: list[Problem]) -> list[Problem]:
        return [renamed(p) for p in problems] if renames else problems

    return rename


def compute_all(
    records: Records, parse_problems: list[Problem], config: SyncConfig, *, today: datetime.date
) -> Computation:
    """Compute every year's ledger and every campaign; gather all problems.

    Each piece of work is done once: one check of the contribution records for all years,
    one pass over each campaign.
    """
    contribution_family, budget_family = _template_family(config)
    contribution_parse = [p for p in parse_problems if p.template in contribution_family]
    budget_parse = [p for p in parse_problems if p.template in budget_family]
    computation = Computation(records, parse_problems, today=today)
    rename = _wiki_names(config)  # parse problems already name the wiki's templates
    reports, contribution_problems = compute_ledger(
        records, default_rate=config.default_rate, floor=config.closing_floor
    )
    contribution_problems = rename(contribution_problems)
    implausible = check_plausibility(records.contributions, config.limits)
    contribution_problems += rename([problem for _, problem in implausible])
    for year, report in reports.items():
        of_year = [problem for problem_year, problem in implausible if problem_year == year]
        report.problems = sort_problems(
            rename(report.problems) + rename(of_year) + contribution_parse
        )
        computation.contributions[year] = report
    campaigns, campaign_problems = compute_campaigns(records)
    campaign_problems = rename(campaign_problems)
    for name, campaign in campaigns.items():
        campaign.problems = sort_problems(rename(campaign.problems) + budget_parse)
        computation.campaigns[name] = campaign
    computation.problems = sort_problems(parse_problems + contribution_problems + campaign_problems)
    return computation
