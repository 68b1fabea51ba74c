"""French value formats (DESIGN §3): money, hours, dates, users, yes/no, statuses, messages."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger.record import CircleState, ContributionStatus, ProjectStatus
from parsers.value import (
    ValueFormatError,
    parse_bool,
    parse_circle_state,
    parse_contribution_status,
    parse_date,
    parse_hours,
    parse_money,
    parse_project_status,
    parse_rate,
    parse_user,
    parse_user_list,
    parse_year,
)
from tests.unit.parsing_helpers import VALUE_PARSERS

NBSP = "\u00a0"
NNBSP = "\u202f"


def message(parse: object, text: str) -> str:
    with pytest.raises(ValueFormatError) as caught:
        parse(text)  # type: ignore[operator]
    return caught.value.message


# --- Money --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1200", "1200.00"),
        ("1 200,50", "1200.50"),
        ("1 200,50 €", "1200.50"),
        ("1200.50", "1200.50"),
        ("1 200 €", "1200.00"),
        ("1\u00a0200,50\u00a0€", "1200.50"),  # no-break spaces (VisualEditor)
        ("1\u202f200,50\u202f€", "1200.50"),  # narrow no-break spaces (French typography)
        ("1\u2009200,50", "1200.50"),  # thin space
        ("1&nbsp;200,50&nbsp;€", "1200.50"),  # typed as an entity in the source editor
        ("1.200,50", "1200.50"),
        ("1.200.000", "1200000.00"),
        ("12,5", "12.50"),
        ("0,05", "0.05"),
        ("€ 30", "30.00"),
        ("30€", "30.00"),
        ("30 euros", "30.00"),
        ("30 EUR", "30.00"),
        ("'''1 050,25'''", "1050.25"),
        ("  75  ", "75.00"),
        ("0", "0.00"),
        (f"10{NNBSP}000 €", "10000.00"),
        ("750€", "750.00"),
        ("12,3", "12.30"),
        ("  450 €  ", "450.00"),
    ],
)
def test_amounts_are_read_in_french_and_other_usual_forms(text: str, expected: str) -> None:
    amount = parse_money(text)
    assert isinstance(amount, Decimal)
    assert str(amount) == expected


def test_an_unreadable_amount_says_how_to_write_one() -> None:
    expected = "montant illisible « 12,3,4 » : écrivez par exemple 1 200,50 €"
    assert message(parse_money, "12,3,4") == expected


@pytest.mark.parametrize(
    ("text", "start"),
    [
        ("-12", "montant illisible « -12 » : un montant ne peut pas être négatif"),
        ("−12 €", "montant illisible « −12 € » : un montant ne peut pas être négatif"),
        ("1.200", "montant ambigu « 1.200 »"),
        ("1,200", "montant ambigu « 1,200 »"),
        ("12,345", "montant ambigu"),
        ("12,3456", "montant illisible"),
        ("1 20", "montant illisible"),
        (",50", "montant illisible"),
        ("douze", "montant illisible"),
        ("12 € 50", "montant illisible"),
        ("1" * 15, "montant trop grand"),
        ("", "montant vide"),
    ],
)
def test_amounts_that_are_negative_ambiguous_or_odd_are_refused(text: str, start: str) -> None:
    assert message(parse_money, text).startswith(start)


@pytest.mark.parametrize("text", ["douze euros", "1 2 3", "€", "12,345", "1200,505"])
def test_unreadable_money_is_an_error_quoting_what_was_written(text: str) -> None:
    assert f"« {text} »" in message(parse_money, text)
    assert "montant" in message(parse_money, text)


def test_money_with_three_decimals_is_refused_rather_than_rounded() -> None:
    with pytest.raises(ValueFormatError):
        parse_money("10,505")


@pytest.mark.parametrize("text", ["-50", "-1 200,50 €"])
def test_negative_money_is_an_error_that_says_so(text: str) -> None:
    assert "négatif" in message(parse_money, text)


def test_the_message_names_the_parameter_it_is_about() -> None:
    with pytest.raises(ValueFormatError) as caught:
        parse_money("x", "dotation")
    assert caught.value.message.startswith("dotation illisible « x »")


@given(st.decimals(min_value=0, max_value=10**9, places=2))
def test_any_amount_written_the_french_way_reads_back_exactly(amount: Decimal) -> None:
    units, cents = f"{amount:.2f}".split(".")
    grouped = f"{int(units):,}".replace(",", "\u202f")
    assert parse_money(f"{grouped},{cents}\u00a0€") == amount


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30", "30.00"),
        ("30 €/h", "30.00"),
        ("35 € / heure", "35.00"),
        ("32,5 € par heure", "32.50"),
    ],
)
def test_an_hourly_rate_may_say_per_hour(text: str, expected: str) -> None:
    assert str(parse_rate(text)) == expected


def test_an_unreadable_rate_quotes_what_was_written() -> None:
    assert message(parse_rate, "x €/h") == (
        "taux horaire illisible « x €/h » : écrivez par exemple 30 €/h"
    )


# --- Hours --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3", "3.00"),
        ("3,5", "3.50"),
        ("3.5", "3.50"),
        ("3h", "3.00"),
        ("3 h", "3.00"),
        ("3 h 30", "3.50"),
        ("3h30", "3.50"),
        ("3H30min", "3.50"),
        ("1h05", "1.08"),  # 1 + 5/60 = 1.0833…
        ("1 h 30 min", "1.50"),
        ("2 heures 15", "2.25"),
        ("1 heure", "1.00"),
        ("45 min", "0.75"),
        ("90 minutes", "1.50"),
        ("20 mn", "0.33"),
        ("3:30", "3.50"),
        ("0,333", "0.33"),
        ("0,125", "0.13"),  # half away from zero, to the hundredth
        ("7\u00a0h\u00a015", "7.25"),
        ("3H30", "3.50"),
        ("90 min", "1.50"),
        ("2 h 20", "2.33"),  # 2 + 20/60 = 2.3333…
        ("7 h 15", "7.25"),
        ("0,25", "0.25"),
        (f"3{NBSP}h{NBSP}30", "3.50"),
    ],
)
def test_hours_are_read_in_the_usual_forms_and_rounded_to_the_hundredth(
    text: str, expected: str
) -> None:
    hours = parse_hours(text)
    assert isinstance(hours, Decimal)
    assert str(hours) == expected


@pytest.mark.parametrize(
    ("text", "start"),
    [
        ("3h70", "heures illisible « 3h70 » : les minutes vont de 00 à 59"),
        ("-2", "heures illisible « -2 » : une durée est positive"),
        ("trois", "heures illisible « trois » : écrivez par exemple 3,5 ou 3 h 30 ou 45 min"),
        ("3 jours", "heures illisible"),
        ("9" * 20, "heures trop grand"),
    ],
)
def test_unreadable_hours_say_how_to_write_them(text: str, start: str) -> None:
    assert message(parse_hours, text).startswith(start)


@pytest.mark.parametrize("text", ["3h75", "3 h 60", "1h99"])
def test_hours_with_sixty_minutes_or_more_are_an_error(text: str) -> None:
    assert f"« {text} »" in message(parse_hours, text)


@pytest.mark.parametrize("text", ["trois heures", "3,5,6", "h30", "3 h 30 min 12"])
def test_unreadable_hours_are_an_error_with_an_example(text: str) -> None:
    assert "3 h 30" in message(parse_hours, text)


# --- Dates --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "2026-03-12",
        "12/03/2026",
        "12.03.2026",
        "12-03-2026",
        "12 mars 2026",
        "12 Mars 2026",
        "12 MARS 2026",
        "jeudi 12 mars 2026",
        "le 12 mars 2026",
        "12 mars. 2026",
    ],
)
def test_dates_are_read_in_the_usual_french_forms(text: str) -> None:
    assert parse_date(text) == datetime.date(2026, 3, 12)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1er mars 2026", datetime.date(2026, 3, 1)),
        ("1<sup>er</sup> mars 2026", datetime.date(2026, 3, 1)),
        ("1ᵉʳ mars 2026", datetime.date(2026, 3, 1)),
        ("3 février 2026", datetime.date(2026, 2, 3)),
        ("3 fevrier 2026", datetime.date(2026, 2, 3)),
        ("3 févr. 2026", datetime.date(2026, 2, 3)),
        ("15 août 2026", datetime.date(2026, 8, 15)),
        ("15 aout 2026", datetime.date(2026, 8, 15)),
        ("2 décembre 2026", datetime.date(2026, 12, 2)),
        ("2 decembre 2026", datetime.date(2026, 12, 2)),
        ("03/12/2026", datetime.date(2026, 12, 3)),  # day first, as in France
        ("12 février 2026", datetime.date(2026, 2, 12)),
        ("12 fevrier 2026", datetime.date(2026, 2, 12)),
        ("12 Février 2026", datetime.date(2026, 2, 12)),
        ("3 août 2026", datetime.date(2026, 8, 3)),
        ("3 aout 2026", datetime.date(2026, 8, 3)),
        ("25 décembre 2026", datetime.date(2026, 12, 25)),
        (f"5{NBSP}juin{NBSP}2026", datetime.date(2026, 6, 5)),
    ],
)
def test_month_names_may_lose_their_accents_and_the_first_is_1er(
    text: str, expected: datetime.date
) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("text", "start"),
    [
        ("31/02/2026", "date impossible « 31/02/2026 » : ce jour n'existe pas"),
        ("12/03/26", "date illisible « 12/03/26 » : écrivez l'année en entier"),
        ("12 mois 2026", "date illisible « 12 mois 2026 » : écrivez par exemple 12/03/2026"),
        ("hier", "date illisible"),
        ("12/03/0026", "date illisible « 12/03/0026 » : l'année semble fausse"),
    ],
)
def test_impossible_or_unreadable_dates_say_so(text: str, start: str) -> None:
    assert message(parse_date, text).startswith(start)


@pytest.mark.parametrize("text", ["30 février 2026", "2026-02-29", "31/04/2026"])
def test_a_day_that_does_not_exist_is_an_impossible_date(text: str) -> None:
    assert "impossible" in message(parse_date, text)
    assert f"« {text} »" in message(parse_date, text)


@pytest.mark.parametrize("text", ["12 brumaire 2026", "demain", "2026/03", "12-03"])
def test_an_unreadable_date_is_an_error_with_an_example(text: str) -> None:
    assert "12/03/2026" in message(parse_date, text)


def test_the_first_of_a_month_may_be_written_1er_in_any_case() -> None:
    assert parse_date("1ER MARS 2026") == datetime.date(2026, 3, 1)


def test_a_year_has_four_digits() -> None:
    assert parse_year(" 2026 ") == 2026
    assert parse_year("2026") == 2026
    assert parse_year(" 2025 ") == 2025
    assert message(parse_year, "26").startswith("année illisible « 26 » : écrivez l'année")
    with pytest.raises(ValueFormatError):
        parse_year("deux mille vingt-six")


# --- Users --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Alice Martin",
        "alice Martin",
        "Alice_Martin",
        "  Alice   Martin ",
        "Alice\u00a0Martin",
        "[[Utilisateur:Alice Martin|Alice]]",
        "[[Utilisateur:Alice Martin]]",
        "[[User:Alice_Martin]]",
        "[[user:alice Martin|moi]]",
        "[[Utilisatrice:Alice Martin|Alice]]",
        "[[:Utilisateur:Alice Martin]]",
        "[[Utilisateur:Alice Martin/Contributions 2026|Alice]]",
        "{{u|Alice Martin}}",
        "{{U|Alice_Martin}}",
        "{{utilisateur|Alice Martin}}",
        "{{utilisatrice|1=Alice Martin}}",
        "Utilisateur:Alice Martin",
        "'''[[Utilisateur:Alice Martin|Alice]]'''",
        "[[Utilisateur:Alice Martin|Alice]] ([[Discussion utilisateur:Alice Martin|discuter]])"
        " 12 mars 2026 à 10:05 (CET)",
    ],
)
def test_users_are_named_as_mediawiki_names_them(text: str) -> None:
    assert parse_user(text) == "Alice Martin"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("alice martin", "Alice martin"),  # only the first letter, as MediaWiki
        ("alice_martin", "Alice martin"),
        ("[[utilisateur:alice_Martin|Alice]]", "Alice Martin"),
        ("[[Utilisatrice:Élodie Fontaine|Élodie]]", "Élodie Fontaine"),
        ("[[Utilisateur:élodie fontaine]]", "Élodie fontaine"),
        ("[[Utilisateur:Alice Martin/Contributions 2026|mes contributions]]", "Alice Martin"),
        ("{{U|alice_martin}}", "Alice martin"),
    ],
)
def test_users_are_normalised_as_mediawiki_normalises_user_names(text: str, expected: str) -> None:
    assert parse_user(text) == expected


@pytest.mark.parametrize("text", ["", "   ", "[[Utilisateur:Alice", "{{u|Alice}} {{u|Bruno}}"])
def test_an_unreadable_user_is_an_error(text: str) -> None:
    with pytest.raises(ValueFormatError):
        parse_user(text)


@pytest.mark.parametrize(
    ("text", "start"),
    [
        ("[[Utilisateur:Alice]] et [[Utilisateur:Bruno]]", "contributeur : plusieurs utilisateurs"),
        ("[[Numérique]]", "contributeur illisible « [[Numérique]] » : écrivez un nom"),
        ("Alice [[Utilisateur:Bruno]]", "contributeur illisible"),
        ("{{modèle inconnu|Alice}}", "contributeur illisible"),
        ("Alice <b>Martin</b>", "contributeur illisible"),
        ("a|b", "contributeur illisible"),
        ("alice@exemple.org", "contributeur illisible"),
        ("x" * 300, "contributeur trop long"),
    ],
)
def test_values_that_do_not_name_exactly_one_user_are_refused(text: str, start: str) -> None:
    assert message(parse_user, text).startswith(start)


def test_a_list_of_users_may_use_commas_semicolons_lines_and_et() -> None:
    text = (
        "Alice Martin, [[Utilisateur:Bruno|Bruno, le trésorier]]; {{u|Camille}}\n* david et Élodie"
    )
    assert parse_user_list(text) == ("Alice Martin", "Bruno", "Camille", "David", "Élodie")


def test_a_list_of_users_names_each_user_once_and_reports_a_bad_one() -> None:
    assert parse_user_list("Alice, alice ,, Alice") == ("Alice",)
    with pytest.raises(ValueFormatError) as caught:
        parse_user_list("Alice, [[Page]]")
    assert caught.value.message.startswith("participants illisible « [[Page]] »")


def test_a_user_list_reads_every_form_keeps_order_and_drops_repeats() -> None:
    text = (
        "Alice Martin, [[Utilisateur:Bruno Lefèvre|Bruno]] ; {{u|camille_durand}}, alice martin,"
        " [[User:Alice_Martin]]"
    )
    assert parse_user_list(text) == (
        "Alice Martin",
        "Bruno Lefèvre",
        "Camille durand",
        "Alice martin",
    )


def test_an_empty_user_list_is_empty() -> None:
    assert parse_user_list("") == ()
    assert parse_user_list(" , ") == ()


# --- Yes/no and statuses ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        *[(yes, True) for yes in ("oui", "Oui", "yes", "1", "vrai", "x")],
        *[(no, False) for no in ("non", "NON", "Non", "no", "0", "faux")],
    ],
)
def test_yes_and_no_are_read_in_french_and_english(text: str, expected: bool) -> None:
    assert parse_bool(text) is expected


def test_neither_yes_nor_no_says_what_to_write() -> None:
    assert message(parse_bool, "peut-être") == "valeur illisible « peut-être » : écrivez oui ou non"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("déclarée", ContributionStatus.DECLARED),
        ("declare", ContributionStatus.DECLARED),
        ("Déclaré", ContributionStatus.DECLARED),
        ("validée", ContributionStatus.VALIDATED),
        ("validé", ContributionStatus.VALIDATED),
        ("VALIDEES", ContributionStatus.VALIDATED),
        ("versée", ContributionStatus.PAID),
        ("versé", ContributionStatus.PAID),
        ("payée", ContributionStatus.PAID),
        ("refusée", ContributionStatus.REFUSED),
        ("refuse", ContributionStatus.REFUSED),
        ("bénévole", ContributionStatus.VOLUNTARY),
        ("benevoles", ContributionStatus.VOLUNTARY),
        ("declaree", ContributionStatus.DECLARED),
        ("Déclarée", ContributionStatus.DECLARED),
        ("VALIDEE", ContributionStatus.VALIDATED),
        ("versee", ContributionStatus.PAID),
        ("refusee", ContributionStatus.REFUSED),
        ("benevole", ContributionStatus.VOLUNTARY),
        (" Bénévole ", ContributionStatus.VOLUNTARY),
    ],
)
def test_contribution_statuses_ignore_accents_case_gender_and_number(
    text: str, expected: ContributionStatus
) -> None:
    assert parse_contribution_status(text) is expected


def test_an_unknown_status_suggests_the_closest_one_and_lists_them_all() -> None:
    assert message(parse_contribution_status, "validdée") == (
        "statut inconnu « validdée » — vouliez-vous dire « validée » ? "
        "(valeurs possibles : déclarée, validée, versée, refusée, bénévole)"
    )
    assert message(parse_contribution_status, "en cours") == (
        "statut inconnu « en cours » : écrivez l'une des valeurs "
        "déclarée, validée, versée, refusée, bénévole"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("proposé", ProjectStatus.PROPOSED),
        ("Proposee", ProjectStatus.PROPOSED),
        ("annulé", ProjectStatus.CANCELLED),
        ("annulée", ProjectStatus.CANCELLED),
        ("réalisé", ProjectStatus.DONE),
        ("realisee", ProjectStatus.DONE),
        ("propose", ProjectStatus.PROPOSED),
        ("annule", ProjectStatus.CANCELLED),
        ("Réalisé", ProjectStatus.DONE),
        ("realise", ProjectStatus.DONE),
    ],
)
def test_project_statuses_are_read_loosely_too(text: str, expected: ProjectStatus) -> None:
    assert parse_project_status(text) is expected


def test_an_unknown_project_status_lists_the_possible_ones() -> None:
    for status in ("proposé", "annulé", "réalisé"):
        assert status in message(parse_project_status, "financé")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("actif", CircleState.ACTIVE),
        ("Active", CircleState.ACTIVE),
        ("en sommeil", CircleState.DORMANT),
        ("En  Sommeil", CircleState.DORMANT),
        ("En  sommeil", CircleState.DORMANT),
        ("inactif", CircleState.DORMANT),
    ],
)
def test_circle_states_are_read_loosely_too(text: str, expected: CircleState) -> None:
    assert parse_circle_state(text) is expected


def test_a_circle_state_other_than_actif_or_en_sommeil_is_refused() -> None:
    with pytest.raises(ValueFormatError):
        parse_circle_state("dissous")


# --- Never anything but a ValueFormatError ------------------------------------------------------


@given(st.sampled_from(VALUE_PARSERS), st.text(max_size=40))
def test_any_text_gives_a_value_or_a_french_message_and_nothing_else(
    parse: object, text: str
) -> None:
    try:
        parse(text)  # type: ignore[operator]
    except ValueFormatError as error:
        assert error.message and "\n" not in error.message
