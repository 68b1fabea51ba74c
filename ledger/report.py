"""The computed results: contribution ledgers and co-budget campaigns, as plain dataclasses.

`ledger.contribution.compute_contributions` and `ledger.budget.compute_campaign` build these;
renderers (wiki pages, JSON, CSV/ODS) only read them. Money and hours are `Decimal` with two
decimals; `to_json` helpers render them as strings like `"1234.50"` (DESIGN §6).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ledger.french import pledge_reason as french_pledge_reason
from ledger.history import RevisionRef, iso_utc
from ledger.record import Problem, SettlementRule, Source

if TYPE_CHECKING:
    from ledger.governance import Verdict


@dataclass(frozen=True, slots=True)
class SplitShare:
    """One contributor's part of the proposed closing split of a circle over its envelope."""

    name: str
    requested: Decimal  # unpaid request in this circle (requested - paid): the basis of the split
    proposed: Decimal  # proposed payment out of what is available (envelope - paid)
    paid: Decimal = Decimal("0.00")  # already paid in this circle, not part of the split


@dataclass(frozen=True, slots=True)
class SettlementPart:
    """One contributor's part of what is available under one settlement rule."""

    name: str
    proposed: Decimal


@dataclass(frozen=True, slots=True)
class Settlement:
    """One rule's parts for a circle over its envelope (`ledger.settlement` says how)."""

    rule: SettlementRule
    parts: tuple[SettlementPart, ...]
    floor: Decimal | None = None  # the floor used, for `SettlementRule.FLOOR`


@dataclass(frozen=True, slots=True)
class DueLine:
    """What a closing made due to one contributor, what was paid to them since, what is left."""

    name: str
    amount: Decimal  # their part under the chosen rule (their unpaid request when within)
    paid: Decimal  # paid to them after the closing, capped at `amount`
    remaining: Decimal  # amount − paid: "reste à verser"


@dataclass(frozen=True, slots=True)
class ClosingState:
    """A circle-year closed by a `{{Clôture cercle}}` decision, and what it makes due."""

    rule: SettlementRule
    floor: Decimal | None
    source: Source
    timestamp: datetime.datetime | None  # the decision's revision time; None while unknown
    date: datetime.date | None  # the meeting's date, as written: shown, never counted
    decision: str  # wikitext linking the minutes, as written
    over_envelope: bool  # False: the closing only freezes the year, everyone gets their request
    due: tuple[DueLine, ...] = ()
    late: tuple[Source, ...] = ()  # declarations changed after the closing: listed, not counted


@dataclass(frozen=True, slots=True)
class CircleTotals:
    name: str
    envelope: Decimal
    requested: Decimal
    validated: Decimal
    paid: Decimal
    remaining: Decimal  # envelope - requested (negative when over)
    hours: Decimal
    over_envelope: bool
    split: tuple[SplitShare, ...] = ()
    hourly_rate: Decimal = Decimal("30.00")  # the ceiling used for this circle-year
    has_envelope: bool = True  # False when no {{Enveloppe cercle}} was declared for the year
    declarations: int = 0
    settlements: tuple[Settlement, ...] = ()  # every rule side by side, when over the envelope
    closing: ClosingState | None = None


@dataclass(frozen=True, slots=True)
class ContributorTotals:
    name: str
    hours: Decimal
    requested: Decimal
    validated: Decimal
    paid: Decimal


@dataclass(frozen=True, slots=True)
class MonthTotals:
    month: str  # "2026-03"
    hours: Decimal
    requested: Decimal
    validated: Decimal
    paid: Decimal


@dataclass(frozen=True, slots=True)
class CountedContribution:
    """A declaration as counted: its amount is resolved (montant, or heures x ceiling)."""

    source: Source
    contributor: str
    circle: str
    date: datetime.date
    hours: Decimal  # 0.00 when not given
    amount: Decimal  # resolved amount; 0.00 for bénévole and refusée still shows the asked amount
    status: str
    mission: str
    over_ceiling: bool = False
    ceiling: Decimal | None = None  # hours × rate to the cent, set when `over_ceiling`
    verdict: Verdict | None = None  # its history and who validated and paid (issue 12)


