"""The contribution-rétribution ledger (DESIGN §4), with every expected figure worked by hand."""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal

from ledger.contribution import (
    check_contributions,
    circle_year_totals,
    compute_contributions,
    compute_ledger,
    contribution_years,
)
from ledger.record import (
    Circle,
    Contribution,
    ContributionStatus,
    Envelope,
    Problem,
    Records,
    Severity,
    Source,
)
from ledger.report import CircleTotals, SplitShare, contribution_report_to_json

D = Decimal
S = ContributionStatus
_lines = itertools.count(1)


def circle(name: str, page: str = "Cercles") -> Circle:
    return Circle(name=name, source=Source(page, next(_lines)))


def envelope(
    name: str, amount: str, year: int = 2026, rate: str | None = None, page: str = "Enveloppes"
) -> Envelope:
    hourly_rate = None if rate is None else D(rate)
    return Envelope(name, year, D(amount), Source(page, next(_lines)), hourly_rate=hourly_rate)


def declare(
    who: str,
    name: str,
    day: str = "2026-03-12",
    *,
    hours: str | None = None,
    amount: str | None = None,
    status: ContributionStatus = S.DECLARED,
    page: str = "Contributions",
    line: int | None = None,
) -> Contribution:
    return Contribution(
        contributor=who,
        circle=name,
        date=datetime.date.fromisoformat(day),
        source=Source(page, next(_lines) if line is None else line),
        hours=None if hours is None else D(hours),
        amount=None if amount is None else D(amount),
        status=status,
    )


def only_circle(records: Records, year: int = 2026) -> CircleTotals:
    (totals,) = compute_contributions(records, year).circles
    return totals


def test_each_status_counts_in_its_own_totals() -> None:
    records = Records(
        circles=[circle("Tech")],
        envelopes=[envelope("Tech", "1000.00")],
        contributions=[
            declare("Alice", "Tech", hours="2", amount="100.00", status=S.DECLARED),
            declare("Alice", "Tech", hours="3", amount="200.00", status=S.VALIDATED),
            declare("Bruno", "Tech", hours="1", amount="50.00", status=S.PAID),
            declare("Bruno", "Tech", hours="4", amount="70.00", status=S.REFUSED),
            declare("Chloé", "Tech", hours="5", status=S.VOLUNTARY),
        ],
    )

    tech = only_circle(records)

    assert tech.envelope == D("1000.00")
    assert tech.requested == D("350.00")  # 100 + 200 + 50
    assert tech.validated == D("250.00")  # 200 + 50
    assert tech.paid == D("50.00")
    assert tech.remaining == D("650.00")  # 1000 - 350
    assert tech.hours == D("11.00")  # 2 + 3 + 1 + 5, refused hours left out
    assert tech.declarations == 5
    assert tech.over_envelope is False
    assert tech.split == ()


def test_a_voluntary_declaration_counts_its_hours_and_shows_no_money() -> None:
    records = Records(
        circles=[circle("Accueil")],
        envelopes=[envelope("Accueil", "500.00")],
        contributions=[declare("Alice", "Accueil", hours="4", status=S.VOLUNTARY)],
    )

    report = compute_contributions(records, 2026)

    (counted,) = report.contributions
    assert (counted.hours, counted.amount, counted.status) == (D("4.00"), D("0.00"), "bénévole")
    (accueil,) = report.circles
    assert (accueil.hours, accueil.requested, accueil.remaining) == (
        D("4.00"),
        D("0.00"),
        D("500.00"),
    )
    (alice,) = report.contributors
    assert (alice.hours, alice.requested) == (D("4.00"), D("0.00"))


def test_a_refused_declaration_is_listed_with_its_amount_and_counts_in_nothing() -> None:
    records = Records(
        circles=[circle("Accueil")],
        envelopes=[envelope("Accueil", "500.00")],
        contributions=[declare("Alice", "Accueil", hours="2", amount="80.00", status=S.REFUSED)],
    )

    report = compute_contributions(records, 2026)

    (counted,) = report.contributions
    assert (counted.amount, counted.status) == (D("80.00"), "refusée")
    (accueil,) = report.circles
    assert (accueil.hours, accueil.requested, accueil.validated, accueil.paid) == (D("0.00"),) * 4
    (alice,) = report.contributors
    assert (alice.hours, alice.requested) == (D("0.00"), D("0.00"))


