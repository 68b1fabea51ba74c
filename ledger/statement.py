"""One member's personal statement: their declarations and co-budget pledges, with totals.

Pure: built from already computed reports (`ContributionReport` per year, `CampaignReport` per
campagne). When the caller does not pass them, they are computed from the records for the years
and campagnes where the member appears. `StatementIndex` reads the reports once for many
statements. `statement_to_json` (from `ledger.statement_json`) gives `GET /api/people/{name}`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from ledger.french import status_sums
from ledger.name import fold, member_name, name_key
from ledger.record import ZERO, Records, SettlementRule, Source
from ledger.report import (
    CampaignReport,
    CircleTotals,
    ContributionReport,
    CountedContribution,
    DueLine,
    MemberTotals,
    ProjectTotals,
)
from ledger.statement_json import statement_to_json as statement_to_json
from ledger.statement_json import totals_to_json as totals_to_json


def normalise_member(name: str) -> str:
    """A user name as MediaWiki stores it (`ledger.name.member_name`)."""
    return member_name(name)


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
    closing_rule: SettlementRule | None = None  # set when a decision closed the circle-year
    due: DueLine | None = None  # what the closing made due to them (None: nothing was unpaid)

    @property
    def remaining(self) -> Decimal:
        """What remains to pay them here: once closed, what the decision made due to them less
        what was paid since; before, their request less what was paid."""
        if self.closing_rule is not None:
            return self.due.remaining if self.due is not None else ZERO
        return self.totals.remaining_to_pay


@dataclass(frozen=True, slots=True)
class YearLine:
    year: int
    totals: Totals
    circles: tuple[CircleLine, ...] = ()

    @property
    def remaining(self) -> Decimal:
        """What remains to pay them this year, circle by circle (see `CircleLine.remaining`)."""
        return sum((circle.remaining for circle in self.circles), ZERO)


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

    @property
    def remaining(self) -> Decimal:
        """What remains to pay them, all years (closings taken into account)."""
        return sum((year.remaining for year in self.years), ZERO)


def add_declaration(totals: Totals, declaration: CountedContribution) -> Totals:
    """Totals with one more declaration, by DESIGN §4 (refusée counts nothing, bénévole hours)."""
    sums = status_sums(declaration.status, declaration.hours, declaration.amount)
    return Totals(
        hours=totals.hours + sums.hours,
        requested=totals.requested + sums.requested,
        validated=totals.validated + sums.validated,
        paid=totals.paid + sums.paid,
        declarations=totals.declarations + 1,
    )


def sum_declarations(declarations: Iterable[CountedContribution]) -> Totals:
    """`add_declaration` over DECLARATIONS, in order, without a `Totals` for each step."""
    hours = requested = validated = paid = ZERO
    count = 0
    for declaration in declarations:
        sums = status_sums(declaration.status, declaration.hours, declaration.amount)
        hours += sums.hours
        requested += sums.requested
        validated += sums.validated
        paid += sums.paid
        count += 1
    return Totals(hours, requested, validated, paid, count)


@dataclass(frozen=True, slots=True)
class _YearIndex:
    """One year's report read once: whose declarations are whose, circles and shares by name."""

    year: int
    declarations: dict[str, list[CountedContribution]]  # by member, in the report's order
    circles: dict[str, CircleTotals]  # the first circle of each name
    shares: dict[tuple[str, str], Decimal]  # (circle, member): their first proposed share
    dues: dict[tuple[str, str], DueLine]  # (circle, member): what a closing made due to them


def index_year(report: ContributionReport, members: dict[str, str] | None = None) -> YearIndex:
    """One year's report read once by member (for `StatementIndex.from_parts`); `members`
    memoises `normalise_member` over spellings, and may be kept from one call to the next."""
    return _index_year(report, {} if members is None else members)


def index_campaign(report: CampaignReport) -> CampaignIndex:
    """One campagne's report read once by member (for `StatementIndex.from_parts`)."""
    return _index_campaign(report, {})


def _index_year(
    report: ContributionReport, members: dict[str, str], only: Collection[str] | None = None
) -> _YearIndex:
    """`members` memoises `normalise_member` over spellings (shared by a whole index);
    `only`: the members whose declarations are indexed (all when None)."""
    declarations: dict[str, list[CountedContribution]] = defaultdict(list)
    for counted in report.contributions:
        name = _member(counted.contributor, members)
        if only is None or name in only:
            declarations[name].append(counted)
    circles: dict[str, CircleTotals] = {}
    for circle in report.circles:
        circles.setdefault(circle.name, circle)
    shares: dict[tuple[str, str], Decimal] = {}
    for circle in circles.values():
        for share in circle.split:
            shares.setdefault((circle.name, _member(share.name, members)), share.proposed)
    dues: dict[tuple[str, str], DueLine] = {}
    for circle in circles.values():
        for due in circle.closing.due if circle.closing is not None else ():
            dues.setdefault((circle.name, _member(due.name, members)), due)
    return _YearIndex(report.year, dict(declarations), circles, shares, dues)


