"""A member's statement page: its wikitext, its escaping, and who gets one (only who asked)."""

from __future__ import annotations

import datetime
import html
from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.record import Source, StatementRequest
from ledger.report import (
    CampaignReport,
    CircleTotals,
    ContributionReport,
    CountedContribution,
    CountedPledge,
    MemberTotals,
    ProjectTotals,
    SplitShare,
)
from ledger.statement import Statement, compute_statement
from render.compute import compute_all
from render.config import SyncConfig
from render.pages import without_timestamp
from render.plan import plan_outputs
from render.statement import page_owner, render_statement, requested_statements
from render.wikitext import escape
from tests.unit.test_export_routes import records

NOW = datetime.datetime(2026, 4, 15, 14, 5)
NBSP = "\u00a0"
EVIL = (
    "[[Catégorie:X]] {{Modèle}} {{{1}}} |} || |- !! __NOTOC__ ~~~~ <ref>r</ref>\n* ISBN 1234567890"
)
PAGE = "Contribution-rétribution/Déclarations"
USER_NAMESPACES = ("Utilisateur", "Utilisatrice", "User")


def declaration(line, who, circle, date, hours, amount, status, mission="Accueil des nouveaux"):
    return CountedContribution(
        Source(PAGE, line), who, circle, date, D(hours), D(amount), status, mission
    )


def reports(*, name="Alice Martin", mission="Comptabilité", circle="Numérique"):
    """2025: one paid declaration. 2026: `circle` is over its envelope, Alice's share 1 381,82."""
    zero = D("0.00")
    day = datetime.date
    over = CircleTotals(
        circle, D("1000.00"), D("1825.00"), zero, D("300.00"), D("-825.00"), zero, True,
        split=(SplitShare(name, D("1450.00"), D("1381.82"), D("300.00")),),
    )  # fmt: skip
    return {
        2025: ContributionReport(
            2025,
            circles=[CircleTotals("Accueil", *[zero] * 6, False)],
            contributions=[declaration(2, name, "Accueil", day(2025, 11, 5), "4", "120", "versée")],
        ),
        2026: ContributionReport(
            2026,
            circles=[over],
            contributions=[
                declaration(5, name, circle, day(2026, 1, 15), "10", "300", "versée", mission),
                declaration(3, name, circle, day(2026, 3, 12), "45", "1450", "déclarée"),
                declaration(8, name, circle, day(2026, 2, 1), "3", "90", "refusée"),
            ],
        ),
    }


def campaigns(*, name="Alice Martin", title="Four à pain", campagne="2026", suspended=False):
    page = f"Cobudget {campagne}/Soutiens"
    pledged, remaining = (D("0.00"), D("1000.00")) if suspended else (D("600.00"), D("400.00"))
    state = "suspended" if suspended else "counted"
    return {
        campagne: CampaignReport(
            campagne=campagne, envelope=D("3000.00"), dotation=D("1000.00"),
            unallocated=D("0.00"),
            members=[MemberTotals(name, D("1000.00"), pledged, remaining, suspended,
                                  D("1100.00") if suspended else D("0.00"))],
            projects=[
                ProjectTotals(title, page, D("800.00"), D("1000.00"), D("900.00"), 2, "funded",
                              False, D("0.00")),
                ProjectTotals("Jardin", page, D("500.00"), None, D("100.00"), 1, "open",
                              True, D("0.00")),
            ],
            pledges=[
                CountedPledge(Source(page, 2), name, title, D("500.00"), state),
                CountedPledge(Source(page, 3), name, "Jardin", D("100.00"), state),
                CountedPledge(Source(page, 4), name, "Projet oublié", D("500.00"), "rejected"),
            ],
        )
    }  # fmt: skip


def statement(*, name="Alice Martin", suspended=False, **fields) -> Statement:
    contribution_fields = {k: v for k, v in fields.items() if k in ("mission", "circle")}
    campaign_fields = {k: v for k, v in fields.items() if k in ("title", "campagne")}
    return compute_statement(
        None,  # type: ignore[arg-type]  # reports are given: records are never read
        name,
        contribution_reports=reports(name=name, **contribution_fields),
        campaign_reports=campaigns(name=name, suspended=suspended, **campaign_fields),
    )


