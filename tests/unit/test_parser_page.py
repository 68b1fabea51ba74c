"""One page -> records and problems: each template kind, loose parameter names, each problem."""

from __future__ import annotations

import datetime
import tomllib
from decimal import Decimal
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.record import (
    Campaign,
    Circle,
    CircleState,
    Contribution,
    ContributionStatus,
    Envelope,
    Pledge,
    Problem,
    Project,
    ProjectStatus,
    Records,
    Severity,
    Source,
    StatementRequest,
)
from parsers.page import parse_page

SEED = Path(__file__).parent.parent.parent / "devwiki" / "seed"
PAGE = "Utilisateur:Alice Martin/Contributions 2026"
ALICE = "contributeur=Alice Martin|cercle=Numérique|date=2026-01-05"


def only_problem(text: str, title: str = PAGE) -> Problem:
    records, problems = parse_page(title, text)
    assert records.count() == 0
    assert len(problems) == 1, problems
    return problems[0]


def test_a_circle_is_read_with_its_referents_channel_and_state() -> None:
    text = (
        "{{Cercle|nom=Numérique|référents=[[Utilisateur:Alice Martin|Alice]], david_nguyen"
        "|canal=#numerique|état=en sommeil}}"
    )
    records, problems = parse_page("Cercle Numérique", text)
    assert records.circles == [
        Circle(
            "Numérique",
            Source("Cercle Numérique", 1),
            referents=("Alice Martin", "David nguyen"),
            channel="#numerique",
            state=CircleState.DORMANT,
        )
    ]
    assert problems == []


def test_an_envelope_is_read_with_its_year_amount_and_hourly_ceiling() -> None:
    text = "{{Enveloppe cercle|cercle=Numérique|année=2026|montant=4 000 €|taux horaire=35}}"
    records, problems = parse_page("Cercle Numérique", text)
    assert records.envelopes == [
        Envelope(
            "Numérique",
            2026,
            Decimal("4000.00"),
            Source("Cercle Numérique", 1),
            hourly_rate=Decimal("35.00"),
        )
    ]
    assert problems == []


def test_a_contribution_is_read_with_every_field() -> None:
    text = (
        "{{Contribution|contributeur=[[Utilisateur:David Nguyen|David]]|cercle=Numérique"
        "|date=1er mars 2026|heures=3 h 30|montant=1 200,50 €|mission=Support aux membres"
        "|statut=versée}}"
    )
    records, problems = parse_page(PAGE, text)
    assert records.contributions == [
        Contribution(
            "David Nguyen",
            "Numérique",
            datetime.date(2026, 3, 1),
            Source(PAGE, 1),
            hours=Decimal("3.50"),
            amount=Decimal("1200.50"),
            mission="Support aux membres",
            status=ContributionStatus.PAID,
        )
    ]
    assert problems == []


def test_a_contribution_without_statut_is_declared_and_without_montant_has_no_amount() -> None:
    records, _ = parse_page(PAGE, f"{{{{Contribution|{ALICE}|heures=2}}}}")
    (contribution,) = records.contributions
    assert contribution.status == ContributionStatus.DECLARED
    assert contribution.hours == Decimal("2.00")
    assert contribution.amount is None
    assert contribution.mission == ""


def test_a_campaign_is_read_with_participants_dates_and_cap() -> None:
    text = (
        "{{Cobudget|campagne=2026|enveloppe=10 000 €|participants=Alice Martin, "
        "[[Utilisateur:Bruno Lefèvre|Bruno]]|ouverture=1er octobre 2026"
        "|clôture=15/12/2026|plafond par projet=600}}"
    )
    records, problems = parse_page("Cobudget 2026", text)
    assert records.campaigns == [
        Campaign(
            "2026",
            Source("Cobudget 2026", 1),
            envelope=Decimal("10000.00"),
            participants=("Alice Martin", "Bruno Lefèvre"),
            opening=datetime.date(2026, 10, 1),
            closing=datetime.date(2026, 12, 15),
            project_cap=Decimal("600.00"),
        )
    ]
    assert problems == []


