"""One member's personal statement: their declarations and co-budget pledges, with totals.

Pure: built from already computed reports (`ContributionReport` per year, `CampaignReport` per
campagne). When the caller does not pass them, they are computed from the records for the years
and campagnes where the member appears. `statement_to_json` gives `GET /api/people/{name}`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ledger.name import fold
from ledger.record import ZERO, ContributionStatus, Records, Source
from ledger.report import (
    CampaignReport,
    ContributionReport,
    CountedContribution,
    ProjectTotals,
    money,
)

REQUESTED = frozenset(
    {ContributionStatus.DECLARED, ContributionStatus.VALIDATED, ContributionStatus.PAID}
)
VALIDATED = frozenset({ContributionStatus.VALIDATED, ContributionStatus.PAID})
USER_PREFIXES = ("utilisateur:", "utilisatrice:", "user:")


def normalise_member(name: str) -> str:
    """A user name as MediaWiki stores it: `_` as space, spaces collapsed, first letter upper case.

    A leading `Utilisateur:`/`User:` namespace is dropped, so a page title works as well.
    """
    text = " ".join(name.replace("_", " ").split())
    if text.casefold().startswith(USER_PREFIXES):
        text = text.split(":", 1)[1].strip()
    return text[:1].upper() + text[1:]


@dataclass(frozen=True, slots=True)
class Totals:
    """Money and hours of a set of declarations. `remaining_to_pay` = requested − paid."""

    hours: Decimal = ZERO
    requested: Decimal = ZERO
    validated: Decimal = ZERO
    paid: Decimal = ZERO
    declarations: int = 0

    @property
    def remaining_to_pay(self) -> Decimal:
        return self.requested - self.paid


@dataclass(frozen=True, slots=True)
class CircleLine:
    """The member's totals in one circle for one year, and their part of a closing split."""

    circle: str
    totals: Totals
    over_envelope: bool = False
    proposed: Decimal | None = None  # their proposed payment when the circle is over its envelope


@dataclass(frozen=True, slots=True)
class YearLine:
    year: int
    totals: Totals
    circles: tuple[CircleLine, ...] = ()


@dataclass(frozen=True, slots=True)
class PledgeLine:
    """One pledge of the member, with the state of the project it supports (None if unknown)."""

    source: Source
    project: str
    amount: Decimal
    state: str  # "counted" | "suspended" | "rejected"
    project_status: str | None = None  # "funded" | "open" | "cancelled" | "done"
    project_pledged: Decimal | None = None
    project_minimum: Decimal | None = None
    project_maximum: Decimal | None = None


@dataclass(frozen=True, slots=True)
class CampaignLine:
    """The member's position in one campagne: dotation, what they pledged and what is left."""

    campagne: str
    participant: bool
    dotation: Decimal
    pledged: Decimal
    remaining: Decimal
    suspended: bool
    suspended_amount: Decimal
    pledges: tuple[PledgeLine, ...] = ()


@dataclass(frozen=True, slots=True)
class Statement:
    member: str
    declarations: tuple[CountedContribution, ...] = ()  # across years, by date then source
    years: tuple[YearLine, ...] = ()
    total: Totals = Totals()
    campaigns: tuple[CampaignLine, ...] = ()


def add_declaration(totals: Totals, declaration: CountedContribution) -> Totals:
    """Totals with one more declaration, by DESIGN §4 (refusée counts nothing, bénévole hours)."""
    status = declaration.status
    counts_hours = status != ContributionStatus.REFUSED
    return Totals(
        hours=totals.hours + (declaration.hours if counts_hours else ZERO),
        requested=totals.requested + (declaration.amount if status in REQUESTED else ZERO),
        validated=totals.validated + (declaration.amount if status in VALIDATED else ZERO),
        paid=totals.paid + (declaration.amount if status == ContributionStatus.PAID else ZERO),
        declarations=totals.declarations + 1,
    )


def sum_declarations(declarations: Iterable[CountedContribution]) -> Totals:
    totals = Totals()
    for declaration in declarations:
        totals = add_declaration(totals, declaration)
    return totals


def compute_year(
    report: ContributionReport, member: str
) -> tuple[list[CountedContribution], YearLine | None]:
    """The member's declarations in one year's report and their totals (None if they have none)."""
    mine = [c for c in report.contributions if normalise_member(c.contributor) == member]
    if not mine:
        return [], None
    circles: list[CircleLine] = []
    for name in sorted({c.circle for c in mine}):
        totals = sum_declarations(c for c in mine if c.circle == name)
        circle = next((c for c in report.circles if c.name == name), None)
        over = circle is not None and circle.over_envelope
        share = None
        if circle is not None and over:
            share = next(
                (s.proposed for s in circle.split if normalise_member(s.name) == member), ZERO
            )
        circles.append(CircleLine(name, totals, over, share))
    return mine, YearLine(report.year, sum_declarations(mine), tuple(circles))


def find_project(report: CampaignReport, title: str) -> ProjectTotals | None:
    """The project a pledge names: same title, else the same title with accents and case folded."""
    exact = next((p for p in report.projects if p.title == title), None)
    if exact is not None:
        return exact
    return next((p for p in report.projects if fold(p.title) == fold(title)), None)


