"""Co-budget rules of DESIGN §4; every expected figure is computed by hand in the comments."""

from __future__ import annotations

import datetime
import random
from collections.abc import Iterable
from dataclasses import replace
from decimal import Decimal

import pytest

from ledger.budget import (
    UnknownCampaign,
    campaign_names,
    check_campaigns,
    compute_campaign,
    compute_campaigns,
    euros,
)
from ledger.record import (
    Campaign,
    Pledge,
    Problem,
    Project,
    ProjectStatus,
    Records,
    Severity,
    Source,
)
from ledger.report import CampaignReport, CountedPledge, MemberTotals, ProjectTotals

NAME = "Cobudget 2026"
PAGE = "Cobudget 2026"


def D(text: str) -> Decimal:
    return Decimal(text)


def campaign(
    *participants: str,
    name: str = NAME,
    line: int = 1,
    page: str = PAGE,
    envelope: str | None = None,
    dotation: str | None = None,
    cap: str | None = None,
) -> Campaign:
    return Campaign(
        name=name,
        source=Source(page, line),
        envelope=None if envelope is None else D(envelope),
        dotation=None if dotation is None else D(dotation),
        participants=participants,
        project_cap=None if cap is None else D(cap),
    )


def project(
    title: str,
    minimum: str,
    line: int,
    *,
    maximum: str | None = None,
    status: ProjectStatus = ProjectStatus.PROPOSED,
    page: str = "Projets",
    name: str = NAME,
) -> Project:
    top = None if maximum is None else D(maximum)
    return Project(name, title, D(minimum), Source(page, line), maximum=top, status=status)


def pledge(
    member: str, title: str, amount: str, line: int, *, page: str = "Soutiens", name: str = NAME
) -> Pledge:
    return Pledge(name, title, member, D(amount), Source(page, line))


def records(
    campaigns: Iterable[Campaign],
    projects: Iterable[Project] = (),
    pledges: Iterable[Pledge] = (),
) -> Records:
    return Records(campaigns=list(campaigns), projects=list(projects), pledges=list(pledges))


def member(report: CampaignReport, name: str) -> MemberTotals:
    return next(m for m in report.members if m.name == name)


def totals(report: CampaignReport, title: str) -> ProjectTotals:
    return next(p for p in report.projects if p.title == title)


def messages(report: CampaignReport) -> list[str]:
    return [p.message for p in report.problems]


# --- dotation and envelope ------------------------------------------------------------------


def test_a_given_dotation_is_used_and_the_rest_of_the_envelope_is_unallocated() -> None:
    # 3 participants x 100.00 = 300.00 out of 400.00: 100.00 unallocated.
    camp = campaign("Alice", "Bob", "Chloé", envelope="400", dotation="100")
    report = compute_campaign(records([camp]), NAME)
    assert (report.envelope, report.dotation, report.unallocated) == (
        D("400.00"),
        D("100.00"),
        D("100.00"),
    )
    assert report.problems == []


def test_the_envelope_is_split_equally_rounded_down_and_the_cent_left_is_unallocated() -> None:
    # 1000 / 3 = 333.333... -> 333.33 each; 1000.00 - 3 x 333.33 = 0.01 unallocated.
    report = compute_campaign(records([campaign("Alice", "Bob", "Chloé", envelope="1000")]), NAME)
    assert report.dotation == D("333.33")
    assert report.unallocated == D("0.01")
    assert [m.dotation for m in report.members] == [D("333.33")] * 3
    # 2000 / 3 = 666.666... -> 666.66 (down, not 666.67); 2000.00 - 1999.98 = 0.02.
    report = compute_campaign(records([campaign("Alice", "Bob", "Chloé", envelope="2000")]), NAME)
    assert (report.dotation, report.unallocated) == (D("666.66"), D("0.02"))


def test_a_dotation_alone_makes_the_envelope_dotation_times_participants() -> None:
    # 4 x 150.00 = 600.00, nothing unallocated.
    report = compute_campaign(records([campaign("A", "B", "C", "D", dotation="150")]), NAME)
    assert (report.envelope, report.dotation, report.unallocated) == (
        D("600.00"),
        D("150.00"),
        D("0.00"),
    )


