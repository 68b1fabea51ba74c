"""A page's wikitext -> records and problems: every call is a record or an error, with its line."""

from __future__ import annotations

import datetime
import time
import tomllib
from decimal import Decimal
from pathlib import Path

import pytest
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
from parsers.page import TemplateNames, parse_page

PAGES = Path(__file__).parents[1] / "pages"
ERROR, WARNING = Severity.ERROR, Severity.WARNING
DAY = "date=12/03/2026"


def page(name: str) -> str:
    return (PAGES / name).read_text(encoding="utf-8")


def parse(text: str, title: str = "Essai") -> tuple[Records, list[Problem]]:
    return parse_page(title, text)


def problems_of(text: str, title: str = "Essai") -> list[tuple[int, Severity, str]]:
    return [(p.source.line, p.severity, p.message) for p in parse(text, title)[1]]


def only_problem(text: str) -> tuple[Severity, str]:
    [(_, severity, message)] = problems_of(text)
    return severity, message


def contribution(params: str) -> str:
    return "{{Contribution|contributeur=Alice Martin|cercle=Numérique|" + params + "}}"


# --- Realistic pages ----------------------------------------------------------------------------


def test_a_circle_page_gives_its_circle_envelopes_and_declarations_with_their_lines() -> None:
    records, problems = parse(page("cercle-numerique.wiki"), "Cercle Numérique")
    source = Source("Cercle Numérique", 1)
    [circle] = records.circles
    assert (circle.name, circle.source, circle.state) == ("Numérique", source, CircleState.ACTIVE)
    assert circle.referents == ("Alice Martin", "David Nguyen")
    assert circle.channel == "[https://chat.opteos.coop/numerique #numerique]"
    assert [(e.year, e.amount, e.hourly_rate, e.source.line) for e in records.envelopes] == [
        (2026, Decimal("4000.00"), Decimal("30.00"), 10),
        (2025, Decimal("3500.00"), None, 11),
    ]
    assert [
        (c.source.line, c.contributor, c.date, c.hours, c.amount, c.status)
        for c in records.contributions
    ] == [
        (24, "Alice Martin", datetime.date(2026, 1, 15), Decimal("12.00"), None, "versée"),
        (26, "Julien Roux", datetime.date(2026, 4, 15), Decimal("0.75"), None, "bénévole"),
        (35, "Karim Haddad", datetime.date(2026, 4, 2), None, Decimal("1200.50"), "déclarée"),
        (53, "Alice Martin", datetime.date(2026, 9, 3), None, Decimal("980.00"), "déclarée"),
    ]
    assert records.contributions[1].mission == "Formation « ''Nextcloud'' » pour les nouveaux"
    assert records.contributions[2].mission == "Installation de Nextcloud et des sauvegardes"
    assert [(p.source.line, p.severity, p.template, p.message) for p in problems] == [
        (
            35,
            WARNING,
            "Contribution",
            "paramètre « mission » en double : la valeur « Installation de [[Nextcloud]] » est "
            "ignorée, seule la dernière compte ; supprimez l'une des deux",
        ),
        (
            41,
            ERROR,
            "Contribution",
            "date impossible « 31/02/2026 » : ce jour n'existe pas ; "
            "écrivez par exemple 12/03/2026 ou 12 mars 2026",
        ),
        (
            42,
            WARNING,
            "Contribution",
            "paramètre inconnu « heurs » — vouliez-vous dire « heures » ?",
        ),
        (
            42,
            ERROR,
            "Contribution",
            "heures ou montant manquant : ajoutez heures=3,5 ou montant=120 €",
        ),
    ]


