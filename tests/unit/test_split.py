"""The proposed closing split: shares floored to the cent, leftover cents by largest remainder."""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction

from hypothesis import assume, given
from hypothesis import strategies as st

from ledger.report import SplitShare
from ledger.split import name_order, propose_split, share_proportionally

D = Decimal


def test_leftover_cents_go_to_the_largest_remainders_not_the_largest_requests() -> None:
    # 10.00 over weights 1:2:4 (total 7):
    #   Alice 10/7  = 1.428571… -> 1.42, remainder 0.857 cent
    #   Bruno 20/7  = 2.857142… -> 2.85, remainder 0.714 cent
    #   Chloé 40/7  = 5.714285… -> 5.71, remainder 0.428 cent
    # floors sum to 9.98: the 2 leftover cents go to Alice then Bruno.
    shares = share_proportionally(D("10.00"), {"Chloé": D("4"), "Alice": D("1"), "Bruno": D("2")})

    assert shares == {"Alice": D("1.43"), "Bruno": D("2.86"), "Chloé": D("5.71")}
    assert sum(shares.values()) == D("10.00")


def test_equal_remainders_are_broken_by_name() -> None:
    # 100.00 in three equal parts: 33.33 each and one cent left, all remainders equal.
    shares = share_proportionally(
        D("100.00"), {"Zoé": D("50.00"), "Marc": D("50.00"), "Alice": D("50.00")}
    )

    assert shares == {"Alice": D("33.34"), "Marc": D("33.33"), "Zoé": D("33.33")}
    assert sum(shares.values()) == D("100.00")


def test_names_sort_with_accents_and_case_ignored() -> None:
    names = ["Zoé", "élodie", "Émile", "Bruno"]

    assert sorted(names, key=name_order) == ["Bruno", "élodie", "Émile", "Zoé"]


def test_prior_payments_are_kept_out_of_the_split_of_what_is_left() -> None:
    # Envelope 1000.00; Alice asked 600.00 of which 100.00 is paid, Bruno asked 900.00.
    # available = 1000.00 - 100.00 = 900.00, unpaid Alice 500.00 + Bruno 900.00 = 1400.00
    #   Alice 900 × 500/1400 = 321.428… -> 321.42 (remainder 0.857 cent) + 1 leftover cent
    #   Bruno 900 × 900/1400 = 578.571… -> 578.57 (remainder 0.143 cent)
    split = propose_split(
        D("1000.00"),
        requested={"Bruno": D("900.00"), "Alice": D("600.00")},
        paid={"Alice": D("100.00")},
    )

    assert split == (
        SplitShare("Alice", requested=D("500.00"), proposed=D("321.43"), paid=D("100.00")),
        SplitShare("Bruno", requested=D("900.00"), proposed=D("578.57"), paid=D("0.00")),
    )
    assert sum(share.proposed for share in split) == D("900.00")


def test_a_fully_paid_contributor_is_listed_with_nothing_proposed() -> None:
    # Envelope 500.00, Alice asked and was paid 200.00, Bruno asks 400.00: 300.00 is left for him.
    split = propose_split(
        D("500.00"),
        requested={"Alice": D("200.00"), "Bruno": D("400.00")},
        paid={"Alice": D("200.00")},
    )

    assert split == (
        SplitShare("Alice", requested=D("0.00"), proposed=D("0.00"), paid=D("200.00")),
        SplitShare("Bruno", requested=D("400.00"), proposed=D("300.00"), paid=D("0.00")),
    )


def test_nothing_is_proposed_when_payments_already_exceed_the_envelope() -> None:
    split = propose_split(
        D("100.00"),
        requested={"Alice": D("150.00"), "Bruno": D("80.00")},
        paid={"Alice": D("150.00")},
    )

    assert [(s.name, s.proposed) for s in split] == [("Alice", D("0.00")), ("Bruno", D("0.00"))]