def test_dotations_above_the_envelope_give_a_warning_on_the_campaign() -> None:
    # 3 x 150.00 = 450.00 > 400.00: shown as -50.00 unallocated, with a warning.
    camp = campaign("A", "B", "C", envelope="400", dotation="150", line=7)
    report = compute_campaign(records([camp]), NAME)
    assert report.unallocated == D("-50.00")
    [problem] = report.problems
    assert (problem.source, problem.severity) == (Source(PAGE, 7), Severity.WARNING)
    assert "450,00\u00a0€" in problem.message and "400,00\u00a0€" in problem.message


def test_a_campaign_without_participants_warns_and_rejects_every_pledge() -> None:
    recs = records(
        [campaign(envelope="500")], [project("Four", "100", 1)], [pledge("Alice", "Four", "10", 1)]
    )
    report = compute_campaign(recs, NAME)
    assert report.members == []
    assert report.dotation == D("0.00") and report.unallocated == D("500.00")
    assert [p.state for p in report.pledges] == ["rejected"]
    severities = sorted((p.template, p.severity) for p in report.problems)
    assert severities == [("Cobudget", Severity.WARNING), ("Soutien cobudget", Severity.ERROR)]


def test_a_campaign_without_envelope_nor_dotation_warns() -> None:
    report = compute_campaign(records([campaign("Alice")]), NAME)
    assert (report.envelope, report.dotation) == (D("0.00"), D("0.00"))
    assert "ni enveloppe ni dotation" in messages(report)[0]


# --- which pledges count ------------------------------------------------------------------


def test_the_cap_per_project_is_summed_per_member_and_the_pledge_that_exceeds_it_is_rejected() -> (
    None
):
    # Cap 100: Alice 60 (counts, 60) then 50 (60 + 50 = 110 > 100: rejected) then 40
    # (60 + 40 = 100: counts). Her 70 on another project is capped separately.
    recs = records(
        [campaign("Alice", dotation="500", cap="100")],
        [project("Four", "1000", 1), project("Vélo", "1000", 2)],
        [
            pledge("Alice", "Four", "60", 10),
            pledge("Alice", "Four", "50", 11),
            pledge("Alice", "Four", "40", 12),
            pledge("Alice", "Vélo", "70", 13),
        ],
    )
    report = compute_campaign(recs, NAME)
    assert [p.state for p in report.pledges] == ["counted", "rejected", "counted", "counted"]
    assert totals(report, "Four").pledged == D("100")
    assert member(report, "Alice") == MemberTotals(
        "Alice", D("500.00"), D("170"), D("330.00"), False
    )
    [problem] = report.problems
    assert problem.source == Source("Soutiens", 11)
    assert "100,00\u00a0€" in problem.message  # the cap
    assert "déjà promis 60,00\u00a0€" in problem.message  # already pledged
    assert "réduisez-le à 40,00\u00a0€" in problem.message  # 100 - 60


def test_a_pledge_by_a_non_participant_is_rejected_with_a_suggestion() -> None:
    recs = records(
        [campaign("Alice Martin", "Bob", dotation="100")],
        [project("Four", "50", 1)],
        [pledge("Alice Martn", "Four", "20", 5)],
    )
    report = compute_campaign(recs, NAME)
    assert report.pledges == [
        CountedPledge(Source("Soutiens", 5), "Alice Martn", "Four", D("20"), "rejected")
    ]
    [problem] = report.problems
    assert problem.message.startswith(
        "« Alice Martn » ne participe pas à la campagne « Cobudget 2026 »"
        " — vouliez-vous dire « Alice Martin » ?"
    )
    assert totals(report, "Four").pledged == D("0.00")


def test_member_names_compare_as_mediawiki_user_names() -> None:
    # "alice_Martin" is "Alice Martin"; "Alice martin" is another user (only the 1st letter folds).
    recs = records(
        [campaign("Alice Martin", dotation="100")],
        [project("Four", "50", 1)],
        [pledge("alice_Martin", "Four", "20", 1), pledge("Alice martin", "Four", "5", 2)],
    )
    report = compute_campaign(recs, NAME)
    assert [(p.member, p.state) for p in report.pledges] == [
        ("Alice Martin", "counted"),
        ("Alice martin", "rejected"),
    ]
    assert member(report, "Alice Martin").pledged == D("20")