def test_hours_without_an_amount_are_paid_at_the_default_ceiling() -> None:
    records = Records(
        circles=[circle("Tech")],
        envelopes=[envelope("Tech", "1000.00")],
        contributions=[declare("Alice", "Tech", hours="3.33")],
    )

    report = compute_contributions(records, 2026)

    assert report.contributions[0].amount == D("99.90")  # 3.33 × 30.00
    assert report.circles[0].hourly_rate == D("30.00")


def test_the_default_ceiling_can_be_configured() -> None:
    records = Records(
        circles=[circle("Tech")],
        envelopes=[envelope("Tech", "1000.00")],
        contributions=[declare("Alice", "Tech", hours="3")],
    )

    report = compute_contributions(records, 2026, default_rate=D("20.00"))

    assert report.contributions[0].amount == D("60.00")  # 3 × 20.00
    assert report.circles[0].hourly_rate == D("20.00")


def test_the_hourly_rate_of_the_circle_year_replaces_the_default() -> None:
    records = Records(
        circles=[circle("Tech"), circle("Accueil")],
        envelopes=[envelope("Tech", "1000.00", rate="25.00"), envelope("Accueil", "1000.00")],
        contributions=[
            declare("Alice", "Tech", hours="2.5"),
            declare("Alice", "Accueil", hours="2.5"),
        ],
    )

    report = compute_contributions(records, 2026)

    amounts = {c.circle: c.amount for c in report.contributions}
    assert amounts == {"Tech": D("62.50"), "Accueil": D("75.00")}  # 2.5 × 25, 2.5 × 30
    assert {c.name: c.hourly_rate for c in report.circles} == {
        "Accueil": D("30.00"),
        "Tech": D("25.00"),
    }


def test_the_rate_of_another_year_does_not_apply() -> None:
    records = Records(
        circles=[circle("Tech")],
        envelopes=[envelope("Tech", "1000.00", year=2025, rate="25.00")],
        contributions=[declare("Alice", "Tech", "2026-01-05", hours="2")],
    )

    assert compute_contributions(records, 2026).contributions[0].amount == D("60.00")  # 2 × 30


def test_hours_times_rate_rounds_half_cents_up() -> None:
    records = Records(
        circles=[circle("Tech")],
        envelopes=[envelope("Tech", "1000.00", rate="20.01")],
        contributions=[
            declare("Alice", "Tech", "2026-01-01", hours="0.5"),  # 10.005 -> 10.01 (not 10.00)
            declare("Bruno", "Tech", "2026-01-02", hours="0.25"),  # 5.0025 -> 5.00
            declare("Chloé", "Tech", "2026-01-03", hours="1.5"),  # 30.015 -> 30.02
        ],
    )

    report = compute_contributions(records, 2026)

    assert [c.amount for c in report.contributions] == [D("10.01"), D("5.00"), D("30.02")]
    assert report.circles[0].requested == D("45.03")


def test_an_amount_above_hours_times_ceiling_is_counted_with_a_warning() -> None:
    over = declare("Alice", "Tech", "2026-02-01", hours="3", amount="120.00", page="Alice")
    records = Records(
        circles=[circle("Tech")],
        envelopes=[envelope("Tech", "1000.00")],
        contributions=[over, declare("Bruno", "Tech", "2026-02-02", hours="3", amount="90.00")],
    )

    report = compute_contributions(records, 2026)

    assert [(c.contributor, c.over_ceiling) for c in report.contributions] == [
        ("Alice", True),
        ("Bruno", False),  # exactly 3 × 30.00: within the ceiling
    ]
    assert report.circles[0].requested == D("210.00")  # 120 + 90, counted all the same
    (problem,) = report.problems
    assert (problem.source, problem.template, problem.severity) == (
        over.source,
        "Contribution",
        Severity.WARNING,
    )
    assert "30,00\xa0€/h" in problem.message
    assert "90,00\xa0€" in problem.message
    assert "120,00\xa0€" in problem.message


