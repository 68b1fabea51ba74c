"""The settlement rules of a circle's year closing (issue 13): who gets what of what is available.

Each rule works on each contributor's unpaid request (statut `déclarée` or `validée`) and shares
`target` = min(available, total of the requests it works on), where available is
envelope − paid. Every rule first computes exact parts (fractions of a cent), then one rounding
is applied to all of them: each part rounded down to the cent, the cents left over given one by
one to the largest remainders, ties by name. So the parts sum exactly to `target`, and no part is
above its request (a part equal to its request has no remainder, and never gets a leftover cent).

- `prorata`: in proportion to the requests;
- `plafond horaire` (`hourly_cap`): each declaration that gives hours first capped at
  hours × the circle-year's hourly rate (the caller sums the capped requests), then pro rata;
- `plancher` (`floor`): each first gets min(request, F); the rest pro rata on what remains of the
  requests; when the floors alone exceed what is available, equal shares capped by the requests;
- `égalitaire` (`equal`): each gets min(request, L), L the level where the parts sum to
  `target` (water-filling).
"""

from __future__ import annotations

import functools
import heapq
import math
from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction

from ledger.record import CENT, SettlementRule, floor_money
from ledger.split import name_order

# Exact parts in cents as ({name: numerator}, one common denominator), so that remainders
# compare as integers: Fractions made the options cost a sixth of the whole ledger on a wiki
# of 20 000 declarations.
Exact = tuple[dict[str, int], int]

# The same few hundred names are ordered for every circle and rule: fold each once.
_order = functools.lru_cache(maxsize=8192)(name_order)


def _cents(amount: Decimal) -> int:
    """An amount as a whole number of cents, rounded down; never below 0."""
    return max(int(floor_money(amount) * 100), 0)


def _round(exact: Exact) -> dict[str, Decimal]:
    numerators, denominator = exact
    floors: dict[str, int] = {}
    remainders: dict[str, int] = {}
    for name, numerator in numerators.items():
        floors[name], remainders[name] = divmod(numerator, denominator)
    total, rest = divmod(sum(numerators.values()), denominator)
    if rest:
        raise ValueError("the exact parts must sum to a whole number of cents")
    leftover = total - sum(floors.values())
    if leftover:
        # leftover < the number of positive remainders (each is below one cent), so a part
        # equal to its request (no remainder) never gets a cent.
        candidates = [name for name, remainder in remainders.items() if remainder]
        chosen = heapq.nsmallest(
            leftover, candidates, key=lambda name: (-remainders[name], _order(name))
        )
        for name in chosen:
            floors[name] += 1
    return {name: Decimal(count) * CENT for name, count in floors.items()}


def round_parts(exact: Mapping[str, Fraction]) -> dict[str, Decimal]:
    """Exact parts in cents (summing to a whole number) -> parts in euros, summing the same.

    Each part is rounded down to the cent; the cents this leaves go one by one to the largest
    remainders, ties by name (`name_order`).
    """
    denominator = math.lcm(1, *(part.denominator for part in exact.values()))
    numerators = {
        name: part.numerator * (denominator // part.denominator) for name, part in exact.items()
    }
    return _round((numerators, denominator))


def _prorata(target: int, requests: Mapping[str, int]) -> Exact:
    total = sum(requests.values())
    if total == 0:
        return {name: 0 for name in requests}, 1
    return {name: target * request for name, request in requests.items()}, total


def _water_fill(target: int, requests: Mapping[str, int]) -> Exact:
    """min(request, L) for each, with L such that the parts sum to `target` (≤ their total)."""
    parts: dict[str, int] = {}
    left = target
    ascending = sorted(requests, key=lambda name: requests[name])
    for index, name in enumerate(ascending):
        waiting = len(ascending) - index
        if requests[name] * waiting <= left:  # everyone left can have this smallest request
            parts[name] = requests[name]
            left -= requests[name]
            continue
        # The level L = left / waiting: every part is counted over `waiting`.
        whole = {done: cents * waiting for done, cents in parts.items()}
        whole.update((other, left) for other in ascending[index:])
        return whole, waiting
    return parts, 1


def _floor_first(target: int, requests: Mapping[str, int], floor: int) -> Exact:
    base = {name: min(request, floor) for name, request in requests.items()}
    if sum(base.values()) > target:
        # Equal shares capped by the requests: water-filling, whose level is then below F.
        return _water_fill(target, requests)
    rest = {name: requests[name] - base[name] for name in requests}
    shared, denominator = _prorata(target - sum(base.values()), rest)
    return {name: base[name] * denominator + shared[name] for name in requests}, denominator


def settle(
    rule: SettlementRule,
    available: Decimal,
    requests: Mapping[str, Decimal],
    *,
    capped: Mapping[str, Decimal] | None = None,
    floor: Decimal | None = None,
) -> dict[str, Decimal]:
    """Each contributor's part under `rule`, for every name with a positive request.

    `requests` are the unpaid requests; `capped` the same once each declaration giving hours is
    capped at hours × rate (needed by `hourly_cap`; missing names count their request);
    `floor` F is needed by `floor`. Parts sum to min(available, total of the requests the rule
    works on), each rounded as `round_parts` says; amounts are counted in whole cents.
    """
    asked = {name: _cents(amount) for name, amount in requests.items() if _cents(amount) > 0}
    if rule is SettlementRule.HOURLY_CAP:
        caps = capped or {}
        asked = {
            name: min(cents, _cents(caps.get(name, requests[name])))
            for name, cents in asked.items()
        }
    target = min(_cents(available), sum(asked.values()))
    if rule is SettlementRule.EQUAL:
        exact = _water_fill(target, asked)
    elif rule is SettlementRule.FLOOR:
        if floor is None:
            raise ValueError("the floor rule needs a floor")
        exact = _floor_first(target, asked, _cents(floor))
    else:
        exact = _prorata(target, asked)
    return _round(exact)