def test_a_pledge_to_an_unknown_project_is_rejected_with_a_suggestion() -> None:
    recs = records(
        [campaign("Alice", dotation="100")],
        [project("Jardin partagé", "50", 1)],
        [pledge("Alice", "Jardin partage", "20", 3)],
    )
    [problem] = compute_campaign(recs, NAME).problems
    assert problem.message.startswith(
        "projet inconnu « Jardin partage » — vouliez-vous dire « Jardin partagé » ?"
    )
    assert (problem.template, problem.severity) == ("Soutien cobudget", Severity.ERROR)


def test_projects_and_campaigns_match_case_insensitively_with_spaces_collapsed() -> None:
    recs = records(
        [campaign("Alice", dotation="100")],
        [project("Jardin partagé", "50", 1)],
        [pledge("Alice", "jardin  PARTAGÉ", "20", 3, name="cobudget   2026")],
    )
    report = compute_campaign(recs, "COBUDGET 2026")
    assert report.campagne == NAME
    assert report.pledges[0].project == "Jardin partagé" and report.pledges[0].state == "counted"


def test_a_pledge_to_a_cancelled_project_is_rejected() -> None:
    recs = records(
        [campaign("Alice", dotation="100")],
        [project("Four", "50", 1, status=ProjectStatus.CANCELLED)],
        [pledge("Alice", "Four", "20", 3)],
    )
    report = compute_campaign(recs, NAME)
    assert [p.state for p in report.pledges] == ["rejected"]
    assert messages(report)[0].startswith("projet annulé « Four »")
    assert totals(report, "Four").status == "cancelled" and totals(report, "Four").pledged == D(
        "0.00"
    )


def test_a_pledge_of_zero_is_rejected() -> None:
    recs = records(
        [campaign("Alice", dotation="100")],
        [project("Four", "50", 1)],
        [pledge("Alice", "Four", "0", 3)],
    )
    assert [p.state for p in compute_campaign(recs, NAME).pledges] == ["rejected"]


# --- suspension over the dotation ---------------------------------------------------------


def test_a_member_over_the_dotation_has_all_pledges_suspended_and_others_are_unaffected() -> None:
    # Dotation 100: Alice 60 + 50 = 110 > 100 -> both suspended, reduce by 10.
    # Bob 40 counts: Four has 40 from 1 supporter, Vélo has 0.
    recs = records(
        [campaign("Alice", "Bob", dotation="100")],
        [project("Four", "200", 1), project("Vélo", "200", 2)],
        [
            pledge("Alice", "Four", "60", 10),
            pledge("Alice", "Vélo", "50", 11),
            pledge("Bob", "Four", "40", 12),
        ],
    )
    report = compute_campaign(recs, NAME)
    assert member(report, "Alice") == MemberTotals(
        "Alice", D("100.00"), D("0.00"), D("100.00"), True, D("110")
    )
    assert member(report, "Bob") == MemberTotals("Bob", D("100.00"), D("40"), D("60.00"), False)
    assert [p.state for p in report.pledges] == ["suspended", "suspended", "counted"]
    assert (totals(report, "Four").pledged, totals(report, "Four").supporters) == (D("40"), 1)
    assert totals(report, "Vélo").pledged == D("0.00")
    assert [p.source.line for p in report.problems] == [10, 11]
    for problem in report.problems:
        assert "110,00\u00a0€" in problem.message and "100,00\u00a0€" in problem.message
        assert "réduisez-les de 10,00\u00a0€" in problem.message
        assert "rien n'est perdu" in problem.message


def test_pledging_exactly_the_dotation_is_not_suspended() -> None:
    recs = records(
        [campaign("Alice", dotation="100")],
        [project("Four", "200", 1)],
        [pledge("Alice", "Four", "70", 1), pledge("Alice", "Four", "30", 2)],
    )
    assert member(compute_campaign(recs, NAME), "Alice").remaining == D("0.00")


def test_a_rejected_pledge_does_not_count_towards_the_dotation() -> None:
    # Dotation 100, cap 80: 80 counts, 30 more would make 110 on the project -> rejected,
    # so Alice stays at 80 and is not suspended.
    recs = records(
        [campaign("Alice", dotation="100", cap="80")],
        [project("Four", "200", 1)],
        [pledge("Alice", "Four", "80", 1), pledge("Alice", "Four", "30", 2)],
    )
    assert member(compute_campaign(recs, NAME), "Alice").suspended is False


# --- project totals -----------------------------------------------------------------------


