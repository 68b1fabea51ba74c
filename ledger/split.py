"""The proposed closing split of a circle over its envelope (DESIGN §4).

What is available is shared in proportion to each contributor's unpaid request, every share
rounded down to the cent, and the cents left over are given one by one by largest remainder
(ties by name), so that the parts sum exactly to what is available.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from decimal import Decimal

from ledger.name import fold
from ledger.record import CENT, ZERO, floor_money
from ledger.report import SplitShare


def name_order(name: str) -> tuple[str, str]:
    """Sort key for people and circles: accents and case ignored first, then the exact name.

    Plain string order would put « Élodie » after « Zoé »; members expect it among the E.
    """
    return (fold(name), name)


def share_proportionally(available: Decimal, weights: Mapping[str, Decimal]) -> dict[str, Decimal]:
    """Share `available` (rounded down to the cent) in proportion to the positive weights.

    Each name with a positive weight gets a share; the shares sum exactly to `available`
    floored to the cent (0.00 when it is negative). Exact arithmetic: every weight is made a
    whole number of one common unit, so shares and remainders are integer divisions and no
    proportion is ever rounded.
    """
    positive = {name: weight for name, weight in weights.items() if weight > 0}
    cents = max(int(floor_money(available) * 100), 0)
    if not positive:
        return {}
    ratios = {name: weight.as_integer_ratio() for name, weight in positive.items()}
    unit = math.lcm(*(denominator for _, denominator in ratios.values()))
    units = {
        name: numerator * (unit // denominator) for name, (numerator, denominator) in ratios.items()
    }
    total = sum(units.values())
    floors: dict[str, int] = {}
    remainders: dict[str, int] = {}  # over `total`: the fraction of a cent each floor lost
    for name, count in units.items():
        floors[name], remainders[name] = divmod(cents * count, total)
    leftover = cents - sum(floors.values())
    # leftover < number of names, since each floor loses less than one cent.
    by_remainder = sorted(positive, key=lambda name: (-remainders[name], name_order(name)))
    for name in by_remainder[:leftover]:
        floors[name] += 1
    return {name: Decimal(count) * CENT for name, count in floors.items()}


def propose_split(
    envelope: Decimal, requested: Mapping[str, Decimal], paid: Mapping[str, Decimal]
) -> tuple[SplitShare, ...]:
    """The closing split of one circle-year, one share per contributor with a money request.

    `requested` and `paid` are per contributor in that circle (paid is part of requested).
    Available = envelope − total paid (never below 0), shared in proportion to the unpaid
    requests. It is capped at the total unpaid, which only matters if the circle is not over
    its envelope: then everyone simply gets their unpaid request. Contributors whose request
    is fully paid are listed with a proposed 0.00, to show the whole picture.
    """
    unpaid = {name: requested[name] - paid.get(name, ZERO) for name in requested}
    total_unpaid = sum((amount for amount in unpaid.values() if amount > 0), ZERO)
    available = max(envelope - sum(paid.values(), ZERO), ZERO)
    shares = share_proportionally(min(available, total_unpaid), unpaid)
    return tuple(
        SplitShare(
            name=name,
            requested=max(unpaid[name], ZERO),
            proposed=shares.get(name, ZERO),
            paid=paid.get(name, ZERO),
        )
        for name in sorted(requested, key=name_order)
        if requested[name] > 0
    )