def skeleton(wikitext: str) -> list[str]:
    """The table and section structure: how each line starts."""
    return [line[:2] for line in wikitext.split("\n")]


# --- Structure -------------------------------------------------------------------------------


def test_the_statement_opens_with_the_generation_time_and_the_members_totals() -> None:
    out = render_statement(statement(), generated_at=NOW)
    first, _, headline = out.split("\n")[:3]
    assert first == (
        '<span class="wikiledger-horodatage">'
        "Mis à jour par wikiledger le 15/04/2026 à 14:05.</span>"
    )
    assert headline == (
        "'''Relevé de [[Utilisateur:Alice Martin|Alice Martin]]''' — 4 déclarations · "
        f"demandé '''1{NBSP}870,00{NBSP}€''' · versé '''420,00{NBSP}€''' · "
        f"reste à verser '''1{NBSP}450,00{NBSP}€''' · 1 campagne de cobudget."
    )


def test_only_the_generation_time_differs_between_two_renders() -> None:
    earlier = render_statement(statement(), generated_at=NOW)
    later = render_statement(statement(), generated_at=NOW + datetime.timedelta(hours=3))
    assert earlier != later and without_timestamp(earlier) == without_timestamp(later)


def test_sections_come_per_year_then_per_campagne() -> None:
    out = render_statement(statement(), generated_at=NOW)
    headings = [line for line in out.split("\n") if line.startswith("==")]
    assert headings == [
        "== Contribution-rétribution ==", "=== 2025 ===", "=== 2026 ===",
        "== Cobudget ==", "=== Campagne 2026 ===",
    ]  # fmt: skip


def test_each_year_has_its_totals_and_what_remains_to_be_paid() -> None:
    out = render_statement(statement(), generated_at=NOW)
    year_row = out.split("|-\n| 2026\n", 1)[1].split("\n")[:6]
    assert [cell.rsplit("| ", 1)[1] for cell in year_row] == [
        "3", f"55,00{NBSP}h", f"1{NBSP}750,00{NBSP}€", f"300,00{NBSP}€", f"300,00{NBSP}€",
        f"1{NBSP}450,00{NBSP}€",
    ]  # fmt: skip  # the refusée is listed but counts neither hours nor money
    assert '! colspan="2" | Total 2026\n! style="text-align:right" data-sort-value="55.00"' in out
    assert f'! style="text-align:right" data-sort-value="1870.00" | 1{NBSP}870,00' in out


def test_a_declaration_shows_date_circle_hours_amount_status_mission_and_source() -> None:
    out = render_statement(statement(), generated_at=NOW)
    row = out.split('| data-sort-value="2026-01-15" | 15/01/2026\n', 1)[1].split("\n")[:6]
    assert row == [
        "| Numérique",
        f'| style="text-align:right" data-sort-value="10.00" | 10,00{NBSP}h',
        f'| style="text-align:right" data-sort-value="300.00" | 300,00{NBSP}€',
        "| versée",
        "| Comptabilité",
        f"| [[:{PAGE}|{PAGE}]], l.{NBSP}5",
    ]
    assert "| <s>refusée</s>" in out


def test_a_circle_over_its_envelope_shows_the_members_share_of_the_closing_split() -> None:
    out = render_statement(statement(), generated_at=NOW)
    assert "⚠ 1 cercle dépasse son enveloppe" in out
    assert f'data-sort-value="1381.82" | 1{NBSP}381,82{NBSP}€' in out
    assert (
        f"⚠ Le cercle « Numérique » dépasse son enveloppe 2026 : la répartition de clôture "
        f"proposée attribue '''1{NBSP}381,82{NBSP}€''' pour 1{NBSP}450,00{NBSP}€ demandés"
    ) in out