def test_a_project_is_funded_exactly_at_its_minimum_and_open_just_below() -> None:
    # Four: 60 + 40 = 100.00 = minimum -> funded; Vélo: 99.99 < 100 -> open.
    recs = records(
        [campaign("Alice", "Bob", dotation="200")],
        [project("Four", "100", 1), project("Vélo", "100", 2)],
        [
            pledge("Alice", "Four", "60", 1),
            pledge("Bob", "Four", "40", 2),
            pledge("Alice", "Vélo", "99.99", 3),
        ],
    )
    report = compute_campaign(recs, NAME)
    assert (totals(report, "Four").status, totals(report, "Four").pledged) == ("funded", D("100"))
    assert (totals(report, "Vélo").status, totals(report, "Vélo").pledged) == ("open", D("99.99"))


def test_pledges_above_the_maximum_are_reported_as_excess_with_a_warning() -> None:
    # Maximum 150: 100 + 80 = 180 -> excess 30.00.
    recs = records(
        [campaign("Alice", "Bob", dotation="200")],
        [project("Four", "100", 4, maximum="150")],
        [pledge("Alice", "Four", "100", 1), pledge("Bob", "Four", "80", 2)],
    )
    report = compute_campaign(recs, NAME)
    assert totals(report, "Four").excess == D("30")
    [problem] = report.problems
    assert (problem.source, problem.severity) == (Source("Projets", 4), Severity.WARNING)
    assert "dépasse le maximum de 150,00\u00a0€" in problem.message


def test_a_maximum_below_the_minimum_is_an_error_and_is_ignored() -> None:
    recs = records(
        [campaign("Alice", dotation="200")],
        [project("Four", "100", 4, maximum="50")],
        [pledge("Alice", "Four", "120", 1)],
    )
    report = compute_campaign(recs, NAME)
    four = totals(report, "Four")
    assert (four.maximum, four.excess, four.status) == (None, D("0.00"), "funded")
    assert [p.severity for p in report.problems] == [Severity.ERROR]
    assert "le maximum est ignoré" in report.problems[0].message


def test_done_and_cancelled_projects_take_their_status_from_the_statut() -> None:
    # A réalisé project still receives pledges (counted), but shows as done even below minimum.
    recs = records(
        [campaign("Alice", dotation="200")],
        [
            project("Fini", "100", 1, status=ProjectStatus.DONE),
            project("Abandon", "100", 2, status=ProjectStatus.CANCELLED),
        ],
        [pledge("Alice", "Fini", "10", 1)],
    )
    report = compute_campaign(recs, NAME)
    assert (totals(report, "Fini").status, totals(report, "Fini").pledged) == ("done", D("10"))
    assert totals(report, "Abandon").status == "cancelled"


def test_supporters_counts_distinct_members() -> None:
    # Alice 20 + 30 and Bob 10: 60.00 from 2 supporters.
    recs = records(
        [campaign("Alice", "Bob", "Chloé", dotation="100")],
        [project("Four", "500", 1)],
        [
            pledge("Alice", "Four", "20", 1),
            pledge("Alice", "Four", "30", 2),
            pledge("Bob", "Four", "10", 3),
        ],
    )
    four = totals(compute_campaign(recs, NAME), "Four")
    assert (four.pledged, four.supporters) == (D("60"), 2)


def test_projects_are_sorted_funded_open_done_cancelled_then_by_title() -> None:
    recs = records(
        [campaign("Alice", dotation="200")],
        [
            project("Zinc", "0", 1, status=ProjectStatus.CANCELLED),
            project("Été", "0", 2, status=ProjectStatus.DONE),
            project("Vélo", "50", 3),
            project("Atelier", "50", 4),
            project("Four", "0", 5),
            project("Bibliothèque", "10", 6),
        ],
        [pledge("Alice", "Bibliothèque", "10", 1)],
    )
    report = compute_campaign(recs, NAME)
    assert [(p.title, p.status) for p in report.projects] == [
        ("Bibliothèque", "funded"),
        ("Four", "funded"),  # a minimum of 0 is reached with nothing pledged
        ("Atelier", "open"),
        ("Vélo", "open"),
        ("Été", "done"),
        ("Zinc", "cancelled"),
    ]