def test_a_project_is_read_with_its_bounds_holders_and_status() -> None:
    text = (
        "{{Projet cobudget|campagne=2026|titre=Vélo cargo partagé|minimum=900|maximum=1 400 €"
        "|porteurs={{u|Camille Durand}}|transversal=oui|statut=annulé}}"
    )
    title = "Cobudget 2026/Projet Vélo cargo"
    records, problems = parse_page(title, text)
    assert records.projects == [
        Project(
            "2026",
            "Vélo cargo partagé",
            Decimal("900.00"),
            Source(title, 1),
            maximum=Decimal("1400.00"),
            holders=("Camille Durand",),
            cross_cutting=True,
            status=ProjectStatus.CANCELLED,
        )
    ]
    assert problems == []


def test_a_pledge_is_read_with_its_member_and_amount() -> None:
    text = (
        "{{Soutien cobudget|campagne=2026|projet=Vélo cargo partagé"
        "|membre=[[User:Alice_Martin]]|montant=150,50 €}}"
    )
    records, problems = parse_page(PAGE, text)
    assert records.pledges == [
        Pledge("2026", "Vélo cargo partagé", "Alice Martin", Decimal("150.50"), Source(PAGE, 1))
    ]
    assert problems == []


def test_a_statement_on_a_user_page_names_the_owner_of_the_page() -> None:
    records, problems = parse_page("Utilisateur:alice_martin/Relevé", "Mon relevé :\n{{Relevé}}")
    assert records.statements == [
        StatementRequest("Alice martin", Source("Utilisateur:alice_martin/Relevé", 2))
    ]
    assert problems == []


def test_parameter_names_ignore_accents_case_and_underscores() -> None:
    text = (
        "{{Enveloppe cercle|CERCLE=Numérique|an_née=2026|Montant=4 000|Taux_Horaire=30}}\n"
        "{{Enveloppe cercle|cercle=Numérique|annee=2025|montant=3 500|tauxhoraire=30}}\n"
        "{{Cobudget|Campagne=2026|dotation=500|cloture=15/12/2026|plafond_par_projet=600}}"
    )
    records, problems = parse_page("P", text)
    assert [(e.year, e.amount, e.hourly_rate) for e in records.envelopes] == [
        (2026, Decimal("4000.00"), Decimal("30.00")),
        (2025, Decimal("3500.00"), Decimal("30.00")),
    ]
    assert [(c.closing, c.project_cap) for c in records.campaigns] == [
        (datetime.date(2026, 12, 15), Decimal("600.00"))
    ]
    assert problems == []


def test_an_unknown_parameter_is_a_warning_with_a_suggestion_and_the_call_still_counts() -> None:
    records, problems = parse_page(PAGE, f"{{{{Contribution|{ALICE}|heures=2|missoin=Accueil}}}}")
    assert len(records.contributions) == 1
    assert [(p.source, p.template, p.severity) for p in problems] == [
        (Source(PAGE, 1), "Contribution", Severity.WARNING)
    ]
    assert problems[0].message.startswith(
        "paramètre inconnu « missoin » — vouliez-vous dire « mission » ?"
    )


def test_a_misspelt_heures_leaves_neither_heures_nor_montant_which_is_an_error() -> None:
    records, problems = parse_page(PAGE, f"{{{{Contribution|{ALICE}|heurs=2}}}}")
    assert records.count() == 0
    assert [p.severity for p in problems] == [Severity.WARNING, Severity.ERROR]
    assert problems[0].message.startswith(
        "paramètre inconnu « heurs » — vouliez-vous dire « heures » ?"
    )
    assert problems[1].message == "heures ou montant manquant : ajoutez heures=3,5 ou montant=120 €"


def test_a_duplicated_parameter_keeps_the_last_value_with_a_warning_on_the_first() -> None:
    text = f"{{{{Contribution|{ALICE}|heures=2|mission=Trésorerie\n|mission=Suivi de trésorerie}}}}"
    records, problems = parse_page(PAGE, text)
    assert [c.mission for c in records.contributions] == ["Suivi de trésorerie"]
    assert problems == [
        Problem(
            Source(PAGE, 1),
            "Contribution",
            Severity.WARNING,
            "paramètre « mission » en double : la valeur « Trésorerie » est ignorée, "
            "seule la dernière compte ; supprimez l'une des deux",
        )
    ]


def test_a_parameter_repeated_in_another_spelling_is_a_duplicate_too() -> None:
    text = f"{{{{Contribution|{ALICE}|heures=2|Heures=3}}}}"
    records, problems = parse_page(PAGE, text)
    assert [c.hours for c in records.contributions] == [Decimal("3.00")]
    assert [p.severity for p in problems] == [Severity.WARNING]
    assert "en double" in problems[0].message


