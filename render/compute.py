"""From merged records to every computed result of one sync (pure, no wiki access)."""

from __future__ import annotations

import datetime
import re
import threading
from collections.abc import Callable, Mapping
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
from ledger.record import Problem, Records, Severity, sort_problems
from ledger.report import CampaignReport, ContributionReport
from ledger.statement import Statement, StatementIndex
from ledger.window import Window, attach_window
from parsers.card import CardCall
from render.config import SyncConfig, title_refusal

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
    # who may set which status (issue 12): also in `problems`, listed apart on the anomalies page
    governance: list[Problem] = field(default_factory=list)
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
    # what the computer left for later (`complete`): the cards' entries and the statements
    _pending: Callable[[], None] | None = field(default=None, init=False, repr=False, compare=False)
    _pending_lock: threading.Lock = field(
        default_factory=threading.Lock, init=False, repr=False, compare=False
    )

    def defer(self, rest: Callable[[], None]) -> None:
        """Leave REST (which fills `card_shards` and `statements`) for `complete`."""
        self._pending = rest

    def complete(self) -> Computation:
        """Run what was deferred, once, from whichever thread asks first; returns self."""
        with self._pending_lock:
            rest, self._pending = self._pending, None
            if rest is not None:
                rest()
        return self

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


def parse_families(
    parse_problems: list[Problem], config: SyncConfig
) -> tuple[list[Problem], list[Problem]]:
    """The parse problems of the contribution templates, and those of the co-budget's."""
    contribution, budget = _template_family(config)
    return (
        [p for p in parse_problems if p.template in contribution],
        [p for p in parse_problems if p.template in budget],
    )


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
    records: Records,
    parse_problems: list[Problem],
    config: SyncConfig,
    *,
    today: datetime.date,
    governance: Mapping[int, list[Problem]] | None = None,
    window: Window | None = None,
) -> Computation:
    """Compute every year's ledger and every campaign; gather all problems.

    Each piece of work is done once: one check of the contribution records for all years,
    one pass over each campaign.
    """
    contribution_parse, budget_parse = parse_families(parse_problems, config)
    computation = Computation(records, parse_problems, today=today)
    rename = _wiki_names(config)  # parse problems already name the wiki's templates
    reports, contribution_problems = compute_ledger(
        records, default_rate=config.default_rate, floor=config.closing_floor
    )
    implausible = check_plausibility(records.contributions, config.limits)
    contribution_problems = assemble_years(
        computation,
        reports,
        contribution_problems,
        implausible,
        governance or {},
        rename,
        contribution_parse,
    )
    campaigns, campaign_problems = compute_campaigns(records)
    judged, late = judge_campaigns(campaigns, budget_parse, window, rename)
    computation.campaigns.update(judged)
    finish_problems(computation, config, rename(campaign_problems), contribution_problems, late)
    return computation


Rename = Callable[[list[Problem]], list[Problem]]
# sorts one list of problems; `label` names which list, for a caller that keeps sorted lists
Sort = Callable[[list[Problem], object], list[Problem]]


def _sort(problems: list[Problem], label: object) -> list[Problem]:
    return sort_problems(problems)


class SortedProblems:
    """Sorting problems costs more than anything else in assembling them (a key of three
    attributes for each of thousands of problems, 12 ms for 15,000 here), and from one live
    sync to the next most lists are the same. `sort` keeps the last input and result of
    each label and answers a list equal to the last input (same problems in the same order:
    a comparison that stops at each identical object) with the last result, copied."""

    def __init__(self) -> None:
        self._held: dict[object, tuple[list[Problem], list[Problem]]] = {}

    def sort(self, problems: list[Problem], label: object) -> list[Problem]:
        held = self._held.get(label)
        if held is not None and held[0] == problems:
            return list(held[1])
        result = sort_problems(problems)
        self._held[label] = (problems, result)
        return list(result)

    def keep(self, labels: set[object]) -> None:
        """Forget the lists of labels no longer sorted (a year gone, a campaign removed)."""
        for label in self._held.keys() - labels:
            del self._held[label]


def assemble_years(
    computation: Computation,
    reports: Mapping[int, ContributionReport],
    ledger_problems: list[Problem],
    implausible: list[tuple[int, Problem]],
    governance: Mapping[int, list[Problem]],
    rename: Rename,
    contribution_parse: list[Problem],
    sort: Sort = _sort,
) -> list[Problem]:
    """Each year's report into `computation` with its problems (the ledger's, the implausible
    values of that year, the parse problems of the contribution templates, the governance
    findings of that year), and every governance finding; the contribution problems renamed.
    Shared by `compute_all` and `render.incremental`."""
    contribution_problems = rename(ledger_problems) + rename([p for _, p in implausible])
    for year, report in reports.items():
        of_year = [problem for problem_year, problem in implausible if problem_year == year]
        found = rename(governance.get(year, []))
        report.problems = sort(
            rename(report.problems) + rename(of_year) + contribution_parse + found, year
        )
        computation.contributions[year] = report
    computation.governance = sort(
        rename([p for problems in governance.values() for p in problems]), "governance"
    )
    return contribution_problems


def judge_campaigns(
    campaigns: Mapping[str, CampaignReport],
    budget_parse: list[Problem],
    window: Window | None,
    rename: Rename,
) -> tuple[dict[str, CampaignReport], list[Problem]]:
    """Each campaign (a copy) with its problems and, given the rounds' window, who wrote each
    pledge and the late changes; and those late changes. Shared by `compute_all` and
    `render.incremental`."""
    judged: dict[str, CampaignReport] = {}
    late: list[Problem] = []
    for name, campaign in campaigns.items():
        copy = replace(campaign, problems=sort_problems(rename(campaign.problems) + budget_parse))
        if window is not None:
            before = list(copy.problems)
            attach_window(copy, window)  # who wrote each pledge; the rounds' dates
            late += [p for p in copy.problems if p not in before]
        judged[name] = copy
    return judged, late


def finish_problems(
    computation: Computation,
    config: SyncConfig,
    campaign_problems: list[Problem],
    contribution_problems: list[Problem],
    late: list[Problem],
    sort: Sort = _sort,
) -> None:
    """Every problem of the computation, sorted once; a campaign whose name cannot make a
    title loses its pages and becomes a problem (`_untitled_campaigns`)."""
    campaign_problems = campaign_problems + _untitled_campaigns(computation, config)
    computation.problems = sort(
        computation.parse_problems
        + contribution_problems
        + campaign_problems
        + computation.governance
        + late,
        "all",
    )


def _untitled_campaigns(computation: Computation, config: SyncConfig) -> list[Problem]:
    """Campaigns whose name cannot make a page title: a problem at their `{{Cobudget}}`,
    found before any write, and no page planned for them (the wiki would refuse it)."""
    problems = []
    for campaign in computation.records.campaigns:
        title = config.pages.bilan_for(campaign.name)
        refusal = title_refusal(title)
        if refusal is None:
            continue
        computation.campaigns.pop(campaign.name, None)
        problems.append(
            Problem(
                campaign.source,
                config.templates.campaign,
                Severity.ERROR,
                f"Le nom de campagne « {campaign.name} » ne peut pas former le titre de son "
                f"bilan « {title} » : {refusal}. Renommez la campagne (paramètre campagne), "
                "sans [ ] { } | < > #, sur cette page et dans ses projets et soutiens.",
            )
        )
    return problems