def test_an_amount_above_hours_times_ceiling_but_within_it_rounded_to_the_cent_is_no_warning() -> (
    None
):
    # 20 min written 0.3333 h: 0.3333 × 30.00 = 9.999, a ceiling of 10.00 once rounded to the
    # cent. 10.00 is above the exact product yet not above the ceiling; 10.01 is above both.
    # Written 0.333 h: 0.333 × 30.00 = 9.99 exactly, and 10.00 is one cent above.
    records = Records(
        circles=[circle("Tech")],
        envelopes=[envelope("Tech", "1000.00")],
        contributions=[
            declare("Alice", "Tech", "2026-02-01", hours="0.3333", amount="10.00"),
            declare("Bruno", "Tech", "2026-02-02", hours="0.3333", amount="10.01"),
            declare("Chloé", "Tech", "2026-02-03", hours="0.333", amount="9.99"),
            declare("David", "Tech", "2026-02-04", hours="0.333", amount="10.00"),
        ],
    )

    report = compute_contributions(records, 2026)

    assert [(c.contributor, c.over_ceiling) for c in report.contributions] == [
        ("Alice", False),
        ("Bruno", True),
        ("Chloé", False),
        ("David", True),
    ]
    assert [p.message.split("\xa0€ ")[0] for p in report.problems] == [
        "montant de 10,01",
        "montant de 10,00",
    ]


def test_an_unknown_circle_is_an_error_with_a_suggestion_and_is_not_counted() -> None:
    typo = declare("Alice", "Numerique", hours="2", page="Alice", line=7)
    records = Records(
        circles=[circle("Numérique")],
        envelopes=[envelope("Numérique", "800.00")],
        contributions=[typo],
    )

    report = compute_contributions(records, 2026)

    assert report.problems == [
        Problem(
            Source("Alice", 7),
            "Contribution",
            Severity.ERROR,
            "cercle inconnu « Numerique » — vouliez-vous dire « Numérique » ?",
        )
    ]
    assert report.contributions == []
    assert report.contributors == []
    assert report.circles[0].requested == D("0.00")


def test_an_envelope_for_an_unknown_circle_is_an_error() -> None:
    stray = envelope("Communication", "300.00")
    records = Records(circles=[circle("Tech")], envelopes=[stray])

    report = compute_contributions(records, 2026)

    assert report.circles == []
    assert [(p.source, p.template, p.severity, p.message) for p in report.problems] == [
        (stray.source, "Enveloppe cercle", Severity.ERROR, "cercle inconnu « Communication »")
    ]


def test_circle_names_match_whatever_their_case_and_spacing() -> None:
    records = Records(
        circles=[circle("Vie coopérative")],
        envelopes=[envelope("vie  Coopérative", "400.00")],
        contributions=[
            declare("Alice", "VIE COOPÉRATIVE", amount="100.00"),
            declare("Bruno", " Vie coopérative ", amount="50.00"),
        ],
    )

    report = compute_contributions(records, 2026)

    assert report.problems == []
    (vie,) = report.circles
    assert (vie.name, vie.envelope, vie.requested) == ("Vie coopérative", D("400.00"), D("150.00"))
    assert {c.circle for c in report.contributions} == {"Vie coopérative"}


def test_a_second_envelope_for_the_same_circle_and_year_is_an_error_and_not_counted() -> None:
    first = Envelope("Tech", 2026, D("1000.00"), Source("Enveloppes", 3))
    second = Envelope("Tech", 2026, D("5000.00"), Source("Enveloppes", 9))
    other_year = Envelope("Tech", 2027, D("2000.00"), Source("Enveloppes", 12))
    # listed out of order: the first on the wiki wins, not the first in the list
    records = Records(circles=[circle("Tech")], envelopes=[second, other_year, first])

    report = compute_contributions(records, 2026)

    assert only_circle(records).envelope == D("1000.00")
    (problem,) = report.problems
    assert (problem.source, problem.severity) == (Source("Enveloppes", 9), Severity.ERROR)
    assert "Enveloppes:3" in problem.message
    assert only_circle(records, 2027).envelope == D("2000.00")