@dataclass(slots=True)
class ContributionReport:
    year: int
    circles: list[CircleTotals] = field(default_factory=list)
    contributors: list[ContributorTotals] = field(default_factory=list)
    months: list[MonthTotals] = field(default_factory=list)
    contributions: list[CountedContribution] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    # {circle: its declarations in `contributions` order}, when the computation kept them
    # (ledger.incremental); None: grouped from `contributions` where needed
    by_circle: dict[str, tuple[CountedContribution, ...]] | None = field(
        default=None, compare=False, repr=False
    )


@dataclass(frozen=True, slots=True)
class MemberTotals:
    name: str
    dotation: Decimal
    pledged: Decimal  # counted pledges (0.00 when suspended)
    remaining: Decimal  # dotation - pledged
    suspended: bool  # all pledges suspended: their sum exceeded the dotation
    suspended_amount: Decimal = Decimal("0.00")


@dataclass(frozen=True, slots=True)
class ProjectTotals:
    title: str
    page: str
    minimum: Decimal
    maximum: Decimal | None
    pledged: Decimal
    supporters: int
    status: str  # "funded" | "open" | "cancelled" | "done"
    cross_cutting: bool
    excess: Decimal  # pledged above maximum, 0.00 otherwise
    holders: tuple[str, ...] = ()
    line: int = 0


@dataclass(frozen=True, slots=True)
class CountedPledge:
    source: Source
    member: str
    project: str
    amount: Decimal
    state: str  # "counted" | "suspended" | "rejected" | "outside" (of the round's dates)
    written: RevisionRef | None = None  # the revision that wrote it, when the history is known
    reason: str | None = None  # why it does not count (French), when the time rule says so


@dataclass(slots=True)
class CampaignReport:
    campagne: str
    envelope: Decimal
    dotation: Decimal
    unallocated: Decimal
    members: list[MemberTotals] = field(default_factory=list)
    projects: list[ProjectTotals] = field(default_factory=list)
    pledges: list[CountedPledge] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    opening: datetime.date | None = None
    closing: datetime.date | None = None
    project_cap: Decimal | None = None
    page: str = ""  # page of the {{Cobudget}} declaration
    # changes the round's dates leave out (issue 12): written before the opening or after the
    # closing, changed or removed after it; also among `problems`
    late: list[Problem] = field(default_factory=list)


def money(value: Decimal | None) -> str | None:
    """JSON form of money and hours: a string with two decimals, or None."""
    return None if value is None else f"{value:.2f}"


def problem_to_json(problem: Problem) -> dict[str, Any]:
    return {
        "page": problem.source.page,
        "line": problem.source.line,
        "template": problem.template,
        "severity": str(problem.severity),
        "message": problem.message,
    }


def closing_to_json(closing: ClosingState | None) -> dict[str, Any] | None:
    """A circle-year's closing in the contributions JSON (issue 13), or None."""
    if closing is None:
        return None
    return {
        "rule": str(closing.rule),
        "floor": money(closing.floor),
        "page": closing.source.page,
        "line": closing.source.line,
        "timestamp": iso_utc(closing.timestamp) if closing.timestamp else None,
        "due": [
            {
                "name": d.name,
                "amount": money(d.amount),
                "paid": money(d.paid),
                "remaining": money(d.remaining),
            }
            for d in closing.due
        ],
    }


def trail_to_json(status: str, verdict: Verdict | None) -> dict[str, Any]:
    """The keys issue 12 adds to each declaration: as written, who did what, its history."""
    if verdict is None:  # no history known (not read yet): only what the page says
        return {
            "written_status": status,
            "declared_by": None,
            "validated_by": None,
            "paid_by": None,
            "history": [],
        }
    return {
        "written_status": str(verdict.written_status),
        "declared_by": verdict.declared_by.to_json() if verdict.declared_by else None,
        "validated_by": verdict.validated_by.to_json() if verdict.validated_by else None,
        "paid_by": verdict.paid_by.to_json() if verdict.paid_by else None,
        "history": [event.to_json() for event in verdict.history],
    }


