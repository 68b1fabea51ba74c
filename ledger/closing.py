"""A circle's year closing (issue 13): the decision in effect, the options, what is due.

Pure and time-aware without reading time itself: a closing takes effect at its decision's
revision time (`Closing.timestamp`, the revision where the decision first appeared, set by the
sync from the history) and each declaration comes with the time it was last created or changed
and the time someone entitled set it `versée` (`declaration_times`, from the verdict the
history gave it; or `changed_at` and `paid_at` of `ledger.contribution.compute_ledger`, by
`Source`). A declaration created or changed after the closing is not counted (its source is
listed in `ClosingState.late`), except a payment: `versée` set afterwards by someone entitled
to pay counts as a payment to its contributor, up to what the decision made due to them.
Either time unknown (None: the history not read yet) means "before the closing": everything
written counts.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from ledger.name import NameHints
from ledger.record import (
    ZERO,
    Closing,
    ContributionStatus,
    Problem,
    SettlementRule,
    Severity,
    Source,
)
from ledger.report import ClosingState, CountedContribution, DueLine, Settlement, SettlementPart
from ledger.settlement import settle
from ledger.split import name_order

if TYPE_CHECKING:
    from ledger.governance import Verdict

TEMPLATE_CLOSING = "Clôture cercle"
_UNPAID = frozenset({ContributionStatus.DECLARED, ContributionStatus.VALIDATED})
# The options shown side by side, in this order; `floor` only when a floor is known.
OPTIONS = (
    SettlementRule.PRORATA,
    SettlementRule.HOURLY_CAP,
    SettlementRule.EQUAL,
    SettlementRule.FLOOR,
)


@dataclass(slots=True)
class SettlementBase:
    """What the rules work on, for one circle-year as it stood at the closing."""

    requested: Decimal = ZERO  # déclarée, validée or versée
    paid: Decimal = ZERO  # versée before the closing
    unpaid: dict[str, Decimal] = field(default_factory=dict)  # per contributor
    capped: dict[str, Decimal] = field(default_factory=dict)  # unpaid, hours-capped declarations
    paid_after: dict[str, Decimal] = field(default_factory=dict)  # versée after the closing

    def add(self, item: CountedContribution, *, paid_after: bool = False) -> None:
        """Count one declaration; `paid_after`: a payment set after the closing.

        What such a declaration was before is not known here: it is counted as an unpaid
        request at the closing, and as a payment after it.
        """
        status = item.status
        if status not in _UNPAID and status != ContributionStatus.PAID:
            return
        self.requested += item.amount
        if status == ContributionStatus.PAID and not paid_after:
            self.paid += item.amount
            return
        name = item.contributor
        self.unpaid[name] = self.unpaid.get(name, ZERO) + item.amount
        capped = item.amount if item.ceiling is None else min(item.amount, item.ceiling)
        self.capped[name] = self.capped.get(name, ZERO) + capped
        if paid_after:
            self.paid_after[name] = self.paid_after.get(name, ZERO) + item.amount


def settlement_base(
    declarations: Iterable[CountedContribution], payments_after: frozenset[Source] = frozenset()
) -> SettlementBase:
    """The base of the rules from a circle-year's counted declarations.

    `payments_after` are the sources of declarations set `versée` after the closing.
    """
    base = SettlementBase()
    for item in declarations:
        base.add(item, paid_after=item.source in payments_after)
    return base


def propose_settlements(
    envelope: Decimal, base: SettlementBase | None, floor: Decimal | None
) -> tuple[Settlement, ...]:
    """Every rule's parts, side by side; `floor` only when a floor is known.

    Without a base (a circle within its envelope), every option is there with no parts.
    """
    options = []
    names: list[str] = []
    if base is not None:
        names = sorted((n for n, amount in base.unpaid.items() if amount > 0), key=name_order)
    for rule in OPTIONS:
        if rule is SettlementRule.FLOOR and floor is None:
            continue
        if base is None:
            options.append(Settlement(rule, (), floor if rule is SettlementRule.FLOOR else None))
            continue
        available = max(envelope - base.paid, ZERO)
        parts = settle(rule, available, base.unpaid, capped=base.capped, floor=floor)
        options.append(
            Settlement(
                rule,
                tuple(SettlementPart(name, parts[name]) for name in names),
                floor if rule is SettlementRule.FLOOR else None,
            )
        )
    return tuple(options)


def close_circle(
    closing: Closing, envelope: Decimal, base: SettlementBase, late: Iterable[Source] = ()
) -> ClosingState:
    """What the closing makes due to each contributor with an unpaid request at the closing.

    Over the envelope, their part under the chosen rule; within it, their unpaid request (the
    closing only freezes the year). `paid` is what was paid to them after the closing, capped
    at what is due; a rule that needs a floor without one (the parser refuses that) falls back
    to prorata.
    """
    over = base.requested > envelope
    names = sorted((n for n, amount in base.unpaid.items() if amount > 0), key=name_order)
    if over:
        rule = closing.rule
        if rule is SettlementRule.FLOOR and closing.floor is None:
            rule = SettlementRule.PRORATA
        available = max(envelope - base.paid, ZERO)
        parts = settle(rule, available, base.unpaid, capped=base.capped, floor=closing.floor)
    else:
        parts = {name: base.unpaid[name] for name in names}
    due = []
    for name in names:
        amount = parts[name]
        paid = min(base.paid_after.get(name, ZERO), amount)
        due.append(DueLine(name, amount, paid, amount - paid))
    return ClosingState(
        rule=closing.rule,
        floor=closing.floor,
        source=closing.source,
        timestamp=closing.timestamp,
        date=closing.date,
        decision=closing.decision,
        over_envelope=over,
        due=tuple(due),
        late=tuple(sorted(late)),
    )


@dataclass(frozen=True, slots=True)
class Closure:
    """What a circle-year's options and closing need beside its totals."""

    floor: Decimal | None  # the configured floor, for the side-by-side options
    closing: Closing | None
    declarations: list[CountedContribution]  # the circle-year's counted declarations
    payments_after: frozenset[Source]  # those set versée after the closing
    late: list[Source]  # declarations changed after the closing, left out

    def settle(
        self, envelope: Decimal, over: bool
    ) -> tuple[tuple[Settlement, ...], ClosingState | None]:
        """The options side by side (with parts only when `over`) and the closing's state."""
        closing = self.closing
        base = None
        if over or closing is not None:
            base = settlement_base(self.declarations, self.payments_after)
        floor = self.floor
        if closing is not None and closing.floor is not None:
            floor = closing.floor  # the decision's floor wins over the configured one
        settlements = propose_settlements(envelope, base if over else None, floor)
        if closing is None or base is None:
            return settlements, None
        return settlements, close_circle(closing, envelope, base, self.late)