def test_each_pledge_shows_the_state_of_its_project() -> None:
    out = render_statement(statement(), generated_at=NOW)
    assert (
        f"Dotation '''1{NBSP}000,00{NBSP}€''' · promis '''600,00{NBSP}€''' · "
        f"reste à promettre '''400,00{NBSP}€'''."
    ) in out
    four = out.split("|-\n| Four à pain\n", 1)[1].split("\n")[:8]
    assert [cell.rsplit("| ", 1)[1] for cell in four[:7]] == [
        f"500,00{NBSP}€", "compté", f"900,00{NBSP}€", f"800,00{NBSP}€",
        f"1{NBSP}000,00{NBSP}€", f"112{NBSP}%", "financé",
    ]  # fmt: skip
    assert four[7] == f"| [[:Cobudget 2026/Soutiens|Cobudget 2026/Soutiens]], l.{NBSP}2"
    jardin = out.split("| Jardin\n", 1)[1].split("\n")[:7]
    assert jardin[6] == "| ouvert" and jardin[5].endswith(f"20{NBSP}%")
    assert "| Projet oublié\n" in out and "| refusé\n" in out and "| ''projet inconnu''" in out


def test_suspended_pledges_are_flagged_with_what_was_pledged() -> None:
    out = render_statement(statement(suspended=True), generated_at=NOW)
    assert "⚠ Des soutiens de cobudget sont '''suspendus'''" in out
    assert f"'''Soutiens suspendus''' : 1{NBSP}100,00{NBSP}€ promis" in out
    assert out.count("| suspendu\n") == 2


def test_with_page_titles_years_link_their_registry_and_campagnes_their_bilan() -> None:
    class Pages:  # the two methods of render.config.PageTitles the statement uses
        def registry_for(self, year: int) -> str:
            return f"Registre {year}"

        def bilan_for(self, campagne: str) -> str:
            return f"Cobudget {campagne}/Bilan"

    out = render_statement(statement(), generated_at=NOW, pages=Pages())  # type: ignore[arg-type]
    assert "registre de l’année : [[:Registre 2026|Registre 2026]]." in out
    assert "bilan de la campagne : [[:Cobudget 2026/Bilan|Cobudget 2026/Bilan]]." in out


def test_a_member_with_nothing_yet_gets_friendly_sentences_and_no_table() -> None:
    out = render_statement(Statement(member="Zoé"), generated_at=NOW)
    assert "Aucune déclaration de contribution à ce nom pour l’instant." in out
    assert "Aucune participation à une campagne de cobudget pour l’instant." in out
    assert "{|" not in out and "'''Relevé de [[Utilisateur:Zoé|Zoé]]''' — 0 déclaration" in out


# --- Escaping --------------------------------------------------------------------------------


@pytest.mark.parametrize("field", ["mission", "circle", "title", "campagne"])
def test_a_hostile_field_changes_no_structure_and_injects_nothing(field: str) -> None:
    benign = render_statement(statement(), generated_at=NOW)
    hostile = render_statement(statement(**{field: EVIL}), generated_at=NOW)
    assert skeleton(hostile) == skeleton(benign)
    assert "[[Catégorie" not in hostile and "{{" not in hostile and "<ref" not in hostile
    assert "~~~" not in hostile and "__NOTOC__" not in hostile and "ISBN" not in hostile
    assert html.unescape(escape(EVIL)) in html.unescape(hostile)


def test_a_hostile_mission_is_shown_as_exact_escaped_text() -> None:
    out = render_statement(statement(mission="{{PAGENAME}} [[Catégorie:X]]"), generated_at=NOW)
    assert "| &#123;&#123;PAGENAME&#125;&#125; &#91;&#91;Catégorie&#58;X&#93;&#93;\n" in out


def test_a_hostile_member_name_is_plain_escaped_text_not_a_link() -> None:
    out = render_statement(statement(name="A|b]] [[Catégorie:X]]"), generated_at=NOW)
    assert "'''Relevé de A&#124;b&#93;&#93; &#91;&#91;Catégorie&#58;X&#93;&#93;''' —" in out
    assert "[[Utilisateur:" not in out and "[[Catégorie" not in out


