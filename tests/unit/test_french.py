"""One French vocabulary (issue 10, item 4): each figure, date, label and name key is made by
one function, so that the wiki pages, the problems, the JSON, the exports and the cards agree.

These tests fail when two places drift apart again: the same refused pledge read on every
output, the sources scanned for a second kind of no-break space or a hand-made number format,
the status sums of the registry against those of the statements, and whose page a page is
(the parser, the statements, the "Déclarer" buttons) under configured user namespaces.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
from odf.opendocument import load
from odf.table import Table, TableCell, TableRow

from ledger import french
from ledger.contribution import compute_contributions
from ledger.name import DEFAULT_USER_NAMESPACES, member_name, page_owner
from ledger.record import ContributionStatus, Problem, Records
from ledger.report import campaign_report_to_json
from ledger.statement import normalise_member, sum_declarations
from parsers.page import parse_page, parse_page_cards
from render.card import card_entries
from render.compute import Computation, compute_all
from render.config import PageTitles, SyncConfig
from render.declare import my_page_title
from render.pages import render_bilan
from render.statement import requested_statements
from render.wikitext import hours, money
from service.config import ConfigFile
from service.export import export_campaign_csv, export_campaign_ods

D = Decimal
ROOT = Path(__file__).resolve().parents[2]
NBSP, NNBSP, MINUS = "\u00a0", "\u202f", "\u2212"
TODAY = datetime.date(2026, 3, 20)
NOW = datetime.datetime(2026, 3, 20, 12, 0, tzinfo=datetime.UTC)

# --- the formats --------------------------------------------------------------------------


def test_money_hours_rates_and_counts_group_thousands_and_tie_units_with_one_space() -> None:
    assert french.format_money(D("1234567.5")) == f"1{NBSP}234{NBSP}567,50{NBSP}€"
    assert french.format_money(D("-50")) == f"{MINUS}50,00{NBSP}€"
    assert french.format_money(D("-0.001")) == f"0,00{NBSP}€"  # no minus zero
    assert french.format_money(D("-999.995")) == f"{MINUS}1{NBSP}000,00{NBSP}€"  # half up
    assert french.format_number(D("123456789012.4"), 0) == f"123{NBSP}456{NBSP}789{NBSP}012"
    assert french.format_number(D("999"), 0) == "999"
    assert french.format_hours(D("1500")) == f"1{NBSP}500,00{NBSP}h"
    assert french.format_rate(D("45")) == f"45,00{NBSP}€/h"
    assert french.format_count(12345) == f"12{NBSP}345"
    assert french.format_percent(45) == f"45{NBSP}%"
    assert french.format_decimal(D("1234.5")) == "1234,50"  # a spreadsheet cell: no grouping


def test_dates_are_written_one_way() -> None:
    day = datetime.date(2026, 3, 1)
    assert french.format_date(day) == "01/03/2026"
    assert french.format_long_date(day) == "1er mars 2026"
    assert french.format_month(day) == "mars 2026"
    assert french.format_day_in_year(day, 2026) == "01/03"
    assert french.format_day_in_year(day, 2027) == "01/03/2026"
    moment = datetime.datetime(2026, 3, 12, 14, 5, 9)
    assert french.format_time(moment) == "12/03/2026 à 14:05"
    assert french.format_time(moment, seconds=True) == "12/03/2026 à 14:05:09"


def test_the_page_helpers_are_the_vocabulary_itself() -> None:
    for value in (D("0"), D("999.995"), D("-1234.5"), D("1000000")):
        assert money(value) == french.format_money(value)
        assert hours(value) == french.format_hours(value)


# --- one kind of no-break space, one number format, in every source -----------------------

SOURCES = ("ledger", "parsers", "render", "service", "sync", "devwiki", "wiki_templates/reports")
# Input recognition only: members may type any space, the parser reads them all as one.
READS_ANY_SPACE = {"parsers/text.py"}
OTHER_SPACES = re.compile(
    r"[\u202f\u2007\u2009]|\\u202f|\\u2007|\\u2009|\\U0000202f|&#8239;|&#x202f;|&thinsp;",
    re.IGNORECASE,
)
NBSP_SPELLINGS = re.compile(r"\u00a0|\\u00a0|\\xa0|\\U000000a0|&#160;|&#xa0;", re.IGNORECASE)
HAND_MADE = re.compile(r":,\.2f|%d/%m/%Y|\.replace\(\"\.\", \",\"\)")


def _sources() -> list[tuple[str, str]]:
    found = []
    for folder in SOURCES:
        for path in sorted((ROOT / folder).rglob("*")):
            if path.suffix in (".py", ".j2", ".html") and "__pycache__" not in path.parts:
                found.append((str(path.relative_to(ROOT)), path.read_text(encoding="utf-8")))
    return found


def test_the_sources_are_scanned() -> None:
    names = {name for name, _ in _sources()}
    assert {"ledger/french.py", "render/wikitext.py", "service/export_ods.py"} <= names
    assert "wiki_templates/reports/bilan.j2" in names


def test_no_source_writes_another_kind_of_no_break_space() -> None:
    strays = [
        f"{name}: {match.group()!r}"
        for name, text in _sources()
        if name not in READS_ANY_SPACE
        for match in OTHER_SPACES.finditer(text)
    ]
    assert strays == []


def test_the_no_break_space_is_spelt_once_in_the_ledger_vocabulary() -> None:
    spelt = [
        name
        for name, text in _sources()
        if name not in READS_ANY_SPACE and NBSP_SPELLINGS.search(text)
    ]
    assert spelt == ["ledger/french.py"]


def test_numbers_and_dates_are_not_formatted_by_hand_outside_the_vocabulary() -> None:
    hand_made = [
        f"{name}: {match.group()}"
        for name, text in _sources()
        if name != "ledger/french.py"
        for match in HAND_MADE.finditer(text)
    ]
    assert hand_made == []


# --- a refused pledge, on every output ----------------------------------------------------

CAMPAIGN = (
    "{{Cobudget|campagne=2026|dotation=200|participants=Alice Martin, Bruno Lefèvre"
    "|ouverture=2026-03-01|clôture=2026-03-31}}\n"
    "{{Projet cobudget|campagne=2026|titre=Vélo cargo|minimum=900}}\n"
)
PLEDGES = (
    "{{Soutien cobudget|campagne=2026|projet=Vélo cargo|membre=Alice Martin|montant=150}}\n"
    "{{Soutien cobudget|campagne=2026|projet=Vélo cargo|membre=Zoé|montant=10}}\n"
)
PLEDGE_PAGE = "Utilisateur:Alice Martin/Cobudget 2026"


def _computation() -> Computation:
    records, problems = Records(), list[Problem]()
    cards = {}
    for page_id, (title, text) in enumerate(
        [("Cobudget 2026", CAMPAIGN), (PLEDGE_PAGE, PLEDGES)], start=1
    ):
        page_records, page_problems, page_cards = parse_page_cards(title, text)
        records.extend(page_records)
        problems.extend(page_problems)
        cards[title] = (page_id, page_cards)
    computation = compute_all(records, problems, SyncConfig(), today=TODAY)
    computation.cards = cards
    return computation


def _ods_rows(data: bytes, sheet: str) -> list[list[str]]:
    document = load(io.BytesIO(data))
    (table,) = [
        t for t in document.spreadsheet.getElementsByType(Table) if t.getAttribute("name") == sheet
    ]
    return [
        [str(cell) for cell in row.getElementsByType(TableCell)]
        for row in table.getElementsByType(TableRow)
    ]


def test_a_refused_pledge_has_one_name_on_the_bilan_the_exports_the_json_and_its_card() -> None:
    refused = french.pledge_state_label("rejected")
    computation = _computation()
    report = computation.campaigns["2026"]
    (pledge,) = [p for p in report.pledges if p.member == "Zoé"]
    assert pledge.state == "rejected"

    bilan = render_bilan(report, generated_at=NOW, today=TODAY)
    (row,) = [block for block in bilan.split("|-") if "Zoé" in block]
    assert f"| {refused}\n" in row
    assert f"'''{refused}'''" in bilan  # the explanation above the table

    text = export_campaign_csv(report).decode("utf-8-sig")
    (csv_row,) = [
        r for r in csv.DictReader(io.StringIO(text), delimiter=";") if r["Membre"] == "Zoé"
    ]
    assert csv_row["État"] == refused

    ods = _ods_rows(export_campaign_ods(report), "Soutiens")
    state = ods[0].index("État")
    (ods_row,) = [r for r in ods if r[0] == "Zoé"]
    assert ods_row[state] == refused
    assert any(r[0] == f"Total {refused}" for r in ods)

    json = campaign_report_to_json(report)
    (json_pledge,) = [p for p in json["pledges"] if p["member"] == "Zoé"]
    (json_problem,) = [
        p for p in json["problems"] if p["line"] == pledge.source.line and p["page"] == PLEDGE_PAGE
    ]
    assert f"soutien {refused}" in json_problem["message"].casefold()
    assert json_pledge["reason"] is not None and refused in json_pledge["reason"]

    (entries,) = [e for e in card_entries(computation).values() if any("Zoé" in k for k in e)]
    (feedback,) = [f for key, f in entries.items() if "Zoé" in key]
    assert feedback.text.startswith(f"{refused} : ")


def test_every_pledge_state_and_project_status_has_one_french_label() -> None:
    assert set(french.PLEDGE_STATES) == {"counted", "suspended", "rejected", "outside"}
    assert set(french.PROJECT_STATUSES) == {"funded", "open", "cancelled", "done"}
    assert french.pledge_reason("counted") is None
    assert french.pledge_reason("rejected", "parce que") == "parce que"
    assert french.project_status_label("") == ""


# --- the status sums exist once -----------------------------------------------------------


@pytest.mark.parametrize("status", list(ContributionStatus))
def test_the_registry_and_the_statements_sum_each_status_by_the_one_rule(
    status: ContributionStatus,
) -> None:
    text = (
        "{{Cercle|nom=Numérique}}\n"
        "{{Enveloppe cercle|cercle=Numérique|année=2026|montant=10000}}\n"
        "{{Contribution|contributeur=Alice Martin|cercle=Numérique|date=2026-03-12"
        f"|heures=3|montant=90|statut={status}}}}}\n"
    )
    records, problems = parse_page("Utilisateur:Alice Martin", text)
    assert [p for p in problems if p.severity == "erreur"] == []
    report = compute_contributions(records, 2026)
    (circle,) = report.circles
    (counted,) = report.contributions
    expected = french.status_sums(status, counted.hours, counted.amount)
    registry = (circle.hours, circle.requested, circle.validated, circle.paid)
    assert registry == tuple(expected)
    statement = sum_declarations([counted])
    assert (statement.hours, statement.requested, statement.validated, statement.paid) == tuple(
        expected
    )


def test_the_status_rule_itself() -> None:
    sums = {status: french.status_sums(status, D("3"), D("90")) for status in ContributionStatus}
    assert sums[ContributionStatus.REFUSED] == (0, 0, 0, 0)
    assert sums[ContributionStatus.VOLUNTARY] == (3, 0, 0, 0)
    assert sums[ContributionStatus.DECLARED] == (3, 90, 0, 0)
    assert sums[ContributionStatus.VALIDATED] == (3, 90, 90, 0)
    assert sums[ContributionStatus.PAID] == (3, 90, 90, 90)


# --- name keys and whose page a page is ---------------------------------------------------


def test_a_member_has_one_key_whichever_way_the_name_is_written() -> None:
    for written in (
        "alice_Martin",
        "  alice   Martin ",
        "Utilisateur:alice Martin",
        "User:alice_Martin",
    ):
        assert member_name(written) == "Alice Martin"
        assert normalise_member(written) == "Alice Martin"
    assert member_name("Membre:alice", ("Membre",)) == "Alice"


@pytest.mark.parametrize(
    ("title", "owner"),
    [
        ("Membre:Alice_Martin/Relevé", "Alice Martin"),
        ("membre:alice martin", "Alice martin"),
        ("Utilisateur:Alice Martin/Relevé", None),  # not a user namespace of this wiki
        ("Discussion membre:Alice Martin", None),
        ("Membre:A@b/Relevé", None),
    ],
)
def test_whose_page_follows_the_configured_user_namespaces(title: str, owner: str | None) -> None:
    assert page_owner(title, ("Membre",)) == owner


def test_the_parser_and_the_statements_agree_on_a_configured_user_namespace() -> None:
    title = "Membre:Alice Martin/Relevé"
    records, problems = parse_page(title, "{{Relevé}}\n", user_namespaces=("Membre",))
    assert problems == [] and [r.member for r in records.statements] == ["Alice Martin"]
    assert requested_statements(records.statements, ("Membre",)) == {title: "Alice Martin"}
    # The same page on a wiki with the usual namespaces is nobody's: both say so.
    records, problems = parse_page(title, "{{Relevé}}\n")
    assert records.statements == [] and "propre page utilisateur" in problems[0].message
    assert page_owner(title) is None


def test_the_declare_buttons_accept_a_configured_user_namespace() -> None:
    pages = PageTitles(declarations="Membre:{nom}/Contributions {année}")
    config = SyncConfig(pages=pages, user_namespaces=("Membre",))
    assert (
        my_page_title(pages.declarations, config) == "Special:MyPage/Contributions {{CURRENTYEAR}}"
    )


def test_the_user_namespaces_default_is_written_once() -> None:
    assert SyncConfig().user_namespaces == DEFAULT_USER_NAMESPACES
    assert ConfigFile().wiki.user_namespaces == DEFAULT_USER_NAMESPACES
