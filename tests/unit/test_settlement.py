"""The settlement rules of a closing: figures worked out by hand, then properties (hypothesis)."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger.record import SettlementRule
from ledger.settlement import round_parts, settle
from ledger.split import share_proportionally

D = Decimal
PRORATA, HOURLY_CAP, FLOOR, EQUAL = (
    SettlementRule.PRORATA,
    SettlementRule.HOURLY_CAP,
    SettlementRule.FLOOR,
    SettlementRule.EQUAL,
)


# --- prorata ------------------------------------------------------------------------------


def test_prorata_shares_in_proportion_with_leftover_cents_to_the_largest_remainders() -> None:
    # 100.00 over 300.00, 200.00, 100.00 (total 600.00):
    #   Alice 100 × 300/600 = 50.00, Bruno 33.333… -> 33.33, Chloé 16.666… -> 16.66
    #   floors sum to 99.99; the cent goes to the largest remainder, Chloé's (0.666 cent).
    parts = settle(PRORATA, D("100.00"), {"Alice": D("300"), "Bruno": D("200"), "Chloé": D("100")})

    assert parts == {"Alice": D("50.00"), "Bruno": D("33.33"), "Chloé": D("16.67")}


def test_prorata_is_the_proposed_closing_split_of_today() -> None:
    requests = {"Alice": D("500.00"), "Bruno": D("900.00"), "Zoé": D("123.45")}

    assert settle(PRORATA, D("900.00"), requests) == share_proportionally(D("900.00"), requests)


def test_optéos_2023_ten_thousand_for_fifteen_thousand_asked() -> None:
    # 10 000 for 15 000 asked: everyone gets two thirds of their request.
    #   A 6 000 -> 4 000.00, B 6 000 -> 4 000.00, C 3 000 -> 2 000.00
    parts = settle(PRORATA, D("10000"), {"A": D("6000"), "B": D("6000"), "C": D("3000")})

    assert parts == {"A": D("4000.00"), "B": D("4000.00"), "C": D("2000.00")}


def test_within_what_is_available_every_rule_gives_each_their_request() -> None:
    requests = {"Alice": D("120.00"), "Bruno": D("80.50")}
    for rule in SettlementRule:
        assert settle(rule, D("1000"), requests, floor=D("50")) == requests


# --- plafond horaire ---------------------------------------------------------------------


def test_hourly_cap_caps_the_requests_first_then_shares_pro_rata() -> None:
    # Alice asks 900.00 for 10 h at 30 €/h: capped at 300.00. Bruno 600.00 (no hours, not capped).
    # Capped requests 300 + 600 = 900 above 600 available: pro rata 200.00 and 400.00.
    parts = settle(
        HOURLY_CAP,
        D("600.00"),
        {"Alice": D("900.00"), "Bruno": D("600.00")},
        capped={"Alice": D("300.00"), "Bruno": D("600.00")},
    )

    assert parts == {"Alice": D("200.00"), "Bruno": D("400.00")}


def test_hourly_cap_gives_the_capped_requests_when_they_fit_in_what_is_available() -> None:
    # Capped 300 + 600 = 900 within 1 000 available: each gets the capped request; 100 left over.
    parts = settle(
        HOURLY_CAP,
        D("1000.00"),
        {"Alice": D("900.00"), "Bruno": D("600.00")},
        capped={"Alice": D("300.00")},
    )

    assert parts == {"Alice": D("300.00"), "Bruno": D("600.00")}


# --- plancher ----------------------------------------------------------------------------


def test_floor_gives_each_up_to_the_floor_then_the_rest_pro_rata_on_what_remains() -> None:
    # Floor 200, available 1 000. Requests Alice 100, Bruno 600, Chloé 1 300.
    #   floors: Alice 100 (all her request), Bruno 200, Chloé 200 -> 500; 500 left
    #   what remains of the requests: Bruno 400, Chloé 1 100 (total 1 500)
    #   Bruno 200 + 500 × 400/1500 = 200 + 133.333… ; Chloé 200 + 366.666…
    #   floors 333.33 + 566.66 = 899.99 + 100 = 999.99: the cent goes to Chloé (0.666 cent).
    parts = settle(
        FLOOR,
        D("1000.00"),
        {"Alice": D("100"), "Bruno": D("600"), "Chloé": D("1300")},
        floor=D("200"),
    )

    assert parts == {"Alice": D("100.00"), "Bruno": D("333.33"), "Chloé": D("566.67")}


def test_floors_above_what_is_available_become_equal_shares_capped_by_the_requests() -> None:
    # Floor 500, available 1 000, requests 100, 800, 900: floors alone 100 + 500 + 500 = 1 100.
    # Equal shares capped: Alice 100, then (1 000 − 100) / 2 = 450 each.
    parts = settle(
        FLOOR,
        D("1000.00"),
        {"Alice": D("100"), "Bruno": D("800"), "Chloé": D("900")},
        floor=D("500"),
    )

    assert parts == {"Alice": D("100.00"), "Bruno": D("450.00"), "Chloé": D("450.00")}


def test_the_floor_rule_needs_a_floor() -> None:
    with pytest.raises(ValueError, match="floor"):
        settle(FLOOR, D("10"), {"Alice": D("20")})


# --- égalitaire --------------------------------------------------------------------------


def test_equal_fills_the_smallest_requests_then_shares_the_rest_equally() -> None:
    # Available 1 000. Requests 100, 300, 2 000, 5 000.
    #   L = 100? 4 × 100 = 400 ≤ 1 000: Alice 100, 900 left for three.
    #   L = 300? 3 × 300 = 900 ≤ 900: Bruno 300, 600 left for two: L = 300 each.
    parts = settle(
        EQUAL,
        D("1000.00"),
        {"Alice": D("100"), "Bruno": D("300"), "Chloé": D("2000"), "David": D("5000")},
    )

    assert parts == {
        "Alice": D("100.00"),
        "Bruno": D("300.00"),
        "Chloé": D("300.00"),
        "David": D("300.00"),
    }


def test_equal_level_between_cents_gives_the_leftover_cents_by_name() -> None:
    # Available 100.00, three requests of 50: L = 33.333…; 33.33 each and one cent to Alice.
    parts = settle(EQUAL, D("100.00"), {"Zoé": D("50"), "Marc": D("50"), "Alice": D("50")})

    assert parts == {"Alice": D("33.34"), "Marc": D("33.33"), "Zoé": D("33.33")}


def test_nothing_available_gives_everyone_zero() -> None:
    for rule in SettlementRule:
        parts = settle(rule, D("-5.00"), {"Alice": D("10"), "Bruno": D("20")}, floor=D("5"))
        assert parts == {"Alice": D("0.00"), "Bruno": D("0.00")}


def test_names_without_an_unpaid_request_are_left_out() -> None:
    assert settle(PRORATA, D("10"), {"Alice": D("0.00"), "Bruno": D("20")}) == {"Bruno": D("10.00")}


def test_exact_parts_must_sum_to_whole_cents() -> None:
    with pytest.raises(ValueError):
        round_parts({"Alice": Fraction(1, 2)})


# --- properties --------------------------------------------------------------------------

NAMES = st.sampled_from(["Alice", "alice", "Bruno", "Élodie", "Émile", "Zoé", "Marc", "Inès"])
CENTS = st.integers(min_value=0, max_value=2_000_000).map(lambda c: Decimal(c) / 100)
REQUESTS = st.dictionaries(NAMES, CENTS, min_size=1, max_size=8)


@given(
    rule=st.sampled_from(list(SettlementRule)),
    available=st.integers(min_value=-100_000, max_value=5_000_000).map(lambda c: Decimal(c) / 100),
    requests=REQUESTS,
    cap_ratio=st.fractions(min_value=0, max_value=1),
    floor=CENTS,
)
def test_parts_sum_exactly_never_exceed_a_request_and_are_never_negative(
    rule: SettlementRule,
    available: Decimal,
    requests: dict[str, Decimal],
    cap_ratio: Fraction,
    floor: Decimal,
) -> None:
    capped = {
        name: (amount * cap_ratio.numerator / cap_ratio.denominator).quantize(D("0.01"))
        for name, amount in requests.items()
    }
    parts = settle(rule, available, requests, capped=capped, floor=floor)

    basis = {name: min(requests[name], capped[name]) for name in requests}
    if rule is not SettlementRule.HOURLY_CAP:
        basis = dict(requests)
    assert set(parts) == {name for name, amount in requests.items() if amount > 0}
    assert sum(parts.values(), D("0")) == min(max(available, D("0")), sum(basis.values(), D("0")))
    for name, part in parts.items():
        assert D("0") <= part <= basis[name]
        assert part == part.quantize(D("0.01"))


@given(rule=st.sampled_from(list(SettlementRule)), requests=REQUESTS, available=CENTS)
def test_the_result_does_not_depend_on_the_order_of_the_names(
    rule: SettlementRule, requests: dict[str, Decimal], available: Decimal
) -> None:
    reversed_order = dict(reversed(list(requests.items())))

    assert settle(rule, available, requests, floor=D("100")) == settle(
        rule, available, reversed_order, floor=D("100")
    )


@given(requests=REQUESTS, available=CENTS)
def test_equal_parts_leave_nobody_more_than_a_cent_above_someone_left_short(
    requests: dict[str, Decimal], available: Decimal
) -> None:
    # Someone who did not get their whole request got the level L rounded down or up; anyone
    # else got at most their request, which is at most L rounded up: a cent apart at most.
    parts = settle(EQUAL, available, requests)
    short = [parts[name] for name in parts if parts[name] < requests[name]]
    if short:
        assert max(short) - min(short) <= D("0.01")
        assert all(part <= min(short) + D("0.01") for part in parts.values())


@given(requests=REQUESTS, available=CENTS, floor=CENTS)
def test_with_enough_for_the_floors_each_gets_at_least_min_of_request_and_floor(
    requests: dict[str, Decimal], available: Decimal, floor: Decimal
) -> None:
    parts = settle(FLOOR, available, requests, floor=floor)
    floors = {name: min(amount, floor) for name, amount in requests.items() if amount > 0}
    if sum(floors.values(), D("0")) <= available:
        assert all(parts[name] >= floors[name] for name in parts)