# --- Who gets a statement --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "owner"),
    [
        ("Utilisateur:Alice Martin", "Alice Martin"),
        ("Utilisateur:Alice_Martin/Relevé 2026", "Alice Martin"),
        ("Utilisatrice:alice Martin", "Alice Martin"),
        ("User:Bob/a/b", "Bob"),
        ("utilisateur:Bob", "Bob"),
        ("Alice Martin", None),
        ("Discussion utilisateur:Alice Martin", None),
        ("Projet:Utilisateur:Alice Martin", None),
        ("Utilisateur:", None),
        ("Utilisateur:/Relevé", None),
    ],
)
def test_the_owner_of_a_page_is_the_root_of_a_user_page(title: str, owner: str | None) -> None:
    assert page_owner(title, USER_NAMESPACES) == owner


def request(member: str, page: str, line: int = 1) -> StatementRequest:
    return StatementRequest(member, Source(page, line))


def test_only_requests_on_the_members_own_user_pages_are_honoured() -> None:
    requests = [
        request("Alice Martin", "Utilisateur:Alice Martin"),
        request("alice_Martin", "Utilisateur:Alice Martin/Relevé", 4),
        request("Alice Martin", "Utilisateur:Bob/Relevé"),  # Bob's page naming Alice
        request("Bob", "Contribution-rétribution/Relevés"),  # main namespace
        request("Bob", "Discussion utilisateur:Bob"),  # a talk page is not the user's page
        request("Carole", "User:Carole"),
    ]
    assert requested_statements(requests, USER_NAMESPACES) == {
        "Utilisateur:Alice Martin": "Alice Martin",
        "Utilisateur:Alice Martin/Relevé": "Alice Martin",
        "User:Carole": "Carole",
    }


def test_two_requests_on_one_page_give_one_statement() -> None:
    requests = [request("Bob", "Utilisateur:Bob", 9), request("Bob", "Utilisateur:Bob", 2)]
    assert requested_statements(requests, USER_NAMESPACES) == {"Utilisateur:Bob": "Bob"}


@settings(max_examples=100, deadline=None)
@given(st.text(), st.text())
def test_any_mission_or_project_title_stays_inside_its_own_cell(mission: str, title: str) -> None:
    benign = render_statement(statement(), generated_at=NOW)
    out = render_statement(statement(mission=mission, title=title), generated_at=NOW)
    assert skeleton(out) == skeleton(benign)
    lines = out.split("\n")
    for original in ("| Comptabilité", "| Four à pain"):
        cell = lines[benign.split("\n").index(original)]
        body = cell.removeprefix("| ")
        assert cell.startswith("| ")
        assert "[[" not in body and "{{" not in body and "|" not in body and "<" not in body


def test_plan_outputs_adds_a_statement_page_only_where_its_owner_asked_for_it() -> None:
    wiki = records()
    wiki.statements = [
        request("Alice Martin", "Utilisateur:Alice Martin/Relevé"),
        request("Alice Martin", "Utilisateur:Bob/Relevé"),  # Bob's page naming Alice
        request("Bob", "Contribution-rétribution/Accueil"),  # not a user page
        request("Carole", "Utilisatrice:Carole"),
    ]
    computation = compute_all(wiki, [], SyncConfig(), today=datetime.date(2026, 4, 15))
    outputs = plan_outputs(computation, SyncConfig())
    statements = [o for o in outputs if o.must_exist]
    assert [o.title for o in statements] == [
        "Utilisateur:Alice Martin/Relevé",
        "Utilisatrice:Carole",
    ]
    alice, carole = statements
    assert alice.digest == "relevé de Alice Martin : 3 déclarations, demandé 510,00 €"
    assert "'''Relevé de [[Utilisateur:Alice Martin|Alice Martin]]'''" in alice.generated
    assert "[[:Contribution-rétribution/Registre 2026|" in alice.generated
    assert carole.digest == "relevé de Carole : 1 déclaration, demandé 0,00 €"  # refused
    assert all(
        not o.title.startswith(("Utilisateur:Bob", "Contribution-rétribution/Accueil"))
        for o in outputs
    )