def declaration_times(
    verdict: Verdict | None,
) -> tuple[datetime.datetime | None, datetime.datetime | None]:
    """(when the declaration was created or last changed, when someone entitled set it
    `versée`) from its verdict; (None, None) when its history is not known.

    A move to another page is no change (the same declaration); the payment set by someone
    entitled is left out of the first time, since a closing counts it (up to what is due).
    A payment by someone not entitled is a change like any other.
    """
    if verdict is None:
        return None, None
    payment = verdict.entitled_paid
    changed = max(
        (
            event.revision.timestamp
            for event in verdict.history
            if event.field != "moved"
            and not (
                payment is not None
                and event.field == "statut"
                and event.revision.rev_id == payment.rev_id
            )
        ),
        default=None,
    )
    return changed, None if payment is None else payment.timestamp


def is_after(closing: Closing, changed_at: datetime.datetime | None) -> bool:
    """Whether a declaration last changed at `changed_at` was changed after the closing."""
    if closing.timestamp is None or changed_at is None:
        return False
    return changed_at > closing.timestamp


def index_closings(
    closings: list[Closing],
    find_circle: Callable[[str], str | None],
    hints: NameHints,
    problems: list[tuple[int | None, Problem]],
) -> dict[tuple[str, int], Closing]:
    """One decision per circle-year: the earliest stays in effect, a later one is an error.

    Earliest by revision time when known, else by page and line (what can be told today).
    `find_circle` gives a known circle's name from its spelling; problems are tagged with
    their year, as `ledger.contribution` keeps them.
    """
    found: dict[tuple[str, int], Closing] = {}
    never = datetime.datetime.max.replace(tzinfo=datetime.UTC)
    for closing in sorted(closings, key=lambda c: (c.timestamp or never, c.source)):
        circle = find_circle(closing.circle)
        if circle is None:
            message = hints.unknown_message("cercle", closing.circle)
            problem = Problem(closing.source, TEMPLATE_CLOSING, Severity.ERROR, message)
            problems.append((closing.year, problem))
            continue
        first = found.setdefault((circle, closing.year), closing)
        if first is not closing:
            where = f"{first.source.page}:{first.source.line}"
            message = (
                f"clôture du cercle « {circle} » pour {closing.year} déjà décidée ({where}) :"
                " c'est la première décision qui s'applique, celle-ci n'est pas prise en compte"
            )
            problem = Problem(closing.source, TEMPLATE_CLOSING, Severity.ERROR, message)
            problems.append((closing.year, problem))
    return found