YearIndex = _YearIndex
# {(id of a year index, member): (their declarations that year, their line)}
YearLines = dict[tuple[int, str], tuple[list[CountedContribution], "YearLine | None"]]


def _member(spelling: str, members: dict[str, str]) -> str:
    name = members.get(spelling)
    if name is None:
        name = members[spelling] = normalise_member(spelling)
    return name


def _year_line(index: _YearIndex, member: str) -> tuple[list[CountedContribution], YearLine | None]:
    mine = index.declarations.get(member)
    if not mine:
        return [], None
    by_circle: dict[str, list[CountedContribution]] = defaultdict(list)
    for counted in mine:
        by_circle[counted.circle].append(counted)
    circles: list[CircleLine] = []
    for name in sorted(by_circle):
        circle = index.circles.get(name)
        over = circle is not None and circle.over_envelope
        share = index.shares.get((name, member), ZERO) if over else None
        closing = circle.closing if circle is not None else None
        circles.append(
            CircleLine(
                name,
                sum_declarations(by_circle[name]),
                over,
                share,
                closing.rule if closing is not None else None,
                index.dues.get((name, member)),
            )
        )
    return list(mine), YearLine(index.year, sum_declarations(mine), tuple(circles))


def compute_year(
    report: ContributionReport, member: str
) -> tuple[list[CountedContribution], YearLine | None]:
    """The member's declarations in one year's report and their totals (None if they have none)."""
    return _year_line(_index_year(report, {}), member)


def find_project(report: CampaignReport, title: str) -> ProjectTotals | None:
    """The project a pledge names: same title, else the same title with accents and case folded."""
    exact = next((p for p in report.projects if p.title == title), None)
    if exact is not None:
        return exact
    return next((p for p in report.projects if fold(p.title) == fold(title)), None)


@dataclass(frozen=True, slots=True)
class _CampaignIndex:
    """One campagne's report read once: members' totals and pledge lines by member."""

    campagne: str
    members: dict[str, MemberTotals]  # the first totals of each member
    pledges: dict[str, list[PledgeLine]]  # by member, by source


CampaignIndex = _CampaignIndex


def _index_campaign(
    report: CampaignReport, members: dict[str, str], only: Collection[str] | None = None
) -> _CampaignIndex:
    totals: dict[str, MemberTotals] = {}
    for member in report.members:
        totals.setdefault(_member(member.name, members), member)
    exact: dict[str, ProjectTotals] = {}
    folded: dict[str, ProjectTotals] = {}
    for project in report.projects:
        exact.setdefault(project.title, project)
        folded.setdefault(fold(project.title), project)
    found: dict[str, ProjectTotals | None] = {}  # by title as pledged, as `find_project` finds
    pledges: dict[str, list[PledgeLine]] = defaultdict(list)
    for pledge in sorted(report.pledges, key=lambda p: p.source):
        if only is not None and _member(pledge.member, members) not in only:
            continue
        if pledge.project not in found:
            same = exact.get(pledge.project)
            found[pledge.project] = folded.get(fold(pledge.project)) if same is None else same
        target = found[pledge.project]
        pledges[_member(pledge.member, members)].append(
            PledgeLine(
                source=pledge.source,
                project=pledge.project,
                amount=pledge.amount,
                state=pledge.state,
                project_status=target.status if target else None,
                project_pledged=target.pledged if target else None,
                project_minimum=target.minimum if target else None,
                project_maximum=target.maximum if target else None,
            )
        )
    return _CampaignIndex(report.campagne, totals, dict(pledges))


def _campaign_line(index: _CampaignIndex, member: str) -> CampaignLine | None:
    totals = index.members.get(member)
    pledges = tuple(index.pledges.get(member, ()))
    if totals is None and not pledges:
        return None
    if totals is None:
        # Pledges of a non-participant are all rejected: nothing counted, no dotation.
        return CampaignLine(index.campagne, False, ZERO, ZERO, ZERO, False, ZERO, pledges)
    return CampaignLine(
        campagne=index.campagne,
        participant=True,
        dotation=totals.dotation,
        pledged=totals.pledged,
        remaining=totals.remaining,
        suspended=totals.suspended,
        suspended_amount=totals.suspended_amount,
        pledges=pledges,
    )