def test_a_circle_with_declarations_but_no_envelope_gets_zero_and_a_warning_on_its_page() -> None:
    tech = Circle("Tech", Source("Cercle Tech", 2))
    records = Records(circles=[tech], contributions=[declare("Alice", "Tech", amount="60.00")])

    report = compute_contributions(records, 2026)

    (totals,) = report.circles
    assert (totals.envelope, totals.has_envelope, totals.remaining) == (
        D("0.00"),
        False,
        D("-60.00"),
    )
    assert report.problems == [
        Problem(
            Source("Cercle Tech", 2),
            "Cercle",
            Severity.WARNING,
            "aucune enveloppe déclarée pour le cercle « Tech » en 2026 :"
            " ajoutez {{Enveloppe cercle}}",
        )
    ]


def test_a_duplicate_circle_is_a_warning_at_the_duplicate_and_the_first_wins() -> None:
    first = Circle("Tech", Source("Cercles", 1), channel="#tech")
    again = Circle("tech", Source("Cercles", 20))
    records = Records(circles=[again, first], envelopes=[envelope("TECH", "100.00")])

    report = compute_contributions(records, 2026)

    assert [c.name for c in report.circles] == ["Tech"]
    (problem,) = report.problems
    assert (problem.source, problem.template, problem.severity) == (
        Source("Cercles", 20),
        "Cercle",
        Severity.WARNING,
    )


def test_a_circle_over_its_envelope_gets_a_closing_split_of_what_is_left() -> None:
    # envelope 1000.00; requested 100 (paid) + 500 + 900 = 1500.00 > 1000.00
    # available = 1000 - 100 = 900.00 over unpaid Alice 500 + Bruno 900 = 1400
    #   Alice 900 × 500/1400 = 321.428… -> 321.43 (largest remainder gets the leftover cent)
    #   Bruno 900 × 900/1400 = 578.571… -> 578.57
    records = Records(
        circles=[circle("Tech")],
        envelopes=[envelope("Tech", "1000.00")],
        contributions=[
            declare("Alice", "Tech", amount="100.00", status=S.PAID),
            declare("Alice", "Tech", amount="500.00"),
            declare("Bruno", "Tech", amount="900.00", status=S.VALIDATED),
            declare("Chloé", "Tech", hours="10", status=S.VOLUNTARY),
        ],
    )

    tech = only_circle(records)

    assert (tech.requested, tech.paid, tech.remaining) == (
        D("1500.00"),
        D("100.00"),
        D("-500.00"),
    )
    assert tech.over_envelope is True
    assert tech.split == (
        SplitShare("Alice", requested=D("500.00"), proposed=D("321.43"), paid=D("100.00")),
        SplitShare("Bruno", requested=D("900.00"), proposed=D("578.57"), paid=D("0.00")),
    )
    assert sum(share.proposed for share in tech.split) == D("900.00")


def test_requests_equal_to_the_envelope_are_not_over_it() -> None:
    records = Records(
        circles=[circle("Tech")],
        envelopes=[envelope("Tech", "300.00")],
        contributions=[declare("Alice", "Tech", amount="300.00")],
    )

    tech = only_circle(records)

    assert (tech.over_envelope, tech.remaining, tech.split) == (False, D("0.00"), ())