def test_a_cobudget_page_gives_its_campaign_projects_and_pledges() -> None:
    records, problems = parse(page("cobudget-2026.wiki"), "Cobudget 2026")
    [campaign] = records.campaigns
    assert (campaign.name, campaign.source.line, campaign.envelope, campaign.dotation) == (
        "2026",
        2,
        Decimal("10000.00"),
        None,
    )
    assert campaign.participants == (
        "Alice Martin",
        "Bruno Lefèvre",
        "Camille Durand",
        "David Nguyen",
    )
    assert (campaign.opening, campaign.closing, campaign.project_cap) == (
        datetime.date(2026, 3, 1),
        datetime.date(2026, 3, 31),
        Decimal("600.00"),
    )
    assert [
        (p.title, p.minimum, p.maximum, p.cross_cutting, p.holders) for p in records.projects
    ] == [
        ("Vélo cargo partagé", Decimal("900.00"), Decimal("1400.00"), False, ("Bruno Lefèvre",)),
        (
            "Hébergement libre de nos outils",
            Decimal("1000.00"),
            Decimal("1400.00"),
            True,
            ("Alice Martin", "Camille Durand"),
        ),
    ]
    assert [(p.project, p.member, p.amount, p.source.line) for p in records.pledges] == [
        ("Vélo cargo partagé", "Alice Martin", Decimal("200.00"), 18),
        ("Vélo cargo partagé", "Camille Durand", Decimal("150.00"), 19),
    ]
    assert [(p.source.line, p.severity, p.template, p.message) for p in problems] == [
        (
            15,
            ERROR,
            "Projet cobudget",
            "maximum « 500 » inférieur au minimum « 700 » : corrigez l'un des deux",
        ),
        (
            20,
            ERROR,
            "Soutien cobudget",
            "montant illisible « -50 » : un montant ne peut pas être négatif",
        ),
        (21, WARNING, "Soutien cobudget", "paramètre inconnu « commentaire »"),
        (21, ERROR, "Soutien cobudget", "membre manquant : ajoutez membre=Alice Martin"),
    ]


@pytest.mark.parametrize(
    "title",
    [
        "Utilisateur:Alice Martin/Relevé",
        "Utilisateur:Alice Martin",
        "Utilisatrice:Alice_Martin/Relevé/2026",
        "User:alice Martin",
    ],
)
def test_a_statement_request_belongs_to_the_owner_of_the_user_page(title: str) -> None:
    records, problems = parse(page("alice-releve.wiki"), title)
    assert [(s.member, s.source) for s in records.statements] == [
        ("Alice Martin", Source(title, 3))
    ]
    assert problems == []


@pytest.mark.parametrize(
    "title", ["Relevé", "Contribution-rétribution/Relevé", "Discussion utilisateur:Alice Martin"]
)
def test_a_statement_request_elsewhere_says_where_to_put_it(title: str) -> None:
    records, problems = parse(page("alice-releve.wiki"), title)
    assert records.statements == []
    assert [(p.source.line, p.severity, p.message) for p in problems] == [
        (
            3,
            ERROR,
            "le modèle Relevé ne sert que sur votre propre page utilisateur : déplacez-le sur "
            "Utilisateur:Votre Nom ou une de ses sous-pages "
            "(par exemple Utilisateur:Votre Nom/Relevé)",
        )
    ]


# --- Required parameters ------------------------------------------------------------------------

COMPLETE = {
    "Cercle": "nom=Numérique",
    "Enveloppe cercle": "cercle=Numérique|année=2026|montant=4000",
    "Contribution": f"contributeur=Alice|cercle=Numérique|{DAY}|heures=2",
    "Cobudget": "campagne=2026|enveloppe=10000",
    "Projet cobudget": "campagne=2026|titre=Vélo|minimum=900",
    "Soutien cobudget": "campagne=2026|projet=Vélo|membre=Alice|montant=100",
}


@pytest.mark.parametrize("template", COMPLETE)
def test_a_complete_call_of_each_template_is_one_record_and_no_problem(template: str) -> None:
    records, problems = parse("{{" + template + "|" + COMPLETE[template] + "}}")
    assert (records.count(), problems) == (1, [])