def test_a_project_without_pledges_is_listed_open_with_its_source() -> None:
    recs = records(
        [campaign("Alice", dotation="100")], [project("Four", "50", 9, page="Projets/Four")]
    )
    four = compute_campaign(recs, NAME).projects[0]
    assert (four.status, four.pledged, four.supporters, four.page, four.line) == (
        "open",
        D("0.00"),
        0,
        "Projets/Four",
        9,
    )


def test_every_participant_is_listed_sorted_by_name_even_without_pledges() -> None:
    report = compute_campaign(
        records([campaign("Chloé", "alice", "Bob", "Alice", dotation="50")]), NAME
    )
    assert report.members == [
        MemberTotals("Alice", D("50.00"), D("0.00"), D("50.00"), False),
        MemberTotals("Bob", D("50.00"), D("0.00"), D("50.00"), False),
        MemberTotals("Chloé", D("50.00"), D("0.00"), D("50.00"), False),
    ]


def test_dates_cap_and_page_are_copied_from_the_campaign() -> None:
    camp = replace(
        campaign("Alice", dotation="50", cap="20", page="Cobudget 2026/Règles"),
        opening=datetime.date(2026, 3, 1),
        closing=datetime.date(2026, 4, 30),
    )
    report = compute_campaign(records([camp]), NAME)
    assert (report.opening, report.closing, report.project_cap, report.page) == (
        datetime.date(2026, 3, 1),
        datetime.date(2026, 4, 30),
        D("20"),
        "Cobudget 2026/Règles",
    )


# --- duplicates, unknown campaigns, checks ------------------------------------------------


def test_the_first_campaign_of_a_name_wins_and_a_duplicate_is_an_error() -> None:
    first = campaign("Alice", dotation="100", page="A", line=3)
    second = campaign("Bob", dotation="999", page="B", line=1, name="cobudget  2026")
    report = compute_campaign(records([second, first]), NAME)
    assert report.dotation == D("100.00") and [m.name for m in report.members] == ["Alice"]
    [problem] = report.problems
    assert (problem.source, problem.template, problem.severity) == (
        Source("B", 1),
        "Cobudget",
        Severity.ERROR,
    )
    assert "A:3" in problem.message
    assert campaign_names(records([second, first])) == [NAME]


def test_a_duplicate_project_title_is_an_error_and_pledges_go_to_the_first() -> None:
    recs = records(
        [campaign("Alice", dotation="100")],
        [project("Four", "50", 1), project("four", "10", 2)],
        [pledge("Alice", "Four", "20", 1)],
    )
    report = compute_campaign(recs, NAME)
    assert [(p.title, p.minimum, p.pledged) for p in report.projects] == [
        ("Four", D("50"), D("20"))
    ]
    [problem] = report.problems
    assert (problem.source, problem.template) == (Source("Projets", 2), "Projet cobudget")


def test_a_reference_to_an_unknown_campaign_is_an_error_shown_on_the_nearest_campaign() -> None:
    recs = records(
        [campaign("Alice", dotation="100"), campaign("Bob", name="Autre", dotation="10")],
        [project("Four", "50", 1, name="Cobudget 2025")],
        [pledge("Alice", "Four", "20", 1, name="Cobudget 2025")],
    )
    expected = "campagne inconnue « Cobudget 2025 » — vouliez-vous dire « Cobudget 2026 » ?"
    report = compute_campaign(recs, NAME)
    assert [(p.template, p.message) for p in report.problems] == [
        ("Projet cobudget", expected),
        ("Soutien cobudget", expected),
    ]
    assert compute_campaign(recs, "Autre").problems == []
    assert [p.message for p in check_campaigns(recs)] == [expected, expected]


def test_check_campaigns_lists_the_problems_of_every_campaign_once_and_sorted() -> None:
    recs = records(
        [
            campaign("Alice", dotation="10", page="P", line=1),
            campaign(name="Vide", page="P", line=2),
        ],
        [project("Four", "50", 1)],
        [pledge("Alice", "Four", "20", 1), pledge("Alice", "Four", "5", 2, name="Inexistante")],
    )
    problems = check_campaigns(recs)
    assert [(p.source.page, p.source.line, p.template) for p in problems] == [
        ("P", 2, "Cobudget"),  # Vide: no participants
        ("P", 2, "Cobudget"),  # Vide: neither envelope nor dotation
        ("Soutiens", 1, "Soutien cobudget"),  # Alice 20 > 10: suspended
        ("Soutiens", 2, "Soutien cobudget"),  # unknown campaign
    ]
    assert all(isinstance(p, Problem) for p in problems)