def test_totals_per_contributor_gather_every_circle_of_the_year() -> None:
    records = Records(
        circles=[circle("Tech"), circle("Accueil")],
        envelopes=[envelope("Tech", "1000.00"), envelope("Accueil", "1000.00")],
        contributions=[
            declare("Bruno", "Tech", "2026-01-10", hours="2", status=S.PAID),  # 60.00
            declare(
                "Bruno", "Accueil", "2026-03-01", hours="1", amount="25.00", status=S.VALIDATED
            ),
            declare("Bruno", "Accueil", "2026-03-02", hours="6", status=S.VOLUNTARY),
            declare("Alice", "Tech", "2026-03-20", amount="40.00"),
            declare("Alice", "Tech", "2025-12-31", amount="999.00"),  # another year
        ],
    )

    report = compute_contributions(records, 2026)

    assert [(p.name, p.hours, p.requested, p.validated, p.paid) for p in report.contributors] == [
        ("Alice", D("0.00"), D("40.00"), D("0.00"), D("0.00")),
        ("Bruno", D("9.00"), D("85.00"), D("85.00"), D("60.00")),  # 2+1+6 h; 60+25
    ]


def test_totals_per_month_in_ascending_order() -> None:
    records = Records(
        circles=[circle("Tech")],
        envelopes=[envelope("Tech", "1000.00")],
        contributions=[
            declare("Alice", "Tech", "2026-11-03", amount="10.00", status=S.PAID),
            declare("Alice", "Tech", "2026-03-31", hours="1.5"),  # 45.00
            declare("Bruno", "Tech", "2026-03-01", hours="1", amount="20.00", status=S.VALIDATED),
            declare("Bruno", "Tech", "2026-03-15", hours="8", amount="240.00", status=S.REFUSED),
        ],
    )

    report = compute_contributions(records, 2026)

    assert [(m.month, m.hours, m.requested, m.validated, m.paid) for m in report.months] == [
        ("2026-03", D("2.50"), D("65.00"), D("20.00"), D("0.00")),
        ("2026-11", D("0.00"), D("10.00"), D("10.00"), D("10.00")),
    ]


def test_circles_contributors_and_declarations_come_sorted() -> None:
    records = Records(
        circles=[
            circle("Vie coopérative"),
            circle("Accueil"),
            circle("Éthique"),
            circle("Dormant"),
        ],
        envelopes=[envelope("Vie coopérative", "100.00"), envelope("Dormant", "50.00", year=2025)],
        contributions=[
            declare("Zoé", "Éthique", "2026-05-01", amount="1.00", page="B", line=4),
            declare("Élodie", "Accueil", "2026-05-01", amount="1.00", page="B", line=2),
            declare("Alice", "Accueil", "2026-05-01", amount="1.00", page="A", line=9),
            declare("Bruno", "Accueil", "2026-04-30", amount="1.00", page="Z", line=1),
        ],
    )

    report = compute_contributions(records, 2026)

    # the dormant circle has neither envelope nor declaration in 2026: omitted
    assert [c.name for c in report.circles] == ["Accueil", "Éthique", "Vie coopérative"]
    assert [p.name for p in report.contributors] == ["Alice", "Bruno", "Élodie", "Zoé"]
    assert [(c.source.page, c.source.line) for c in report.contributions] == [
        ("Z", 1),
        ("A", 9),
        ("B", 2),
        ("B", 4),
    ]


def test_a_year_report_holds_only_the_problems_of_that_year() -> None:
    records = Records(
        circles=[circle("Tech"), circle("Tech")],
        envelopes=[envelope("Tech", "100.00", year=2025)],
        contributions=[
            declare("Alice", "Tec", "2025-06-01", amount="10.00"),
            declare("Alice", "Tech", "2026-06-01", amount="10.00"),
        ],
    )

    problems_2025 = compute_contributions(records, 2025).problems
    problems_2026 = compute_contributions(records, 2026).problems
    every_problem = check_contributions(records)

    # the duplicate circle concerns every year; the rest, the year of its declaration
    assert {p.message[:15] for p in problems_2025} == {"cercle « Tech »", "cercle inconnu "}
    assert {p.message[:15] for p in problems_2026} == {"cercle « Tech »", "aucune envelopp"}
    assert len(every_problem) == 3
    assert set(problems_2025) | set(problems_2026) == set(every_problem)