@pytest.mark.parametrize(
    ("template", "dropped", "expected"),
    [
        ("Cercle", "nom", "nom manquant : ajoutez nom=Numérique"),
        ("Enveloppe cercle", "cercle", "cercle manquant : ajoutez cercle=Numérique"),
        ("Enveloppe cercle", "année", "année manquante : ajoutez année=2026"),
        ("Enveloppe cercle", "montant", "montant manquant : ajoutez montant=10 000 €"),
        (
            "Contribution",
            "contributeur",
            "contributeur manquant : ajoutez contributeur=Alice Martin",
        ),
        ("Contribution", "cercle", "cercle manquant : ajoutez cercle=Numérique"),
        ("Contribution", "date", "date manquante : ajoutez date=12/03/2026"),
        ("Cobudget", "campagne", "campagne manquante : ajoutez campagne=2026"),
        ("Projet cobudget", "titre", "titre manquant : ajoutez titre=Vélo cargo partagé"),
        ("Projet cobudget", "minimum", "minimum manquant : ajoutez minimum=900 €"),
        ("Soutien cobudget", "projet", "projet manquant : ajoutez projet=Vélo cargo partagé"),
        ("Soutien cobudget", "montant", "montant manquant : ajoutez montant=100 €"),
    ],
)
def test_a_missing_required_parameter_is_an_error_and_no_record(
    template: str, dropped: str, expected: str
) -> None:
    params = [p for p in COMPLETE[template].split("|") if not p.startswith(dropped + "=")]
    records, problems = parse("Intro\n{{" + template + "|" + "|".join(params) + "}}")
    assert records.count() == 0
    assert [(p.source.line, p.severity, p.template, p.message) for p in problems] == [
        (2, ERROR, template, expected)
    ]


def test_a_required_parameter_given_empty_is_missing_on_its_own_line() -> None:
    assert problems_of("{{Contribution|contributeur=Alice|cercle=Numérique|heures=1\n|date=}}") == [
        (2, ERROR, "date manquante : ajoutez date=12/03/2026")
    ]


def test_a_declaration_needs_hours_or_an_amount() -> None:
    assert only_problem(contribution(DAY + "|heures=|mission=x")) == (
        ERROR,
        "heures ou montant manquant : ajoutez heures=3,5 ou montant=120 €",
    )


def test_a_campaign_needs_an_envelope_or_a_dotation() -> None:
    assert only_problem("{{Cobudget|campagne=2026}}") == (
        ERROR,
        "enveloppe ou dotation manquante : ajoutez enveloppe=10 000 € ou dotation=500 €",
    )
    [campaign] = parse("{{Cobudget|campagne=2026|dotation=500}}")[0].campaigns
    assert (campaign.envelope, campaign.dotation) == (None, Decimal("500.00"))


# --- Values -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (contribution(DAY + "|montant=12,3,4"), "montant illisible « 12,3,4 »"),
        (contribution(DAY + "|montant=120|heures=beaucoup"), "heures illisible « beaucoup »"),
        (contribution(DAY + "|heures=2|statut=payé?"), "statut inconnu « payé? »"),
        (contribution("date=hier|heures=2"), "date illisible « hier »"),
        ("{{Cercle|nom=N|état=endormi}}", "état inconnu « endormi »"),
        ("{{Cercle|nom=N|référents=Alice, [[Page]]}}", "référents illisible « [[Page]] »"),
        ("{{Enveloppe cercle|cercle=N|année=26|montant=1}}", "année illisible « 26 »"),
        (
            "{{Enveloppe cercle|cercle=N|année=2026|montant=1|taux=trente}}",
            "taux horaire illisible",
        ),
        ("{{Cobudget|campagne=C|dotation=5|ouverture=bientôt}}", "ouverture illisible « bientôt »"),
        (
            "{{Projet cobudget|campagne=C|titre=T|minimum=1|transversal=bof}}",
            "transversal illisible",
        ),
        ("{{Projet cobudget|campagne=C|titre=T|minimum=1|statut=fini}}", "statut inconnu « fini »"),
        (
            "{{Soutien cobudget|campagne=C|projet=P|membre={{u|A}} {{u|B}}|montant=1}}",
            "membre : plusieurs utilisateurs",
        ),
    ],
)
def test_an_unreadable_value_even_optional_is_an_error_and_no_record(
    text: str, expected: str
) -> None:
    records, problems = parse(text)
    assert records.count() == 0
    [(severity, message)] = [(p.severity, p.message) for p in problems]
    assert severity is ERROR and message.startswith(expected)


def test_every_unreadable_value_of_a_call_is_reported_not_only_the_first() -> None:
    text = "{{Contribution|contributeur=Alice|cercle=N|date=hier|heures=x|montant=y}}"
    assert [message.split(" «")[0] for _, _, message in problems_of(text)] == [
        "date illisible",
        "heures illisible",
        "montant illisible",
    ]