def test_compute_campaigns_gives_each_campaign_with_its_related_problems_and_all_once() -> None:
    # A duplicate {{Cobudget}} and a reference to the near miss « Cobudget 2025 » concern
    # Cobudget 2026; a reference to « Inconnue » concerns no campaign but is listed once.
    recs = records(
        [
            campaign("Alice", dotation="100", line=1),
            campaign("Bob", name="Autre", dotation="10", line=2),
            campaign("Chloé", dotation="5", page="Doublon", line=1),
        ],
        [project("Four", "50", 1), project("Four", "50", 2, name="Cobudget 2025")],
        [
            pledge("Alice", "Four", "20", 1),
            pledge("Alice", "Four", "20", 2, name="Cobudget 2025"),
            pledge("Bob", "Four", "1", 3, name="Inconnue"),
        ],
    )

    reports, problems = compute_campaigns(recs)

    assert list(reports) == ["Autre", NAME]
    for name, report in reports.items():
        assert report == compute_campaign(recs, name)
    assert [p.source.page for p in reports[NAME].problems] == ["Doublon", "Projets", "Soutiens"]
    assert reports["Autre"].problems == []
    assert problems == check_campaigns(recs)
    assert [(p.source.page, p.source.line) for p in problems] == [
        ("Doublon", 1),
        ("Projets", 2),
        ("Soutiens", 2),
        ("Soutiens", 3),
    ]


def test_asking_for_an_undeclared_campaign_raises_unknown_campaign() -> None:
    with pytest.raises(UnknownCampaign) as raised:
        compute_campaign(records([campaign("Alice", dotation="1")]), "Cobudget 2062")
    assert isinstance(raised.value, KeyError)
    assert (
        str(raised.value)
        == "campagne inconnue « Cobudget 2062 » — vouliez-vous dire « Cobudget 2026 » ?"
    )


def test_campaign_names_are_sorted_ignoring_accents() -> None:
    recs = records([campaign(name="Zéro"), campaign(name="Été"), campaign(name="Automne")])
    assert campaign_names(recs) == ["Automne", "Été", "Zéro"]


# --- determinism and formatting -----------------------------------------------------------


def test_the_report_does_not_depend_on_the_order_of_the_records() -> None:
    # Cap 50. Alice's pledges to Four are taken by page, then line, then amount on a tie:
    # A:5 25 (25), A:5 30 (55 > 50: rejected), B:1 5 (30), whatever order they were read in.
    recs = records(
        [campaign("Alice", "Bob", "Chloé", envelope="1000", cap="50"), campaign(name="Autre")],
        [
            project("Four", "60", 1),
            project("Vélo", "100", 2, maximum="120"),
            project("Four", "1", 3),
        ],
        [
            pledge("Alice", "Four", "5", 1, page="B"),
            pledge("Alice", "Four", "30", 5, page="A"),
            pledge("Alice", "Four", "25", 5, page="A"),
            pledge("Bob", "Four", "30", 1, page="C"),
            pledge("Bob", "Vélo", "50", 2, page="C"),
            pledge("Chloé", "Vélo", "50", 3, page="C"),
            pledge("Alice", "Vélo", "30", 4, page="C"),
            pledge("Dan", "Vélo", "1", 5, page="C"),
        ],
    )
    expected = compute_campaign(recs, NAME)
    assert [(p.source.page, p.amount, p.state) for p in expected.pledges][:3] == [
        ("A", D("25"), "counted"),
        ("A", D("30"), "rejected"),
        ("B", D("5"), "counted"),
    ]
    assert totals(expected, "Vélo").excess == D("10")  # 50 + 50 + 30 = 130 - 120
    shuffler = random.Random(2026)
    for _ in range(20):
        shuffled = records(
            shuffler.sample(recs.campaigns, len(recs.campaigns)),
            shuffler.sample(recs.projects, len(recs.projects)),
            shuffler.sample(recs.pledges, len(recs.pledges)),
        )
        assert compute_campaign(shuffled, NAME) == expected
        assert check_campaigns(shuffled) == check_campaigns(recs)


def test_amounts_in_messages_are_written_the_french_way() -> None:
    assert euros(D("1200.5")) == "1\u00a0200,50\u00a0€"
    assert euros(D("-50")) == "\u221250,00\u00a0€"  # the pages' real minus
