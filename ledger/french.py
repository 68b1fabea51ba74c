"""The French vocabulary of every output: numbers, money, hours, dates, status labels, the sums.

One function per thing, used by the wiki pages (render.wikitext wraps these as `Wikitext`), the
problem messages of the ledger, the CSV and ODS exports and the cards, so that a figure or a
label reads the same wherever a member or the treasurer meets it. One no-break space, `NBSP`,
groups thousands and ties a number to its unit (`1 234,50 €`, `12,50 h`, `45 %`); no other
kind of no-break space is written anywhere (a test scans the sources).
"""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from ledger.record import ZERO, ContributionStatus, SettlementRule

NBSP = "\u00a0"  # the one no-break space: thousands separator and before €, h, %
MINUS = "\u2212"  # a real minus sign

MONTHS: tuple[str, ...] = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet")
MONTHS += ("août", "septembre", "octobre", "novembre", "décembre")

# Labels of the machine values of ledger.report (JSON and the rfc4180 CSV keep the machine
# values; every French output shows these words).
PLEDGE_STATES = {
    "counted": "compté",
    "suspended": "suspendu",
    "rejected": "refusé",
    "outside": "hors des dates",  # written outside the round's dates (ledger.window)
}
PROJECT_STATUSES = {"funded": "financé", "open": "ouvert", "cancelled": "annulé", "done": "réalisé"}
_PLEDGE_REASONS = {
    "suspended": f"soutiens {PLEDGE_STATES['suspended']}s : leur total dépasse la dotation"
    " du membre",
    "rejected": f"soutien {PLEDGE_STATES['rejected']} : voir la liste des anomalies",
}


def rule_heading(rule: SettlementRule) -> str:
    """A settlement rule as a column heading: its wiki name (`règle=`), capitalised."""
    return rule.label[:1].upper() + rule.label[1:]


def pledge_state_label(state: str) -> str:
    """`rejected` -> `refusé`: the one French name of a pledge's state."""
    return PLEDGE_STATES.get(state, state)


def project_status_label(status: str) -> str:
    """`funded` -> `financé`; an unknown value (or "") is shown as it is."""
    return PROJECT_STATUSES.get(status, status)


def pledge_reason(state: str, reason: str | None = None) -> str | None:
    """Why a pledge in `state` does not count (French), None when it counts."""
    if state == "counted":
        return None
    return reason or _PLEDGE_REASONS.get(state, f"soutien {pledge_state_label(state)}")


# --- numbers ---------------------------------------------------------------------------------


def format_number(value: Decimal, places: int = 2) -> str:
    """`-1234.5` -> `−1 234,50`: grouped thousands, decimal comma, real minus, no minus zero."""
    quantum = Decimal(1).scaleb(-places)
    rounded = value.quantize(quantum, rounding=ROUND_HALF_UP)
    sign = MINUS if rounded < 0 else ""
    # the format's own grouping (",") then French marks: twice as fast as grouping by hand
    whole, _, fraction = f"{abs(rounded):,.{places}f}".partition(".")
    return f"{sign}{whole.replace(',', NBSP)}{',' + fraction if fraction else ''}"


def format_money(value: Decimal) -> str:
    """`1 234,50 €`."""
    return f"{format_number(value)}{NBSP}€"


def format_hours(value: Decimal) -> str:
    """`12,50 h`."""
    return f"{format_number(value)}{NBSP}h"


def format_rate(value: Decimal) -> str:
    """An hourly rate: `45,00 €/h`."""
    return f"{format_money(value)}/h"


def format_count(value: int) -> str:
    """An integer count: `1 234`."""
    return format_number(Decimal(value), 0)


def format_percent(value: Decimal | int) -> str:
    """`45 %`: callers pass whole percents."""
    return f"{format_number(Decimal(value), 0)}{NBSP}%"


def format_decimal(value: Decimal) -> str:
    """A number for a spreadsheet cell typed by hand: `1234,50` (no grouping, decimal comma)."""
    return f"{value:.2f}".replace(".", ",")


# --- dates -----------------------------------------------------------------------------------


def format_date(value: datetime.date) -> str:
    """`12/03/2026`."""
    return value.strftime("%d/%m/%Y")


def format_long_date(value: datetime.date) -> str:
    """`1er mars 2026`, `12 mars 2026`."""
    day = "1er" if value.day == 1 else str(value.day)
    return f"{day} {MONTHS[value.month - 1]} {value.year}"


def format_month(value: datetime.date) -> str:
    """`mars 2026`."""
    return f"{MONTHS[value.month - 1]} {value.year}"


def format_time(value: datetime.datetime, *, seconds: bool = False) -> str:
    """`12/03/2026 à 14:05` (`14:05:09` with `seconds`; the zone's name is the caller's)."""
    return (
        f"{format_date(value)} à {value:%H:%M:%S}"
        if seconds
        else f"{format_date(value)} à {value:%H:%M}"
    )


def format_day_in_year(value: datetime.date, year: int) -> str:
    """`20/03` within `year`, `20/03/2027` outside it."""
    return value.strftime("%d/%m") if value.year == year else format_date(value)


# --- the status sums of a declaration (DESIGN §4) --------------------------------------------

REQUESTED = frozenset(
    {ContributionStatus.DECLARED, ContributionStatus.VALIDATED, ContributionStatus.PAID}
)
VALIDATED = frozenset({ContributionStatus.VALIDATED, ContributionStatus.PAID})


class StatusSums(NamedTuple):
    """What one declaration adds to each total, by its status."""

    hours: Decimal
    requested: Decimal
    validated: Decimal
    paid: Decimal


def status_sums(status: str, hours: Decimal, amount: Decimal) -> StatusSums:
    """The one rule of the totals: a refusée counts nothing, a bénévole its hours only,
    déclarée/validée/versée their amount as requested, validée/versée as validated, versée
    as paid."""
    return StatusSums(
        hours if status != ContributionStatus.REFUSED else ZERO,
        amount if status in REQUESTED else ZERO,
        amount if status in VALIDATED else ZERO,
        amount if status == ContributionStatus.PAID else ZERO,
    )