def test_an_empty_optional_value_is_an_absent_value() -> None:
    text = contribution(DAY + "|heures=2|montant=|statut= |mission=<!-- à compléter -->")
    [declaration] = parse(text)[0].contributions
    assert (declaration.amount, declaration.status, declaration.mission) == (
        None,
        ContributionStatus.DECLARED,
        "",
    )


def test_defaults_are_those_of_the_records() -> None:
    records = parse("{{Cercle|nom=N}}{{Projet cobudget|campagne=C|titre=T|minimum=1}}")[0]
    assert records.circles[0].state is CircleState.ACTIVE
    assert records.projects[0].status is ProjectStatus.PROPOSED
    assert records.projects[0].cross_cutting is False


def test_a_name_given_as_a_link_is_the_text_a_reader_sees() -> None:
    text = "{{Soutien cobudget|campagne=[[C 2026|2026]]|projet=[[Vélo  cargo]]|membre=A|montant=1}}"
    [pledge] = parse(text)[0].pledges
    assert (pledge.campaign, pledge.project) == ("2026", "Vélo cargo")


def test_the_mission_keeps_its_wikitext_as_written() -> None:
    mission = "Mise à jour de [[Catégorie:Test]] et {{!}} tableau <nowiki>{{x}}</nowiki>"
    [declaration] = parse(contribution(DAY + "|heures=1|mission=" + mission))[0].contributions
    assert declaration.mission == mission


# --- Parameter names ----------------------------------------------------------------------------


def test_parameter_names_ignore_accents_case_and_underscores_and_allow_aliases() -> None:
    text = (
        "{{Contribution|Contributrice=Alice|CERCLE=Numérique|Date=12/03/2026|heure=2}}"
        "{{Enveloppe cercle|cercle=N|Annee=2026|montant=1|taux=35}}"
        "{{Cobudget|campagne=C|enveloppe=1|clotûre=31/03/2026|Plafond_par_projet=600}}"
        "{{Projet cobudget|campagne=C|titre=T|minimum=1|porteuses=Alice|transversale=oui}}"
    )
    records, problems = parse(text)
    assert problems == []
    assert records.contributions[0].contributor == "Alice"
    assert records.envelopes[0].hourly_rate == Decimal("35.00")
    assert records.campaigns[0].closing == datetime.date(2026, 3, 31)
    assert records.campaigns[0].project_cap == Decimal("600.00")
    assert (records.projects[0].holders, records.projects[0].cross_cutting) == (("Alice",), True)


def test_an_unknown_parameter_is_a_warning_with_the_closest_known_name() -> None:
    records, problems = parse(contribution(DAY + "|heures=2|Missoin=x|couleur=bleu"))
    assert len(records.contributions) == 1
    assert [(p.severity, p.message) for p in problems] == [
        (WARNING, "paramètre inconnu « Missoin » — vouliez-vous dire « mission » ?"),
        (WARNING, "paramètre inconnu « couleur »"),
    ]


def test_a_repeated_parameter_keeps_the_last_value_and_warns_where_the_other_is() -> None:
    text = "{{Contribution|contributeur=Alice|cercle=N|date=1/1/2026\n|heures=2\n|heures=3}}"
    records, problems = parse(text)
    assert records.contributions[0].hours == Decimal("3.00")
    assert [(p.source.line, p.severity) for p in problems] == [(2, WARNING)]
    assert problems[0].message.startswith("paramètre « heures » en double : la valeur « 2 »")


def test_two_names_of_one_parameter_count_as_a_repetition() -> None:
    text = "{{Contribution|contributrice=Alice|cercle=N|date=1/1/2026|heures=2\n|contributeur=Zoé}}"
    records, problems = parse(text)
    assert records.contributions[0].contributor == "Zoé"
    assert [(p.source.line, p.message.split(" :")[0]) for p in problems] == [
        (1, "paramètre « contributrice » en double")
    ]


def test_a_value_without_a_name_is_a_warning_and_ignored() -> None:
    records, problems = parse("{{Cercle|Numérique|nom=N}}")
    assert records.circles[0].name == "N"
    assert [(p.severity, p.message) for p in problems] == [
        (
            WARNING,
            "valeur sans nom de paramètre « Numérique » ignorée : "
            "écrivez paramètre=valeur, par exemple nom=Numérique",
        )
    ]