def compute_campaign_line(report: CampaignReport, member: str) -> CampaignLine | None:
    """The member's position in one campagne, or None when they neither take part nor pledged."""
    totals = next((m for m in report.members if normalise_member(m.name) == member), None)
    pledges: list[PledgeLine] = []
    for pledge in sorted(report.pledges, key=lambda p: p.source):
        if normalise_member(pledge.member) != member:
            continue
        project = find_project(report, pledge.project)
        pledges.append(
            PledgeLine(
                source=pledge.source,
                project=pledge.project,
                amount=pledge.amount,
                state=pledge.state,
                project_status=project.status if project else None,
                project_pledged=project.pledged if project else None,
                project_minimum=project.minimum if project else None,
                project_maximum=project.maximum if project else None,
            )
        )
    if totals is None and not pledges:
        return None
    if totals is None:
        # Pledges of a non-participant are all rejected: nothing counted, no dotation.
        return CampaignLine(report.campagne, False, ZERO, ZERO, ZERO, False, ZERO, tuple(pledges))
    return CampaignLine(
        campagne=report.campagne,
        participant=True,
        dotation=totals.dotation,
        pledged=totals.pledged,
        remaining=totals.remaining,
        suspended=totals.suspended,
        suspended_amount=totals.suspended_amount,
        pledges=tuple(pledges),
    )


def compute_statement(
    records: Records,
    member: str,
    *,
    contribution_reports: Mapping[int, ContributionReport] | None = None,
    campaign_reports: Mapping[str, CampaignReport] | None = None,
) -> Statement:
    """Everything about one member; a member with nothing gets an empty statement.

    Names match as MediaWiki user names (first letter case-insensitive, `_` = space). Given
    report mappings are used as they are; a missing one is computed from `records` for the years
    and campagnes where the member appears (with the computation's default settings).
    """
    name = normalise_member(member)
    if contribution_reports is None:
        contribution_reports = reports_by_year(records, name)
    if campaign_reports is None:
        campaign_reports = reports_by_campaign(records, name)

    declarations: list[CountedContribution] = []
    years: list[YearLine] = []
    for year in sorted(contribution_reports):
        mine, line = compute_year(contribution_reports[year], name)
        if line is not None:
            years.append(line)
            declarations.extend(mine)
    declarations.sort(key=lambda c: (c.date, c.source))
    campaigns: list[CampaignLine] = []
    for key in sorted(campaign_reports):
        position = compute_campaign_line(campaign_reports[key], name)
        if position is not None:
            campaigns.append(position)
    return Statement(
        member=name,
        declarations=tuple(declarations),
        years=tuple(years),
        total=sum_declarations(declarations),
        campaigns=tuple(campaigns),
    )


def reports_by_year(records: Records, member: str) -> dict[int, ContributionReport]:
    """The contribution reports of the years where the member declared something."""
    mine = [c for c in records.contributions if normalise_member(c.contributor) == member]
    if not mine:
        return {}
    # Imported here: the statement itself only reads reports, most callers pass them.
    from ledger.contribution import compute_contributions

    return {
        year: compute_contributions(records, year) for year in sorted({c.date.year for c in mine})
    }


def reports_by_campaign(records: Records, member: str) -> dict[str, CampaignReport]:
    """The reports of the campagnes where the member takes part or pledged."""
    # Campagne names match with case and spaces ignored, as ledger.budget matches them.
    declared = {" ".join(c.name.split()).casefold(): c.name for c in records.campaigns}
    keys = {p.campaign for p in records.pledges if normalise_member(p.member) == member}
    keys |= {c.name for c in records.campaigns if member in map(normalise_member, c.participants)}
    names = {declared[k] for k in (" ".join(n.split()).casefold() for n in keys) if k in declared}
    if not names:
        return {}
    from ledger.budget import compute_campaign

    return {name: compute_campaign(records, name) for name in sorted(names)}


def totals_to_json(totals: Totals) -> dict[str, Any]:
    return {
        "hours": money(totals.hours),
        "requested": money(totals.requested),
        "validated": money(totals.validated),
        "paid": money(totals.paid),
        "remaining_to_pay": money(totals.remaining_to_pay),
        "declarations": totals.declarations,
    }


def statement_to_json(statement: Statement) -> dict[str, Any]:
    """The JSON of `GET /api/people/{name}`: money and hours as strings like `"1234.50"`."""
    return {
        "member": statement.member,
        "total": totals_to_json(statement.total),
        "years": [
            {
                "year": y.year,
                **totals_to_json(y.totals),
                "circles": [
                    {
                        "name": c.circle,
                        **totals_to_json(c.totals),
                        "over_envelope": c.over_envelope,
                        "proposed": money(c.proposed),
                    }
                    for c in y.circles
                ],
            }
            for y in statement.years
        ],
        "contributions": [
            {
                "year": c.date.year,
                "page": c.source.page,
                "line": c.source.line,
                "circle": c.circle,
                "date": c.date.isoformat(),
                "hours": money(c.hours),
                "amount": money(c.amount),
                "status": c.status,
                "mission": c.mission,
                "over_ceiling": c.over_ceiling,
            }
            for c in statement.declarations
        ],
        "campaigns": [
            {
                "campagne": c.campagne,
                "participant": c.participant,
                "dotation": money(c.dotation),
                "pledged": money(c.pledged),
                "remaining": money(c.remaining),
                "suspended": c.suspended,
                "suspended_amount": money(c.suspended_amount),
                "pledges": [
                    {
                        "page": p.source.page,
                        "line": p.source.line,
                        "project": p.project,
                        "amount": money(p.amount),
                        "state": p.state,
                        "project_status": p.project_status,
                        "project_pledged": money(p.project_pledged),
                        "project_minimum": money(p.project_minimum),
                        "project_maximum": money(p.project_maximum),
                    }
                    for p in c.pledges
                ],
            }
            for c in statement.campaigns
        ],
    }