def test_a_missing_required_parameter_is_an_error_that_says_what_to_add() -> None:
    problem = only_problem("{{Contribution|contributeur=Alice Martin|cercle=Numérique|heures=2}}")
    assert problem == Problem(
        Source(PAGE, 1), "Contribution", Severity.ERROR, "date manquante : ajoutez date=12/03/2026"
    )


def test_an_empty_required_parameter_is_an_error_like_a_missing_one() -> None:
    problem = only_problem(
        "{{Soutien cobudget|campagne=2026|projet=Vélo cargo partagé|membre=|montant=10}}"
    )
    assert problem.severity == Severity.ERROR
    assert problem.template == "Soutien cobudget"
    assert problem.message == "membre manquant : ajoutez membre=Alice Martin"


def test_a_contribution_with_neither_heures_nor_montant_is_an_error() -> None:
    problem = only_problem(f"{{{{Contribution|{ALICE}|heures=|montant=|mission=Accueil}}}}")
    assert problem.severity == Severity.ERROR
    assert problem.message == "heures ou montant manquant : ajoutez heures=3,5 ou montant=120 €"


def test_an_unreadable_value_is_an_error_naming_the_parameter_and_the_value() -> None:
    problem = only_problem(
        "{{Contribution|contributeur=Alice Martin|cercle=Numérique|date=31/02/2026|heures=2}}"
    )
    assert problem.severity == Severity.ERROR
    assert problem.message.startswith("date impossible « 31/02/2026 »")


def test_every_unreadable_value_of_a_call_is_reported_not_only_the_first() -> None:
    text = "{{Contribution|contributeur=Alice Martin|cercle=Numérique|date=hier|heures=beaucoup}}"
    _, problems = parse_page(PAGE, text)
    assert [p.message.split(" ")[0] for p in problems] == ["date", "heures"]
    assert all(p.severity == Severity.ERROR for p in problems)


def test_a_statement_outside_a_user_page_is_an_error_that_says_where_to_put_it() -> None:
    problem = only_problem("{{Relevé}}", title="Contribution-rétribution")
    assert problem == Problem(
        Source("Contribution-rétribution", 1),
        "Relevé",
        Severity.ERROR,
        "le modèle Relevé ne sert que sur votre propre page utilisateur : déplacez-le sur "
        "Utilisateur:Votre Nom ou une de ses sous-pages (par exemple Utilisateur:Votre Nom/Relevé)",
    )


def test_a_statement_on_a_user_talk_page_is_not_on_a_user_page() -> None:
    records, problems = parse_page("Discussion utilisateur:Alice Martin", "{{Relevé}}")
    assert records.statements == []
    assert [p.severity for p in problems] == [Severity.ERROR]


def test_a_value_without_a_parameter_name_is_a_warning() -> None:
    records, problems = parse_page(PAGE, f"{{{{Contribution|{ALICE}|heures=2|Accueil}}}}")
    assert len(records.contributions) == 1
    assert [p.severity for p in problems] == [Severity.WARNING]
    assert "« Accueil »" in problems[0].message


def test_problems_name_the_template_as_configured_even_through_a_redirect() -> None:
    _, problems = parse_page(
        PAGE, f"{{{{Déclaration|{ALICE}}}}}", aliases={"Déclaration": "Contribution"}
    )
    assert [(p.template, p.severity) for p in problems] == [("Contribution", Severity.ERROR)]


def seed_pages() -> list[tuple[str, str]]:
    pages = tomllib.loads((SEED / "pages.toml").read_text(encoding="utf-8"))["page"]
    return [(p["title"], (SEED / p["file"]).read_text(encoding="utf-8")) for p in pages]


