"""The French value formats of DESIGN §3: money, hours, dates, users, statuses (figures by hand)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

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
    parse_user,
    parse_user_list,
    parse_year,
)

NBSP = "\u00a0"
NNBSP = "\u202f"


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("1200", "1200.00"),
        ("1 200,50", "1200.50"),
        ("1 200,50 €", "1200.50"),
        ("1200.50", "1200.50"),
        ("1 200 €", "1200.00"),
        ("1.200,50", "1200.50"),
        (f"1{NBSP}200,50{NBSP}€", "1200.50"),
        (f"1{NNBSP}200,50{NNBSP}€", "1200.50"),
        (f"10{NNBSP}000 €", "10000.00"),
        ("750€", "750.00"),
        ("12,3", "12.30"),
        ("0,05", "0.05"),
        ("  450 €  ", "450.00"),
    ],
)
def test_money_is_read_in_every_french_format_to_the_cent(written: str, expected: str) -> None:
    amount = parse_money(written)
    assert isinstance(amount, Decimal)
    assert amount == Decimal(expected)
    assert amount.as_tuple().exponent == -2


@pytest.mark.parametrize("written", ["12,3,4", "douze euros", "1 2 3", "€", "12,345", "1200,505"])
def test_unreadable_money_is_an_error_quoting_what_was_written(written: str) -> None:
    with pytest.raises(ValueFormatError) as caught:
        parse_money(written)
    assert f"« {written} »" in caught.value.message
    assert "montant" in caught.value.message


def test_money_with_three_decimals_is_refused_rather_than_rounded() -> None:
    with pytest.raises(ValueFormatError):
        parse_money("10,505")


@pytest.mark.parametrize("written", ["-50", "-1 200,50 €"])
def test_negative_money_is_an_error_that_says_so(written: str) -> None:
    with pytest.raises(ValueFormatError) as caught:
        parse_money(written)
    assert "négatif" in caught.value.message


def test_the_message_for_unreadable_money_shows_how_to_write_it() -> None:
    with pytest.raises(ValueFormatError) as caught:
        parse_money("12,3,4")
    assert "1 200,50 €" in caught.value.message


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("3", "3.00"),
        ("3,5", "3.50"),
        ("3.5", "3.50"),
        ("3h", "3.00"),
        ("3 h", "3.00"),
        ("3 h 30", "3.50"),
        ("3h30", "3.50"),
        ("3H30", "3.50"),
        ("45 min", "0.75"),
        ("90 min", "1.50"),
        ("1h05", "1.08"),  # 1 + 5/60 = 1.0833…
        ("2 h 20", "2.33"),  # 2 + 20/60 = 2.3333…
        ("7 h 15", "7.25"),
        ("0,25", "0.25"),
        (f"3{NBSP}h{NBSP}30", "3.50"),
    ],
)
def test_hours_are_read_in_every_french_format_to_the_hundredth(
    written: str, expected: str
) -> None:
    hours = parse_hours(written)
    assert isinstance(hours, Decimal)
    assert hours == Decimal(expected)


@pytest.mark.parametrize("written", ["3h75", "3 h 60", "1h99"])
def test_hours_with_sixty_minutes_or_more_are_an_error(written: str) -> None:
    with pytest.raises(ValueFormatError) as caught:
        parse_hours(written)
    assert f"« {written} »" in caught.value.message


@pytest.mark.parametrize("written", ["trois heures", "3,5,6", "h30", "3 h 30 min 12"])
def test_unreadable_hours_are_an_error_with_an_example(written: str) -> None:
    with pytest.raises(ValueFormatError) as caught:
        parse_hours(written)
    assert "3 h 30" in caught.value.message


def test_negative_hours_are_an_error_that_says_a_duration_is_positive() -> None:
    with pytest.raises(ValueFormatError) as caught:
        parse_hours("-2")
    assert "« -2 »" in caught.value.message
    assert "positive" in caught.value.message


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("2026-03-12", datetime.date(2026, 3, 12)),
        ("12/03/2026", datetime.date(2026, 3, 12)),
        ("03/12/2026", datetime.date(2026, 12, 3)),  # day first, as in France
        ("12 mars 2026", datetime.date(2026, 3, 12)),
        ("1er mars 2026", datetime.date(2026, 3, 1)),
        ("12 février 2026", datetime.date(2026, 2, 12)),
        ("12 fevrier 2026", datetime.date(2026, 2, 12)),
        ("12 Février 2026", datetime.date(2026, 2, 12)),
        ("3 août 2026", datetime.date(2026, 8, 3)),
        ("3 aout 2026", datetime.date(2026, 8, 3)),
        ("25 décembre 2026", datetime.date(2026, 12, 25)),
        (f"5{NBSP}juin{NBSP}2026", datetime.date(2026, 6, 5)),
    ],
)
def test_dates_are_read_in_iso_numeric_and_french_words(
    written: str, expected: datetime.date
) -> None:
    assert parse_date(written) == expected


@pytest.mark.parametrize("written", ["31/02/2026", "30 février 2026", "2026-02-29", "31/04/2026"])
def test_a_day_that_does_not_exist_is_an_impossible_date(written: str) -> None:
    with pytest.raises(ValueFormatError) as caught:
        parse_date(written)
    assert "impossible" in caught.value.message
    assert f"« {written} »" in caught.value.message


@pytest.mark.parametrize("written", ["12 brumaire 2026", "demain", "2026/03", "12-03"])
def test_an_unreadable_date_is_an_error_with_an_example(written: str) -> None:
    with pytest.raises(ValueFormatError) as caught:
        parse_date(written)
    assert "12/03/2026" in caught.value.message


def test_the_first_of_a_month_may_be_written_1er_in_any_case() -> None:
    assert parse_date("1ER MARS 2026") == datetime.date(2026, 3, 1)


def test_a_year_is_four_digits() -> None:
    assert parse_year("2026") == 2026
    assert parse_year(" 2025 ") == 2025
    with pytest.raises(ValueFormatError):
        parse_year("26")
    with pytest.raises(ValueFormatError):
        parse_year("deux mille vingt-six")


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("Alice Martin", "Alice Martin"),
        ("alice martin", "Alice martin"),  # only the first letter, as MediaWiki
        ("alice_martin", "Alice martin"),
        ("  Alice   Martin ", "Alice Martin"),
        ("Utilisateur:Alice Martin", "Alice Martin"),
        ("[[Utilisateur:Alice Martin|Alice]]", "Alice Martin"),
        ("[[utilisateur:alice_Martin|Alice]]", "Alice Martin"),
        ("[[User:Alice_Martin]]", "Alice Martin"),
        ("[[Utilisatrice:Élodie Fontaine|Élodie]]", "Élodie Fontaine"),
        ("[[Utilisateur:élodie fontaine]]", "Élodie fontaine"),
        ("[[Utilisateur:Alice Martin/Contributions 2026|mes contributions]]", "Alice Martin"),
        ("{{u|Alice Martin}}", "Alice Martin"),
        ("{{U|alice_martin}}", "Alice martin"),
    ],
)
def test_users_are_normalised_as_mediawiki_normalises_user_names(
    written: str, expected: str
) -> None:
    assert parse_user(written) == expected


@pytest.mark.parametrize("written", ["", "   ", "[[Utilisateur:Alice", "{{u|Alice}} {{u|Bruno}}"])
def test_an_unreadable_user_is_an_error(written: str) -> None:
    with pytest.raises(ValueFormatError):
        parse_user(written)


def test_a_user_list_reads_every_form_keeps_order_and_drops_repeats() -> None:
    written = (
        "Alice Martin, [[Utilisateur:Bruno Lefèvre|Bruno]] ; {{u|camille_durand}}, alice martin,"
        " [[User:Alice_Martin]]"
    )
    assert parse_user_list(written) == (
        "Alice Martin",
        "Bruno Lefèvre",
        "Camille durand",
        "Alice martin",
    )


def test_an_empty_user_list_is_empty() -> None:
    assert parse_user_list("") == ()
    assert parse_user_list(" , ") == ()


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("déclarée", ContributionStatus.DECLARED),
        ("declaree", ContributionStatus.DECLARED),
        ("Déclarée", ContributionStatus.DECLARED),
        ("validée", ContributionStatus.VALIDATED),
        ("VALIDEE", ContributionStatus.VALIDATED),
        ("versée", ContributionStatus.PAID),
        ("versee", ContributionStatus.PAID),
        ("refusée", ContributionStatus.REFUSED),
        ("refusee", ContributionStatus.REFUSED),
        ("bénévole", ContributionStatus.VOLUNTARY),
        ("benevole", ContributionStatus.VOLUNTARY),
        (" Bénévole ", ContributionStatus.VOLUNTARY),
    ],
)
def test_contribution_statuses_are_read_with_or_without_accents(
    written: str, expected: ContributionStatus
) -> None:
    assert parse_contribution_status(written) == expected


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("proposé", ProjectStatus.PROPOSED),
        ("propose", ProjectStatus.PROPOSED),
        ("annulé", ProjectStatus.CANCELLED),
        ("annule", ProjectStatus.CANCELLED),
        ("Réalisé", ProjectStatus.DONE),
        ("realise", ProjectStatus.DONE),
    ],
)
def test_project_statuses_are_read_with_or_without_accents(
    written: str, expected: ProjectStatus
) -> None:
    assert parse_project_status(written) == expected


def test_an_unknown_status_is_an_error_that_lists_the_possible_ones() -> None:
    with pytest.raises(ValueFormatError) as caught:
        parse_contribution_status("en cours")
    message = caught.value.message
    assert "« en cours »" in message
    for status in ("déclarée", "validée", "versée", "refusée", "bénévole"):
        assert status in message
    with pytest.raises(ValueFormatError) as caught_project:
        parse_project_status("financé")
    for status in ("proposé", "annulé", "réalisé"):
        assert status in caught_project.value.message


def test_circle_states_are_actif_or_en_sommeil_in_any_case() -> None:
    assert parse_circle_state("actif") == CircleState.ACTIVE
    assert parse_circle_state("En  sommeil") == CircleState.DORMANT
    with pytest.raises(ValueFormatError):
        parse_circle_state("dissous")


def test_yes_and_no_are_read_in_french() -> None:
    assert parse_bool("oui") is True
    assert parse_bool("Non") is False
    with pytest.raises(ValueFormatError):
        parse_bool("peut-être")
