"""Plausibility limits for one declaration: an amount, hours or an implied hourly rate no
cooperative would expect (a typo, a unit mistake) give a warning with page and line.

The declaration is counted all the same, as written: the warning asks a human to look before
it reshapes a circle's proposed split. The limits are configuration (`[limits]` in
`wikiledger.toml`); the defaults are what a cooperative of about thirty members would pick.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from ledger.french import format_hours as hours_
from ledger.french import format_money as money
from ledger.french import format_rate
from ledger.record import Contribution, ContributionStatus, Problem, Severity

TEMPLATE_CONTRIBUTION = "Contribution"
ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class Limits:
    """Above these, one declaration is implausible (each in its own unit)."""

    max_amount: Decimal = Decimal("10000.00")  # € asked by one declaration
    max_hours: Decimal = Decimal("200")  # hours of one declaration (about a month full time)
    max_hourly_rate: Decimal = Decimal("150.00")  # € per hour implied by montant ÷ heures


def check_plausibility(
    declarations: Iterable[Contribution], limits: Limits
) -> list[tuple[int, Problem]]:
    """(year, warning) for each implausible value of each declaration, refused ones aside."""
    found: list[tuple[int, Problem]] = []
    for declaration in declarations:
        if declaration.status is ContributionStatus.REFUSED:
            continue
        for message in _messages(declaration, limits):
            problem = Problem(declaration.source, TEMPLATE_CONTRIBUTION, Severity.WARNING, message)
            found.append((declaration.date.year, problem))
    return found


def _messages(declaration: Contribution, limits: Limits) -> list[str]:
    hours, amount = declaration.hours, declaration.amount
    messages = []
    if amount is not None and amount > limits.max_amount:
        messages.append(
            f"montant de {money(amount)} : plus que la limite de vraisemblance de"
            f" {money(limits.max_amount)} pour une déclaration ; vérifiez le montant"
            " (il est compté tel quel)"
        )
    if hours is not None and hours > limits.max_hours:
        messages.append(
            f"{hours_(hours)} : plus que la limite de vraisemblance de {hours_(limits.max_hours)}"
            " pour une déclaration ; vérifiez les heures (elles sont comptées telles quelles)"
        )
    if hours is not None and hours == ZERO:
        if amount is None or amount == ZERO:
            messages.append(
                f"{hours_(ZERO)} et aucun montant : cette déclaration ne compte rien ; complétez-la"
            )
        else:
            messages.append(
                f"{hours_(ZERO)} pour {money(amount)} : indiquez les heures passées"
                " (ou retirez « heures »)"
            )
    elif hours is not None and amount is not None and amount / hours > limits.max_hourly_rate:
        rate = (amount / hours).quantize(Decimal("0.01"))
        messages.append(
            f"{money(amount)} pour {hours_(hours)}, soit {format_rate(rate)} : plus que la limite"
            f" de vraisemblance de {format_rate(limits.max_hourly_rate)} ; vérifiez le montant"
            " ou les heures"
        )
    return messages