def test_the_seed_pages_give_the_records_and_problems_expected_md_worked_out_by_hand() -> None:
    records, problems = Records(), []
    for title, text in seed_pages():
        page_records, page_problems = parse_page(
            title, text, aliases={"Déclaration": "Contribution"}
        )
        records.extend(page_records)
        problems.extend(page_problems)
    # 5 circles, 6 envelopes, 44 declarations of which 4 are unreadable, 12 projects, 40 pledges.
    counts = (
        len(records.circles),
        len(records.envelopes),
        len(records.contributions),
        len(records.campaigns),
        len(records.projects),
        len(records.pledges),
        len(records.statements),
    )
    assert counts == (5, 6, 40, 1, 12, 40, 1)
    assert [(p.source.page, p.source.line, p.severity) for p in problems] == [
        ("Contribution-rétribution/Déclarations 2026", 13, Severity.ERROR),
        ("Utilisateur:Bruno Lefèvre/Contributions 2026", 10, Severity.ERROR),
        ("Utilisateur:Bruno Lefèvre/Contributions 2026", 12, Severity.WARNING),
        ("Utilisateur:Camille Durand/Contributions 2026", 9, Severity.WARNING),
        ("Utilisateur:Camille Durand/Contributions 2026", 9, Severity.ERROR),
        ("Utilisateur:Élodie Fontaine/Contributions 2026", 5, Severity.ERROR),
    ]
    relevé = Source("Utilisateur:Alice Martin/Relevé", 3)
    assert records.statements == [StatementRequest("Alice Martin", relevé)]


# Calls for the property test: (wikitext, counts?) for contributions and pledges.
CONTRIBUTIONS = [
    (f"{{{{Contribution|{ALICE}|heures=2}}}}", True),
    (f"{{{{contribution|{ALICE}|montant=1 200,50 €|statut=validée}}}}", True),
    (f"{{{{Modèle:Contribution|{ALICE}|heures=3h30|mission=a|mission=b}}}}", True),
    (f"{{{{Contribution|{ALICE}|heures=2|inconnu=1}}}}", True),
    (f"{{{{Contribution|{ALICE}|heures=2|sans nom}}}}", True),
    ("{{Contribution|contributeur=Alice Martin|cercle=Numérique|heures=2}}", False),
    ("{{Contribution|contributeur=Alice Martin|cercle=Numérique|date=31/02/2026|heures=2}}", False),
    (f"{{{{Contribution|{ALICE}|montant=12,3,4}}}}", False),
    (f"{{{{Contribution|{ALICE}|heurs=2}}}}", False),
    (f"{{{{Contribution|{ALICE}|heures=2|statut=en cours}}}}", False),
    ("{{Contribution|contributeur=|cercle=Numérique|date=2026-01-05|heures=2}}", False),
    (f"{{{{Contribution|{ALICE}|heures=-2}}}}", False),
    ("{{Contribution}}", False),
]
PLEDGES = [
    ("{{Soutien cobudget|campagne=2026|projet=Vélo|membre=Alice Martin|montant=100}}", True),
    ("{{Soutien_cobudget|campagne=2026|projet=Vélo|membre={{u|Bob}}|montant=1,5}}", True),
    ("{{Soutien cobudget|campagne=2026|projet=Vélo|membre=Alice Martin}}", False),
    ("{{Soutien cobudget|campagne=2026|projet=Vélo|membre=Alice|montant=cent}}", False),
    ("{{Soutien cobudget|campagne=2026|projet=|membre=Alice|montant=100}}", False),
]
NOISE = ["", "Texte libre.", "== Titre ==", "* ", "{{Boîte|a=1}}", "<!-- note -->", "[[Lien]]"]


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(NOISE),
            st.one_of(
                st.sampled_from(CONTRIBUTIONS).map(lambda c: ("contribution", *c)),
                st.sampled_from(PLEDGES).map(lambda c: ("pledge", *c)),
            ),
        ),
        max_size=25,
    )
)
def test_every_call_of_ours_becomes_a_record_or_an_error_never_both_never_neither(
    lines: list[tuple[str, tuple[str, str, bool]]],
) -> None:
    text = "\n".join(f"{noise} {call}" for noise, (_, call, _) in lines)
    records, problems = parse_page(PAGE, text)
    error_lines = {p.source.line for p in problems if p.severity == Severity.ERROR}
    for kind, found in (("contribution", records.contributions), ("pledge", records.pledges)):
        calls = [(n, ok) for n, (_, (k, _, ok)) in enumerate(lines, start=1) if k == kind]
        record_lines = [r.source.line for r in found]
        failed = {n for n, _ in calls} & error_lines
        assert len(found) + len(failed) == len(calls)
        assert sorted(record_lines) == [n for n, ok in calls if ok]
        assert sorted(failed) == [n for n, ok in calls if not ok]