def compute_campaign_line(report: CampaignReport, member: str) -> CampaignLine | None:
    """The member's position in one campagne, or None when they neither take part nor pledged."""
    return _campaign_line(_index_campaign(report, {}), member)


class StatementIndex:
    """Every report read once, by member: each statement is then a few look-ups.

    Build it once per computation when writing many statements; without it each statement
    scans every declaration and pledge of every report again.
    """

    __slots__ = ("_campaigns", "_years")

    def __init__(
        self,
        contribution_reports: Mapping[int, ContributionReport],
        campaign_reports: Mapping[str, CampaignReport],
        only: Collection[str] | None = None,
    ) -> None:
        """`only`: the (normalised) members whose statements will be asked for, when known:
        the others' declarations and pledges are not indexed."""
        members: dict[str, str] = {}
        self._years = [
            _index_year(contribution_reports[y], members, only)
            for y in sorted(contribution_reports)
        ]
        self._campaigns = [
            _index_campaign(campaign_reports[k], members, only) for k in sorted(campaign_reports)
        ]

    @classmethod
    def from_parts(cls, years: list[YearIndex], campaigns: list[CampaignIndex]) -> StatementIndex:
        """An index of reports already read (`index_year`, `index_campaign`), in order."""
        index = cls.__new__(cls)
        index._years, index._campaigns = years, campaigns
        return index

    def statement(self, member: str, lines: YearLines | None = None) -> Statement:
        """The statement of `member` (any spelling of their user name). `lines` keeps each
        member's line of each year index from one call to the next (by the index's id: the
        caller keeps the indexes alive)."""
        return self._statement(normalise_member(member), lines)

    def _statement(self, name: str, lines: YearLines | None = None) -> Statement:
        declarations: list[CountedContribution] = []
        years: list[YearLine] = []
        for year in self._years:
            key = (id(year), name)
            found = lines.get(key) if lines is not None else None
            if found is None:
                found = _year_line(year, name)
                if lines is not None:
                    lines[key] = found
            mine, line = found
            if line is not None:
                years.append(line)
                declarations.extend(mine)
        declarations.sort(key=lambda c: (c.date, c.source))
        campaigns: list[CampaignLine] = []
        for campaign in self._campaigns:
            position = _campaign_line(campaign, name)
            if position is not None:
                campaigns.append(position)
        return Statement(
            member=name,
            declarations=tuple(declarations),
            years=tuple(years),
            total=sum_declarations(declarations),
            campaigns=tuple(campaigns),
        )


def compute_statement(
    records: Records,
    member: str,
    *,
    contribution_reports: Mapping[int, ContributionReport] | None = None,
    campaign_reports: Mapping[str, CampaignReport] | None = None,
    index: StatementIndex | None = None,
) -> Statement:
    """Everything about one member; a member with nothing gets an empty statement.

    Names match as MediaWiki user names (first letter case-insensitive, `_` = space). With
    `index` (built once from a computation's reports), the reports and `records` are not read.
    Given report mappings are used as they are; a missing one is computed from `records` for
    the years and campagnes where the member appears (with the computation's default settings).
    """
    if index is not None:
        return index.statement(member)
    name = normalise_member(member)
    if contribution_reports is None:
        contribution_reports = reports_by_year(records, name)
    if campaign_reports is None:
        campaign_reports = reports_by_campaign(records, name)
    return StatementIndex(contribution_reports, campaign_reports)._statement(name)


def reports_by_year(records: Records, member: str) -> dict[int, ContributionReport]:
    """The contribution reports of the years where the member declared something."""
    mine = [c for c in records.contributions if normalise_member(c.contributor) == member]
    if not mine:
        return {}
    # Imported here: the statement itself only reads reports, most callers pass them.
    from ledger.contribution import compute_ledger

    reports, _ = compute_ledger(records)  # one check of the records for all the years
    return {year: reports[year] for year in sorted({c.date.year for c in mine})}


def reports_by_campaign(records: Records, member: str) -> dict[str, CampaignReport]:
    """The reports of the campagnes where the member takes part or pledged."""
    # Campagne names match with case and spaces ignored, as ledger.budget matches them.
    declared = {name_key(c.name): c.name for c in records.campaigns}
    keys = {p.campaign for p in records.pledges if normalise_member(p.member) == member}
    keys |= {c.name for c in records.campaigns if member in map(normalise_member, c.participants)}
    names = {declared[k] for k in map(name_key, keys) if k in declared}
    if not names:
        return {}
    from ledger.budget import compute_campaign

    return {name: compute_campaign(records, name) for name in sorted(names)}