def pledge_reason(pledge: CountedPledge) -> str | None:
    """Why a pledge does not count (French, `ledger.french.pledge_reason`), None when it does."""
    return french_pledge_reason(pledge.state, pledge.reason)


def contribution_report_to_json(report: ContributionReport) -> dict[str, Any]:
    """The JSON of DESIGN §6 for `report contributions YEAR --json` and the API."""
    return {
        "year": report.year,
        "circles": [
            {
                "name": c.name,
                "envelope": money(c.envelope),
                "requested": money(c.requested),
                "validated": money(c.validated),
                "paid": money(c.paid),
                "remaining": money(c.remaining),
                "hours": money(c.hours),
                "over_envelope": c.over_envelope,
                "split": [
                    {
                        "name": s.name,
                        "requested": money(s.requested),
                        "proposed": money(s.proposed),
                        "paid": money(s.paid),
                    }
                    for s in c.split
                ],
                "settlements": {
                    str(option.rule): [
                        {"name": part.name, "proposed": money(part.proposed)}
                        for part in option.parts
                    ]
                    for option in c.settlements
                },
                "closing": closing_to_json(c.closing),
            }
            for c in report.circles
        ],
        "contributors": [
            {
                "name": p.name,
                "hours": money(p.hours),
                "requested": money(p.requested),
                "validated": money(p.validated),
                "paid": money(p.paid),
            }
            for p in report.contributors
        ],
        "months": [
            {
                "month": m.month,
                "hours": money(m.hours),
                "requested": money(m.requested),
                "validated": money(m.validated),
                "paid": money(m.paid),
            }
            for m in report.months
        ],
        "contributions": [
            {
                "page": c.source.page,
                "line": c.source.line,
                "contributor": c.contributor,
                "circle": c.circle,
                "date": c.date.isoformat(),
                "hours": money(c.hours),
                "amount": money(c.amount),
                "status": c.status,
                "mission": c.mission,
                **trail_to_json(c.status, c.verdict),
            }
            for c in report.contributions
        ],
        "problems": [problem_to_json(p) for p in report.problems],
    }


def campaign_report_to_json(report: CampaignReport) -> dict[str, Any]:
    """The JSON of DESIGN §6 for `report cobudget CAMPAGNE --json` and the API."""
    return {
        "campagne": report.campagne,
        "envelope": money(report.envelope),
        "dotation": money(report.dotation),
        "unallocated": money(report.unallocated),
        "opening": report.opening.isoformat() if report.opening else None,
        "closing": report.closing.isoformat() if report.closing else None,
        "members": [
            {
                "name": m.name,
                "dotation": money(m.dotation),
                "pledged": money(m.pledged),
                "remaining": money(m.remaining),
                "suspended": m.suspended,
                "suspended_amount": money(m.suspended_amount),
            }
            for m in report.members
        ],
        "projects": [
            {
                "title": p.title,
                "page": p.page,
                "minimum": money(p.minimum),
                "maximum": money(p.maximum),
                "pledged": money(p.pledged),
                "supporters": p.supporters,
                "status": p.status,
                "cross_cutting": p.cross_cutting,
                "excess": money(p.excess),
            }
            for p in report.projects
        ],
        "pledges": [
            {
                "page": p.source.page,
                "line": p.source.line,
                "member": p.member,
                "project": p.project,
                "amount": money(p.amount),
                "state": p.state,
                "counted": p.state == "counted",
                "reason": pledge_reason(p),
                "written_by": p.written.user or None if p.written else None,
                "timestamp": iso_utc(p.written.timestamp) if p.written else None,
            }
            for p in report.pledges
        ],
        "problems": [problem_to_json(p) for p in report.problems],
    }