def test_contribution_years_are_those_with_declarations_or_envelopes() -> None:
    records = Records(
        circles=[circle("Tech")],
        envelopes=[envelope("Tech", "100.00", year=2027)],
        contributions=[declare("Alice", "Inconnu", "2024-02-01", amount="1.00")],
    )

    assert contribution_years(records) == [2024, 2027]
    assert contribution_years(Records()) == []


def test_circle_year_totals_key_every_circle_by_year() -> None:
    records = Records(
        circles=[circle("Tech")],
        envelopes=[envelope("Tech", "100.00", year=2025), envelope("Tech", "200.00", year=2026)],
    )

    totals = circle_year_totals(records)

    assert {key: t.envelope for key, t in totals.items()} == {
        ("Tech", 2025): D("100.00"),
        ("Tech", 2026): D("200.00"),
    }


def test_the_report_renders_as_the_json_of_the_design() -> None:
    records = Records(
        circles=[circle("Tech")],
        envelopes=[envelope("Tech", "50.00")],
        contributions=[declare("Alice", "Tech", "2026-03-12", hours="3.5")],  # 105.00
    )

    data = contribution_report_to_json(compute_contributions(records, 2026))

    assert data["circles"][0]["remaining"] == "-55.00"
    assert data["circles"][0]["split"] == [
        {"name": "Alice", "requested": "105.00", "proposed": "50.00", "paid": "0.00"}
    ]
    assert data["contributions"][0]["status"] == "déclarée"
    assert data["months"] == [
        {
            "month": "2026-03",
            "hours": "3.50",
            "requested": "105.00",
            "validated": "0.00",
            "paid": "0.00",
        }
    ]


def test_the_same_unknown_circle_gets_the_same_suggestion_every_time_it_is_named() -> None:
    records = Records(
        circles=[circle("Numérique"), circle("Accueil")],
        envelopes=[envelope("Numérique", "800.00")],
        contributions=[
            declare("Alice", "Numerique", hours="1", page="Alice", line=1),
            declare("Bruno", "Acceuil", hours="1", page="Bruno", line=1),
            declare("Chloé", "Numerique", hours="1", page="Chloé", line=1),
            declare("David", "Zzz", hours="1", page="David", line=1),
        ],
    )

    problems = check_contributions(records)

    assert [(p.source.page, p.message) for p in problems] == [
        ("Alice", "cercle inconnu « Numerique » — vouliez-vous dire « Numérique » ?"),
        ("Bruno", "cercle inconnu « Acceuil » — vouliez-vous dire « Accueil » ?"),
        ("Chloé", "cercle inconnu « Numerique » — vouliez-vous dire « Numérique » ?"),
        ("David", "cercle inconnu « Zzz »"),
    ]


def test_compute_ledger_reports_every_year_from_one_check_with_all_problems_once() -> None:
    # 2024 has only a declaration to an unknown circle: it still gets a report, for its error.
    records = Records(
        circles=[circle("Tech"), circle("Tech")],  # the duplicate concerns every year
        envelopes=[envelope("Tech", "100.00", 2025), envelope("Tech", "50.00", 2026)],
        contributions=[
            declare("Alice", "Tech", "2026-03-12", hours="3"),  # 90.00, over 50.00
            declare("Bruno", "Tech", "2025-05-02", amount="40.00"),
            declare("Chloé", "Tec", "2024-01-15", hours="1"),
        ],
    )

    reports, problems = compute_ledger(records)

    assert list(reports) == [2024, 2025, 2026]
    assert reports[2024].circles == []
    assert [p.message for p in reports[2024].problems] == [
        "cercle « Tech » déjà déclaré (Cercles:" + str(records.circles[0].source.line) + ")"
        " : ce doublon est ignoré",
        "cercle inconnu « Tec » — vouliez-vous dire « Tech » ?",
    ]
    assert [c.requested for c in reports[2025].circles] == [D("40.00")]
    assert [(c.requested, c.over_envelope) for c in reports[2026].circles] == [(D("90.00"), True)]
    for year, report in reports.items():
        assert report == compute_contributions(records, year)
    assert problems == check_contributions(records)
    assert len(problems) == 2  # the duplicate circle once, not once per year