def test_a_statement_request_takes_no_parameter() -> None:
    records, problems = parse("{{Relevé|2026}}", "Utilisateur:Alice")
    assert len(records.statements) == 1
    assert [p.severity for p in problems] == [WARNING]


# --- Cross-parameter checks ---------------------------------------------------------------------


def test_a_closing_date_before_the_opening_is_a_warning_on_the_closing_line() -> None:
    text = "{{Cobudget|campagne=C|dotation=5\n|ouverture=31/03/2026\n|clôture=1/3/2026}}"
    records, problems = parse(text)
    assert len(records.campaigns) == 1
    assert [(p.source.line, p.severity, p.message) for p in problems] == [
        (3, WARNING, "clôture « 1/3/2026 » avant l'ouverture « 31/03/2026 » : vérifiez les dates")
    ]


# --- Template names and redirects ---------------------------------------------------------------


def test_a_redirect_to_one_of_our_templates_is_counted_like_it() -> None:
    text = "{{déclaration|contributeur=Alice|cercle=N|date=1/1/2026|heures=2}}"
    records, _ = parse_page("Essai", text, aliases={"Modèle:Déclaration": "Modèle:Contribution"})
    assert [c.contributor for c in records.contributions] == ["Alice"]
    assert parse_page("Essai", text)[0].contributions == []  # without the redirect: not ours


def test_problems_of_a_call_through_a_redirect_name_our_template() -> None:
    text = "{{Déclaration|contributeur=Alice|cercle=N|date=1/1/2026}}"
    _, problems = parse_page("Essai", text, aliases={"Déclaration": "contribution"})
    assert [(p.template, p.message.split(" :")[0]) for p in problems] == [
        ("Contribution", "heures ou montant manquant")
    ]


def test_an_alias_to_a_template_that_is_not_ours_is_ignored() -> None:
    text = "{{Déclaration|contributeur=Alice|cercle=N|date=1/1/2026|heures=2}}"
    assert parse_page("Essai", text, aliases={"Déclaration": "Autre"}) == (Records(), [])


def test_template_names_are_configurable() -> None:
    names = TemplateNames(contribution="Déclaration de contribution")
    text = "{{Déclaration de contribution|contributeur=A|cercle=N|date=1/1/2026|heures=1}}"
    assert len(parse_page("Essai", text, names)[0].contributions) == 1
    assert parse_page("Essai", contribution(DAY + "|heures=1"), names) == (Records(), [])


def test_a_call_nested_too_deep_is_an_error_not_a_silent_drop() -> None:
    text = "{{Boîte|" * 45 + contribution(DAY + "|heures=1") + "}}" * 45
    records, problems = parse(text)
    assert records.count() == 0
    assert [(p.severity, p.message.split(" :")[0]) for p in problems] == [
        (ERROR, "modèle imbriqué dans plus de 40 autres modèles")
    ]


# --- Every call is a record or an error ---------------------------------------------------------

values = st.sampled_from(["", "Alice", "[[Utilisateur:Bob|B]]", "12/03/2026", "3 h 30", "x", "120"])
keys = st.sampled_from(["contributeur", "cercle", "date", "heures", "montant", "statut", "heurs"])


@given(st.lists(st.dictionaries(keys, values), max_size=8))
@settings(max_examples=200)
def test_every_call_is_either_a_record_or_at_least_one_error_on_its_line(
    calls: list[dict[str, str]],
) -> None:
    text = "\n".join(
        "* {{Contribution" + "".join(f"|{k}={v}" for k, v in params.items()) + "}}"
        for params in calls
    )
    records, problems = parse(text)
    counted = {c.source.line for c in records.contributions}
    refused = {p.source.line for p in problems if p.severity is ERROR}
    assert counted.isdisjoint(refused)
    assert counted | refused == set(range(1, len(calls) + 1))


pieces = st.sampled_from(
    ["{{Contribution|", "{{Cercle|nom=", "{{Relevé}}", "{{#if:", "}}", "|", "=", "\n", "date=",
     "montant=", "<!--", "-->", "<nowiki>", "[[", "]]", "heures=3", "é", " "]
)  # fmt: skip


