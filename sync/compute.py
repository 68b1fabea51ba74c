"""From merged records to every computed result of one sync (pure, no wiki access)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from ledger.budget import campaign_names, check_campaigns, compute_campaign
from ledger.contribution import check_contributions, compute_contributions, contribution_years
from ledger.record import Problem, Records, sort_problems
from ledger.report import CampaignReport, ContributionReport
from sync.config import SyncConfig


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


def _template_family(config: SyncConfig) -> tuple[set[str], set[str]]:
    names = config.templates
    contribution = {names.circle, names.envelope, names.contribution}
    budget = {names.campaign, names.project, names.pledge}
    return contribution, budget


def compute_all(
    records: Records, parse_problems: list[Problem], config: SyncConfig, *, today: datetime.date
) -> Computation:
    """Compute every year's ledger and every campaign; gather all problems."""
    contribution_family, budget_family = _template_family(config)
    contribution_parse = [p for p in parse_problems if p.template in contribution_family]
    budget_parse = [p for p in parse_problems if p.template in budget_family]
    computation = Computation(records, parse_problems, today=today)
    for year in contribution_years(records):
        report = compute_contributions(records, year, default_rate=config.default_rate)
        report.problems = sort_problems(report.problems + contribution_parse)
        computation.contributions[year] = report
    for name in campaign_names(records):
        campaign = compute_campaign(records, name, today=today)
        campaign.problems = sort_problems(campaign.problems + budget_parse)
        computation.campaigns[name] = campaign
    computation.problems = sort_problems(
        parse_problems
        + check_contributions(records, default_rate=config.default_rate)
        + check_campaigns(records)
    )
    return computation
