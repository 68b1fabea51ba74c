"""The records read from the wiki, the problems found in them, and the money/hours helpers.

Every record carries its `Source(page, line)`; parsers and checks return `(records, problems)`
and one formatter renders `Page:line: message` for the CLI, the logs, the API and the wiki.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field, fields
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from enum import StrEnum
from operator import attrgetter
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ledger.governance import Verdict

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def round_money(value: Decimal) -> Decimal:
    """Round an amount to the cent, half away from zero (the usual French accounting rule)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def floor_money(value: Decimal) -> Decimal:
    """Round an amount down to the cent (towards zero): used for shares and dotations."""
    return value.quantize(CENT, rounding=ROUND_DOWN)


def round_hours(value: Decimal) -> Decimal:
    """Round hours to the hundredth, half away from zero."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True, order=True)
class Source:
    """Where a record or a problem comes from: a wiki page title and a 1-based line."""

    page: str
    line: int


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Problem:
    """Something a member should fix; `message` is French and says what to do."""

    source: Source
    template: str
    severity: Severity
    message: str


def format_problem(problem: Problem) -> str:
    """The one rendering of a problem for humans: `Page:line: message`."""
    return f"{problem.source.page}:{problem.source.line}: {problem.message}"


_PROBLEM_ORDER = attrgetter("source.page", "source.line", "message")


def sort_problems(problems: list[Problem]) -> list[Problem]:
    """Problems in a stable order: by page, line, then message."""
    return sorted(problems, key=_PROBLEM_ORDER)  # (a C getter: this sorts every problem)


Written = tuple[tuple[str, str], ...]  # (parameter name, value as written), in field order


def written_value(written: Written, name: str) -> str:
    """The value of parameter `name` as written on the page; "" when it was not given."""
    for key, value in written:
        if key == name:
            return value
    return ""


class ContributionStatus(StrEnum):
    DECLARED = "déclarée"
    VALIDATED = "validée"
    PAID = "versée"
    REFUSED = "refusée"
    VOLUNTARY = "bénévole"


class ProjectStatus(StrEnum):
    PROPOSED = "proposé"
    CANCELLED = "annulé"
    DONE = "réalisé"


class SettlementRule(StrEnum):
    """How a closing shares what is available (issue 13); values are the JSON names."""

    PRORATA = "prorata"
    HOURLY_CAP = "hourly_cap"
    FLOOR = "floor"
    EQUAL = "equal"

    @property
    def label(self) -> str:
        """The rule as written on the wiki (`règle=`)."""
        return RULE_LABELS[self]


RULE_LABELS = {
    SettlementRule.PRORATA: "prorata",
    SettlementRule.HOURLY_CAP: "plafond horaire",
    SettlementRule.FLOOR: "plancher",
    SettlementRule.EQUAL: "égalitaire",
}


class CircleState(StrEnum):
    ACTIVE = "actif"
    DORMANT = "en sommeil"


@dataclass(frozen=True, slots=True)
class Circle:
    """`{{Cercle}}`: a thematic circle."""

    name: str
    source: Source
    referents: tuple[str, ...] = ()
    channel: str = ""
    state: CircleState = CircleState.ACTIVE


@dataclass(frozen=True, slots=True)
class Envelope:
    """`{{Enveloppe cercle}}`: a circle's money for a year, and its hourly ceiling if given."""

    circle: str
    year: int
    amount: Decimal
    source: Source
    hourly_rate: Decimal | None = None


@dataclass(frozen=True, slots=True)
class Contribution:
    """`{{Contribution}}`: one declaration. At least one of `hours` and `amount` is set."""

    contributor: str
    circle: str
    date: datetime.date
    source: Source
    hours: Decimal | None = None
    amount: Decimal | None = None
    mission: str = ""
    status: ContributionStatus = ContributionStatus.DECLARED
    # The parameters as written on the page ((name, text) pairs: ("montant", "1 200 €")), for
    # the history's from/to; not part of equality: `1200` and `1 200 €` are the same amount.
    written: Written = field(default=(), compare=False, repr=False)
    # Set by `ledger.governance.govern`: who declared, validated and paid it, its history.
    verdict: Verdict | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Closing:
    """`{{Clôture cercle}}`: a circle's year closed by a recorded decision.

    `date` is the meeting's date, shown and never used for counting: the closing takes effect at
    the revision time of the decision, `timestamp` (None until revision history is read).
    """

    circle: str
    year: int
    rule: SettlementRule
    source: Source
    floor: Decimal | None = None
    date: datetime.date | None = None
    decision: str = ""
    timestamp: datetime.datetime | None = None


@dataclass(frozen=True, slots=True)
class Campaign:
    """`{{Cobudget}}`: a co-budget round."""

    name: str
    source: Source
    envelope: Decimal | None = None
    dotation: Decimal | None = None
    participants: tuple[str, ...] = ()
    opening: datetime.date | None = None
    closing: datetime.date | None = None
    project_cap: Decimal | None = None


@dataclass(frozen=True, slots=True)
class Project:
    """`{{Projet cobudget}}`: a proposal (a "bucket")."""

    campaign: str
    title: str
    minimum: Decimal
    source: Source
    maximum: Decimal | None = None
    holders: tuple[str, ...] = ()
    cross_cutting: bool = False
    status: ProjectStatus = ProjectStatus.PROPOSED


@dataclass(frozen=True, slots=True)
class Pledge:
    """`{{Soutien cobudget}}`: a member's pledge to a project."""

    campaign: str
    project: str
    member: str
    amount: Decimal
    source: Source
    written: Written = field(default=(), compare=False, repr=False)  # as for `Contribution`


@dataclass(frozen=True, slots=True)
class StatementRequest:
    """`{{Relevé}}` placed by a member on a page of their own: they asked for a statement there."""

    member: str
    source: Source


@dataclass(slots=True)
class Records:
    """Everything read from the wiki (or from one page)."""

    circles: list[Circle] = field(default_factory=list)
    envelopes: list[Envelope] = field(default_factory=list)
    contributions: list[Contribution] = field(default_factory=list)
    campaigns: list[Campaign] = field(default_factory=list)
    projects: list[Project] = field(default_factory=list)
    pledges: list[Pledge] = field(default_factory=list)
    statements: list[StatementRequest] = field(default_factory=list)
    closings: list[Closing] = field(default_factory=list)

    def __setstate__(self, state: tuple[None, dict[str, list[object]]]) -> None:
        """Unpickle (the default state of a class with slots: `(None, {slot: value})`), also
        from a state store written before a kind of record was added: the kinds it lacks
        are empty, and its pages are parsed again anyway, the parser having changed."""
        values = state[1]
        for name in (f.name for f in fields(self)):
            setattr(self, name, values.get(name, []))

    def extend(self, other: Records) -> None:
        """Add another set of records to this one (used to merge pages)."""
        self.circles.extend(other.circles)
        self.envelopes.extend(other.envelopes)
        self.contributions.extend(other.contributions)
        self.campaigns.extend(other.campaigns)
        self.projects.extend(other.projects)
        self.pledges.extend(other.pledges)
        self.statements.extend(other.statements)
        self.closings.extend(other.closings)

    def count(self) -> int:
        return (
            len(self.circles)
            + len(self.envelopes)
            + len(self.contributions)
            + len(self.campaigns)
            + len(self.projects)
            + len(self.pledges)
            + len(self.statements)
            + len(self.closings)
        )