@given(st.lists(pieces, max_size=60))
@settings(max_examples=300)
def test_no_text_a_member_can_type_makes_the_parser_raise(parts: list[str]) -> None:
    _, problems = parse("".join(parts), "Utilisateur:Alice")
    assert all(p.message and p.source.line >= 1 for p in problems)


@pytest.mark.timeout(120)
def test_a_realistic_page_of_one_megabyte_is_read_in_seconds() -> None:
    text = page("cercle-numerique.wiki")
    big = text * (1_000_000 // len(text))
    started = time.perf_counter()
    records, _ = parse(big)
    elapsed = time.perf_counter() - started
    assert len(records.contributions) == 4 * (1_000_000 // len(text))
    assert elapsed < 20  # about 0.5 s here (2 MB/s); mwparserfromhell alone took 2 s


# --- Each template kind field by field, each problem, the seed pages ---------------------------

SEED = Path(__file__).parent.parent.parent / "devwiki" / "seed"
PAGE = "Utilisateur:Alice Martin/Contributions 2026"
ALICE = "contributeur=Alice Martin|cercle=Numérique|date=2026-01-05"


def the_only_problem(text: str, title: str = PAGE) -> Problem:
    """The one problem of `text`, which gives no record."""
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
    problem = the_only_problem(
        "{{Contribution|contributeur=Alice Martin|cercle=Numérique|heures=2}}"
    )
    assert problem == Problem(
        Source(PAGE, 1), "Contribution", Severity.ERROR, "date manquante : ajoutez date=12/03/2026"
    )


def test_an_empty_required_parameter_is_an_error_like_a_missing_one() -> None:
    problem = the_only_problem(
        "{{Soutien cobudget|campagne=2026|projet=Vélo cargo partagé|membre=|montant=10}}"
    )
    assert problem.severity == Severity.ERROR
    assert problem.template == "Soutien cobudget"
    assert problem.message == "membre manquant : ajoutez membre=Alice Martin"


def test_a_contribution_with_neither_heures_nor_montant_is_an_error() -> None:
    problem = the_only_problem(f"{{{{Contribution|{ALICE}|heures=|montant=|mission=Accueil}}}}")
    assert problem.severity == Severity.ERROR
    assert problem.message == "heures ou montant manquant : ajoutez heures=3,5 ou montant=120 €"


def test_an_unreadable_value_is_an_error_naming_the_parameter_and_the_value() -> None:
    problem = the_only_problem(
        "{{Contribution|contributeur=Alice Martin|cercle=Numérique|date=31/02/2026|heures=2}}"
    )
    assert problem.severity == Severity.ERROR
    assert problem.message.startswith("date impossible « 31/02/2026 »")


def test_every_unreadable_value_is_an_error_whose_message_starts_with_its_parameter() -> None:
    text = "{{Contribution|contributeur=Alice Martin|cercle=Numérique|date=hier|heures=beaucoup}}"
    _, problems = parse_page(PAGE, text)
    assert [p.message.split(" ")[0] for p in problems] == ["date", "heures"]
    assert all(p.severity == Severity.ERROR for p in problems)


def test_a_statement_outside_a_user_page_is_an_error_that_says_where_to_put_it() -> None:
    problem = the_only_problem("{{Relevé}}", title="Contribution-rétribution")
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


CALLER_PAGE = "Utilisateur:Alice Martin/Contributions 2026"


def test_a_call_of_a_template_that_holds_declarations_is_reported_at_its_line() -> None:
    text = "Mes heures :\n{{Mes déclarations|mois=mars}}\n{{u|Alice Martin}}\n"
    records, problems = parse_page(CALLER_PAGE, text, bearers=frozenset({"Mes déclarations"}))
    assert records.contributions == []
    (problem,) = problems
    assert (problem.source, problem.template, problem.severity) == (
        Source(CALLER_PAGE, 2),
        "Mes déclarations",
        Severity.WARNING,
    )
    assert "n'est pas compté" in problem.message
    assert parse_page(CALLER_PAGE, text) == parse_page(CALLER_PAGE, text, bearers=())
    assert parse_page(CALLER_PAGE, text)[1] == []