def test_contributors_without_a_money_request_are_left_out() -> None:
    split = propose_split(D("10.00"), requested={"Alice": D("20.00"), "Bruno": D("0.00")}, paid={})

    assert split == (SplitShare("Alice", D("20.00"), D("10.00"), D("0.00")),)


def test_nothing_to_share_among_nobody() -> None:
    assert share_proportionally(D("10.00"), {"Alice": D("0"), "Bruno": D("-5")}) == {}


cents = st.integers(min_value=0, max_value=10_000_000).map(lambda n: Decimal(n) / 100)
names = st.text(alphabet="ABCÉabcé ", min_size=1, max_size=6)


@given(weights=st.dictionaries(names, cents, min_size=1, max_size=8), data=st.data())
def test_shares_always_sum_to_what_is_available_and_never_exceed_a_request(
    weights: dict[str, Decimal], data: st.DataObject
) -> None:
    total = sum(weights.values(), D("0.00"))
    available = data.draw(st.integers(min_value=0, max_value=int(total * 100))) / D(100)

    shares = share_proportionally(available, weights)

    assert sum(shares.values(), D("0.00")) == (available if total > 0 else D("0.00"))
    assert set(shares) == {name for name, weight in weights.items() if weight > 0}
    for name, share in shares.items():
        assert D("0.00") <= share <= weights[name]
        # never more than a cent away from the exact proportion
        assert abs(share - available * weights[name] / total) < D("0.01")


requests = st.tuples(cents, cents).map(lambda pair: (max(pair), min(pair)))  # (requested, paid)


@given(people=st.dictionaries(names, requests, min_size=1, max_size=8), data=st.data())
def test_a_closing_split_always_hands_out_exactly_the_envelope_minus_payments(
    people: dict[str, tuple[Decimal, Decimal]], data: st.DataObject
) -> None:
    requested = {name: pair[0] for name, pair in people.items()}
    paid = {name: pair[1] for name, pair in people.items()}
    total_requested = sum(requested.values(), D("0.00"))
    assume(total_requested > 0)
    # over its envelope: envelope < total requested
    envelope = data.draw(st.integers(min_value=0, max_value=int(total_requested * 100) - 1)) / D(
        100
    )

    split = propose_split(envelope, requested, paid)

    available = max(envelope - sum(paid.values(), D("0.00")), D("0.00"))
    assert sum(share.proposed for share in split) == available
    for share in split:
        assert share.proposed <= share.requested == requested[share.name] - paid[share.name]


def shares_by_fractions(available: Decimal, weights: dict[str, Decimal]) -> dict[str, Decimal]:
    """The split computed with exact fractions, as DESIGN §4 states it, for comparison."""
    positive = {name: Fraction(weight) for name, weight in weights.items() if weight > 0}
    total = sum(positive.values(), Fraction(0))
    cents = max(math.floor(Fraction(available) * 100), 0)
    if not positive:
        return {}
    exact = {name: cents * weight / total for name, weight in positive.items()}
    floors = {name: math.floor(value) for name, value in exact.items()}
    leftover = cents - sum(floors.values())
    order = sorted(positive, key=lambda name: (floors[name] - exact[name], name_order(name)))
    for name in order[:leftover]:
        floors[name] += 1
    return {name: Decimal(count) / 100 for name, count in floors.items()}


# Weights as a member could never type them too: more decimals than cents, and negatives.
fine_weights = st.decimals(min_value=-100, max_value=10_000, places=4, allow_nan=False)


@given(
    weights=st.dictionaries(names, fine_weights, min_size=0, max_size=8),
    available=st.decimals(min_value=-10, max_value=100_000, places=3, allow_nan=False),
)
def test_shares_are_those_of_exact_fractions_whatever_the_decimals_of_the_weights(
    weights: dict[str, Decimal], available: Decimal
) -> None:
    shares = share_proportionally(available, weights)

    assert shares == shares_by_fractions(available, weights)
    assert all(share.as_tuple().exponent == -2 for share in shares.values())
