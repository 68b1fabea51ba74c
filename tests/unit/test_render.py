"""The generated wikitext of the summary pages: structure, French formats, and no injection."""

from __future__ import annotations

import dataclasses
import datetime
import html
import re
import subprocess
import sys
from decimal import Decimal as D

import jinja2
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.record import Problem, Severity, Source
from ledger.report import (
    CampaignReport,
    CircleTotals,
    ContributionReport,
    ContributorTotals,
    CountedContribution,
    CountedPledge,
    MemberTotals,
    MonthTotals,
    ProjectTotals,
    SplitShare,
)
from render import pages as render
from render.pages import (
    render_anomalies,
    render_bilan,
    render_campaign_data,
    render_contribution_data,
    render_registry,
    render_registry_circle,
    without_timestamp,
)
from render.wikitext import Wikitext, escape

NOW = datetime.datetime(2026, 4, 15, 14, 5)
NBSP = "\u00a0"
EVIL = (
    "[[Catégorie:X]] {{Modèle}} {{{1}}} |} || |- !! __NOTOC__ ~~~~ <ref>r</ref>\n* ISBN 1234567890"
)


def registry_report(
    *, mission: str = "Comptabilité de mars", name: str = "Alice Martin"
) -> ContributionReport:
    numerique = CircleTotals(
        "Numérique", D("10000.00"), D("15000.00"), D("9000.00"), D("4000.00"), D("-5000.00"),
        D("500.00"), True,
        split=(
            SplitShare(name, D("7000.00"), D("4200.00"), D("1000.00")),
            SplitShare("Bob", D("4000.00"), D("1800.00"), D("3000.00")),
        ),
        declarations=12,
    )  # fmt: skip
    accueil = CircleTotals(
        "Accueil", D("3000.00"), D("1234.50"), D("1000.00"), D("500.00"), D("1765.50"),
        D("41.15"), False, declarations=3,
    )  # fmt: skip
    contribution = CountedContribution(
        Source("Cercle Numérique/Contributions", 12), name, "Numérique",
        datetime.date(2026, 3, 12), D("12.50"), D("375.00"), "validée", mission,
    )  # fmt: skip
    return ContributionReport(
        2026,
        [numerique, accueil],
        [ContributorTotals(name, D("12.50"), D("375.00"), D("375.00"), D("0.00"))],
        [MonthTotals("2026-03", D("12.50"), D("375.00"), D("375.00"), D("0.00"))],
        [contribution],
    )


def circle_page(
    report: ContributionReport | None = None, *, registry_page: str | None = None
) -> str:
    """The page of the declarations of the report's first circle (Numérique)."""
    report = report or registry_report()
    circle = report.circles[0]
    declarations = [c for c in report.contributions if c.circle == circle.name]
    return render_registry_circle(
        report.year, circle, declarations, generated_at=NOW, registry_page=registry_page
    )


def both_pages(report: ContributionReport) -> list[str]:
    """The registry and the page of its first circle's declarations."""
    return [render_registry(report, generated_at=NOW), circle_page(report)]


def campaign_report(*, title: str = "Nouveau site") -> CampaignReport:
    project = ProjectTotals(
        title, "Cobudget 2026/Site", D("2000.00"), D("4000.00"), D("2500.00"), 3, "funded",
        False, D("0.00"), ("Alice Martin",),
    )  # fmt: skip
    return CampaignReport(
        "2026", D("30000.00"), D("1000.00"), D("0.50"),
        members=[
            MemberTotals("Alice Martin", D("1000.00"), D("800.00"), D("200.00"), False),
            MemberTotals("Bob", D("1000.00"), D("0.00"), D("1000.00"), True, D("1500.00")),
        ],
        projects=[
            project,
            ProjectTotals("Formation", "Cobudget 2026/Formation", D("1000.00"), None,
                          D("600.00"), 1, "open", False, D("0.00")),
            ProjectTotals("Caisse de solidarité", "Cobudget 2026/Solidarité", D("5000.00"),
                          None, D("100.00"), 2, "open", True, D("0.00")),
            ProjectTotals("Fête", "Cobudget 2026/Fête", D("500.00"), None, D("0.00"), 0,
                          "cancelled", False, D("0.00")),
        ],
        pledges=[CountedPledge(Source("Utilisateur:Bob", 3), "Bob", title, D("1500.00"),
                               "suspended")],
        opening=datetime.date(2026, 3, 1), closing=datetime.date(2026, 4, 30),
    )  # fmt: skip


def skeleton(wikitext: str) -> list[str]:
    """The table and section structure: how each line starts."""
    return [line[:2] for line in wikitext.split("\n")]


def cell_of(wikitext: str, escaped: str) -> str:
    """The one table cell line that holds `escaped`."""
    lines = [line for line in wikitext.split("\n") if line.startswith("| ") and escaped in line]
    assert len(lines) >= 1
    return lines[0]


# --- Escaping is the default --------------------------------------------------------------


def test_every_template_expression_is_escaped_unless_a_filter_made_it() -> None:
    template = render._environment().from_string("{{ text }} / {{ safe }} / {{ 42 }}")
    out = template.render(text="[[x]]", safe=Wikitext("[[y]]"))
    assert out == "&#91;&#91;x&#93;&#93; / [[y]] / 42"


def test_a_raw_decimal_or_date_in_a_template_is_a_bug_not_silent_output() -> None:
    template = render._environment().from_string("{{ value }}")
    with pytest.raises(TypeError):
        template.render(value=D("1.00"))
    with pytest.raises(TypeError):
        template.render(value=datetime.date(2026, 1, 1))
    with pytest.raises(jinja2.UndefinedError):
        template.render()


def test_importing_the_renderer_builds_no_environment() -> None:
    code = "import render.pages as r; print(r._environment.cache_info().currsize)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "0", result.stderr


@pytest.mark.parametrize("field", ["mission", "name"])
def test_a_hostile_mission_or_name_changes_no_table_structure(field: str) -> None:
    benign_pages = both_pages(registry_report())
    hostile_pages = both_pages(registry_report(**{field: EVIL}))
    for benign, hostile in zip(benign_pages, hostile_pages, strict=True):
        assert skeleton(hostile) == skeleton(benign)
        assert "[[Catégorie" not in hostile and "{{" not in hostile and "<ref" not in hostile
        assert "~~~" not in hostile and "__NOTOC__" not in hostile and "ISBN" not in hostile
    assert html.unescape(escape(EVIL)) in html.unescape(hostile)  # on the circle's page


def test_a_hostile_mission_is_shown_as_exact_escaped_text() -> None:
    out = circle_page(registry_report(mission="{{PAGENAME}} [[Catégorie:X]]"))
    assert "| &#123;&#123;PAGENAME&#125;&#125; &#91;&#91;Catégorie&#58;X&#93;&#93;\n" in out


def test_a_hostile_contributor_name_is_plain_text_not_a_link() -> None:
    for out in both_pages(registry_report(name="a|b]]")):
        assert "\n| a&#124;b&#93;&#93;\n" in out
        assert "Utilisateur:a" not in out


@settings(max_examples=150, deadline=None)
@given(st.text())
def test_any_mission_stays_inside_its_own_cell(mission: str) -> None:
    benign = circle_page(registry_report(mission="x"))
    out = circle_page(registry_report(mission=mission))
    assert skeleton(out) == skeleton(benign)
    cell = out.split("\n")[benign.split("\n").index("| x")]
    body = cell.removeprefix("| ")
    assert cell.startswith("| ")
    assert "[[" not in body and "{{" not in body and "|" not in body and "!!" not in body
    assert "<" not in body and "\n" not in body and "~~~" not in body
    assert html.unescape(body) == re.sub(r"[\x00-\x1f\x7f-\x9f]", " ", mission)


@settings(max_examples=100, deadline=None)
@given(st.text())
def test_any_project_title_stays_inert_in_the_bilan_and_the_data_page(title: str) -> None:
    benign_bilan = render_bilan(campaign_report(), generated_at=NOW, today=NOW.date())
    bilan = render_bilan(campaign_report(title=title), generated_at=NOW, today=NOW.date())
    assert skeleton(bilan) == skeleton(benign_bilan)
    data = render_campaign_data(campaign_report(title=title))
    assert len(data.split("\n")) == len(render_campaign_data(campaign_report()).split("\n"))
    for line in data.split("\n")[1:-2]:
        key, separator, _ = line.removeprefix("| ").partition(" = ")
        assert separator and "[[" not in key and "|" not in key.replace("{{!}}", "")
        assert "{{" not in key.replace("{{!}}", "").replace("{{=}}", "")


# --- Registry ------------------------------------------------------------------------------


def test_the_registry_opens_with_the_summary_and_the_generation_time() -> None:
    out = render_registry(registry_report(), generated_at=NOW)
    first, _, summary = out.split("\n")[:3]
    assert "15/04/2026 à 14:05" in first
    assert summary == (
        f"'''Registre 2026''' — enveloppe totale '''13{NBSP}000,00{NBSP}€''' · demandé "
        f"'''16{NBSP}234,50{NBSP}€''' · versé '''4{NBSP}500,00{NBSP}€''' · 15 déclarations."
    )


def test_the_generation_time_is_the_only_difference_between_two_renders() -> None:
    later = NOW + datetime.timedelta(hours=3)
    first = render_registry(registry_report(), generated_at=NOW)
    second = render_registry(registry_report(), generated_at=later)
    assert first != second
    assert without_timestamp(first) == without_timestamp(second)


def test_registry_tables_are_sortable_with_sort_keys_and_totals_at_the_bottom() -> None:
    out = render_registry(registry_report(), generated_at=NOW)
    assert out.count('{| class="wikitable sortable"') == 3  # circles, people, months
    assert out.count('|- class="sortbottom"') == 3
    assert f'| style="text-align:right" data-sort-value="1234.50" | 1{NBSP}234,50{NBSP}€' in out
    assert f'! style="text-align:right" data-sort-value="16234.50" | 16{NBSP}234,50{NBSP}€' in out
    assert f'| style="text-align:right" data-sort-value="150" | 150{NBSP}%' in out
    assert '| data-sort-value="2026-03" | mars 2026' in out
    circle = circle_page()  # Numérique, over its envelope: its split, then its declarations
    assert circle.count('{| class="wikitable sortable"') == 2
    assert circle.count('|- class="sortbottom"') == 2
    assert '| data-sort-value="2026-03-12" | 12/03/2026' in circle


def test_a_circle_over_its_envelope_is_flagged_and_gets_its_proposed_split() -> None:
    out = render_registry(registry_report(), generated_at=NOW)
    assert '|- style="background:#fee7e6"\n| Numérique\n' in out
    assert f"⚠ '''dépassement de 5{NBSP}000,00{NBSP}€'''" in out
    assert "== Répartitions proposées ==" in out and "=== Numérique ===" in out
    assert "au prorata de leurs demandes non encore versées" in out
    assert "centime inférieur" in out and "plus grands restes" in out
    assert f"Disponible à répartir : 6{NBSP}000,00{NBSP}€" in out
    # the parts of each person are on the circle's page, to keep the registre light
    page = circle_page()
    assert "[[#Répartition de clôture proposée|répartition de clôture]]" in page
    split = page.split("== Répartition de clôture proposée ==")[1].split("|}")[0]
    assert "au prorata des demandes non encore versées" in split
    assert "[[Utilisateur:Bob|Bob]]" in split
    assert f'! style="text-align:right" data-sort-value="6000.00" | 6{NBSP}000,00{NBSP}€' in split


def test_no_split_section_when_every_circle_is_within_its_envelope() -> None:
    report = registry_report()
    report.circles = [c for c in report.circles if not c.over_envelope]
    out = render_registry(report, generated_at=NOW)
    assert "Répartitions proposées" not in out and "dépasse" not in out


def test_a_circle_without_envelope_says_so_instead_of_showing_a_share() -> None:
    report = registry_report()
    report.circles = [dataclasses.replace(report.circles[1], has_envelope=False)]
    out = render_registry(report, generated_at=NOW)
    assert "pas d’enveloppe 2026" in out and "''aucune''" in out


def test_the_registry_lists_no_declaration_and_links_each_circle_to_its_page() -> None:
    pages = {"Numérique": "Registre 2026/Numérique"}
    out = render_registry(registry_report(), generated_at=NOW, circle_pages=pages)
    assert "== Déclarations ==" not in out and "Comptabilité de mars" not in out
    assert "\n| [[:Registre 2026/Numérique|Numérique]]\n" in out
    assert "\n| Accueil\n" in out  # no page given: the name alone
    assert "est sur la [[:Registre 2026/Numérique|page du cercle]]." in out  # the split's parts
    assert "Le nom d’un cercle mène à la liste de ses déclarations 2026." in out
    assert "mène à la liste" not in render_registry(registry_report(), generated_at=NOW)


def test_a_circle_page_opens_with_its_totals_and_links_the_registry() -> None:
    out = circle_page(registry_page="Registre 2026")
    first, _, summary = out.split("\n")[:3]
    assert "15/04/2026 à 14:05" in first
    assert summary == (
        f"'''Numérique — registre 2026''' — enveloppe '''10{NBSP}000,00{NBSP}€''' · demandé "
        f"'''15{NBSP}000,00{NBSP}€''' · validé '''9{NBSP}000,00{NBSP}€''' · versé "
        f"'''4{NBSP}000,00{NBSP}€''' · 500,00{NBSP}h · 12 déclarations."
    )
    assert f"dépasse son enveloppe de 5{NBSP}000,00{NBSP}€" in out
    assert "est proposée plus bas." in out
    report = registry_report()
    report.circles = [report.circles[1]]  # Accueil: within its envelope
    within = circle_page(report, registry_page="R")
    assert "Les totaux de tous les cercles sont sur le [[:R|registre 2026]]." in within


def test_a_circle_page_without_envelope_says_so_in_its_totals() -> None:
    report = registry_report()
    report.circles = [dataclasses.replace(report.circles[1], has_envelope=False)]
    assert "''' — enveloppe ''aucune'' · demandé" in circle_page(report)


def test_the_total_of_a_circle_page_leaves_out_refused_declarations() -> None:
    report = registry_report()
    refused = dataclasses.replace(report.contributions[0], status="refusée", amount=D("99.00"))
    report.contributions.append(refused)
    out = circle_page(report)
    assert "| <s>refusée</s>\n" in out and '|- style="color:#54595d"' in out
    total = out.split('|- class="sortbottom"')[-1]  # the declarations' table comes last
    assert '! colspan="2" | Total (hors refusées)' in total
    assert f'data-sort-value="375.00" | 375,00{NBSP}€' in total


def test_declarations_link_the_contributor_and_the_source_line() -> None:
    out = circle_page()
    assert (
        "| [[Utilisateur:Alice Martin|Alice Martin]]\n"
        f'| style="text-align:right" data-sort-value="12.50" | 12,50{NBSP}h\n'
    ) in out
    assert (
        f"| [[:Cercle Numérique/Contributions|Cercle Numérique/Contributions]], l.{NBSP}12" in out
    )


def test_the_split_shows_what_it_leaves_uncovered_which_adds_up_to_the_overrun() -> None:
    split = circle_page().split("== Répartition de clôture proposée ==")[1].split("|}")[0]
    assert "! Contributeur·rice !! Déjà versé !! Demande non versée !! Proposé" in split
    assert "!! Part de la demande !! Non couvert" in split
    assert f'| style="text-align:right" data-sort-value="2800.00" | 2{NBSP}800,00{NBSP}€' in split
    assert f'! style="text-align:right" data-sort-value="5000.00" | 5{NBSP}000,00{NBSP}€' in split
    assert f"Les demandes non versées s’élèvent à 11{NBSP}000,00{NBSP}€" in split
    assert f"couverte à 54{NBSP}% environ" in split and "(c’est le dépassement)" in split


def test_a_negative_remainder_is_shown_in_red_in_the_circle_table() -> None:
    out = render_registry(registry_report(), generated_at=NOW)
    assert (
        'style="text-align:right; color:#b32424; font-weight:bold" data-sort-value="-5000.00"'
        in out
    )


def test_the_problems_notice_links_the_anomalies_page_when_it_is_known() -> None:
    report = registry_report()
    report.problems = [problem("P", 1, Severity.ERROR, "date illisible")]
    linked = render_registry(report, generated_at=NOW, anomalies_page="C-r/Anomalies")
    assert "(voir [[:C-r/Anomalies|la page des anomalies]])." in linked
    assert "(voir la page des anomalies)." in render_registry(report, generated_at=NOW)


@pytest.mark.parametrize("page", ["registry", "circle", "bilan", "anomalies"])
def test_every_table_scrolls_sideways_instead_of_widening_a_phone_screen(page: str) -> None:
    problems = [problem("P", 1, Severity.ERROR, "date illisible")]
    out = {
        "registry": lambda: render_registry(registry_report(), generated_at=NOW),
        "circle": lambda: circle_page(),
        "bilan": lambda: render_bilan(campaign_report(), generated_at=NOW, today=NOW.date()),
        "anomalies": lambda: render_anomalies(problems, generated_at=NOW),
    }[page]()
    tables = out.count("\n{|")
    assert tables >= 1 and out.count("\n|}\n") == tables
    assert out.count('<div style="overflow-x:auto">\n{|') == tables
    assert out.count("\n|}\n</div>\n") == tables


def test_an_amount_over_the_ceiling_is_flagged_before_it_so_that_digits_stay_aligned() -> None:
    report = registry_report()
    report.contributions = [dataclasses.replace(report.contributions[0], over_ceiling=True)]
    out = circle_page(report)
    flagged = f'| style="text-align:right; background:#fef6e7" data-sort-value="375.00" | ⚠{NBSP}'
    assert flagged + f"375,00{NBSP}€\n" in out
    assert "⚠ devant un montant" in out
    assert "⚠ devant un montant" not in circle_page()


def test_an_empty_year_says_there_is_nothing_yet() -> None:
    out = render_registry(ContributionReport(2027), generated_at=NOW)
    assert "Aucune déclaration n’est encore comptée pour 2027." in out and "{|" not in out


# --- Anomalies -----------------------------------------------------------------------------


def problem(page: str, line: int, severity: Severity, message: str) -> Problem:
    return Problem(Source(page, line), "Contribution", severity, message)


def test_anomalies_are_counted_and_grouped_by_page_with_coloured_severity() -> None:
    problems = [
        problem("B", 9, Severity.WARNING, "montant au-dessus du plafond"),
        problem("A", 4, Severity.ERROR, "cercle inconnu « Numerique »"),
        problem("B", 2, Severity.ERROR, "date illisible"),
    ]
    out = render_anomalies(problems, generated_at=NOW)
    assert "'''2 erreurs''' et '''1 avertissement''' sur 2 pages." in out
    assert out.index("[[:A|A]]") < out.index("[[:B|B]]")
    assert '| rowspan="2" | [[:B|B]]' in out and out.count("[[:B|B]]") == 1
    assert out.count('font-weight:bold" | erreur') == 2
    assert out.count('| style="background:#fef6e7; color:#7a4b00" | avertissement') == 1
    assert '| <code style="white-space:nowrap">&#123;&#123;Contribution&#125;&#125;</code>' in out
    assert "| cercle inconnu « Numerique »" in out


def test_no_anomaly_gets_a_friendly_sentence_and_no_table() -> None:
    out = render_anomalies([], generated_at=NOW)
    assert "Aucune anomalie" in out and "{|" not in out


def test_an_anomaly_message_quoting_member_input_is_escaped() -> None:
    out = render_anomalies(
        [problem("P", 1, Severity.ERROR, f"cercle « {EVIL} »")], generated_at=NOW
    )
    assert f"| cercle « {escape(EVIL)} »\n" in out


# --- Bilan ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "state"),
    [
        (datetime.date(2026, 2, 1), "pas encore ouverte (ouverture le 01/03/2026)"),
        (datetime.date(2026, 4, 30), "ouverte jusqu’au 30/04/2026 inclus"),
        (datetime.date(2026, 5, 1), "close depuis le 30/04/2026"),
    ],
)
def test_the_bilan_says_whether_the_campaign_is_open(today: datetime.date, state: str) -> None:
    out = render_bilan(campaign_report(), generated_at=NOW, today=today)
    assert f"'''Campagne 2026''' — {state}." in out


def test_the_bilan_lists_funded_open_cross_cutting_and_closed_projects_apart() -> None:
    out = render_bilan(campaign_report(), generated_at=NOW, today=NOW.date())
    sections = re.split(r"\n== ", out)
    titles = [s.split(" ==")[0] for s in sections[1:]]
    assert titles == [
        "Projets financés", "Projets ouverts", "Propositions transversales",
        "Projets réalisés ou annulés", "Participant·es", "Soutiens non comptés",
    ]  # fmt: skip
    assert sections[1].count("\n* ") == 1 and sections[2].count("\n* ") == 1
    site = "'''[[:Cobudget 2026/Site|Nouveau site]]'''"
    supporters = '<span style="white-space:nowrap">3 co-financeur·euses</span>'
    assert f"* {site} – 2{NBSP}500,00{NBSP}€ – {supporters}" in sections[1]
    assert "width:62%" in sections[1] and "left:50%" in sections[1]  # pledged, then the minimum
    assert f"60{NBSP}% du minimum" in sections[2]
    assert f"il manque '''400,00{NBSP}€'''" in sections[2]
    assert "Caisse de solidarité" in sections[3] and "'''ouvert'''" in sections[3]
    assert "'''annulé'''" in sections[4]


def test_each_group_of_projects_opens_with_its_count_and_total() -> None:
    out = render_bilan(campaign_report(), generated_at=NOW, today=NOW.date())
    assert f"1 projet a atteint son minimum : '''2{NBSP}500,00{NBSP}€''' promis." in out
    assert (
        f"1 projet attend encore des soutiens : 600,00{NBSP}€ promis, "
        f"il manque '''400,00{NBSP}€''' pour atteindre le minimum."
    ) in out
    assert f"1 proposition, 100,00{NBSP}€ promis." in out
    assert "le trait noir marque le minimum" in out  # the bars are explained once


def test_a_project_pledged_beyond_its_maximum_shows_where_the_maximum_was_on_its_bar() -> None:
    report = campaign_report()
    site = dataclasses.replace(report.projects[0], pledged=D("5000.00"), excess=D("1000.00"))
    report.projects = [site]
    out = render_bilan(report, generated_at=NOW, today=NOW.date())
    assert "width:100%" in out and 'title="minimum" style="position:absolute; left:40%' in out
    assert 'title="maximum" style="position:absolute; left:80%' in out
    assert f"⚠ 1{NBSP}000,00{NBSP}€ au-delà du maximum" in out
    within = render_bilan(campaign_report(), generated_at=NOW, today=NOW.date())
    assert 'title="maximum"' not in within


def test_the_bilan_shows_each_participant_and_the_suspended_pledges() -> None:
    out = render_bilan(campaign_report(), generated_at=NOW, today=NOW.date())
    assert '|- style="background:#fee7e6"\n| [[Utilisateur:Bob|Bob]]' in out
    assert f"soutiens suspendus''' : 1{NBSP}500,00{NBSP}€ promis" in out
    assert f"| [[:Utilisateur:Bob|Utilisateur&#58;Bob]], l.{NBSP}3" in out
    assert (
        'Non attribué (arrondi des dotations)\n| style="text-align:right" data-sort-value="0.50"'
        in out
    )


# --- Data pages ----------------------------------------------------------------------------


def test_the_contribution_data_page_is_one_switch_keyed_by_circle_year_and_field() -> None:
    out = render_contribution_data([registry_report()])
    lines = out.split("\n")
    assert lines[0] == "<onlyinclude>{{#switch:{{{1|}}}"
    assert lines[-3:] == ["| #default = ", "}}</onlyinclude>", ""]
    assert f"| Numérique/2026/enveloppe = 10{NBSP}000,00{NBSP}€" in lines
    assert f"| Numérique/2026/heures = 500,00{NBSP}h" in lines
    assert f"| Numérique/2026/part = 150{NBSP}%" in lines
    assert "| Accueil/2026/déclarations = 3" in lines
    assert len(lines) == 1 + 2 * 8 + 3


def test_the_campaign_data_page_has_plain_integers_for_bars_and_french_statuses() -> None:
    report = campaign_report(title="Site = web|mobile")
    lines = render_campaign_data(report).split("\n")
    assert "| Site {{=}} web{{!}}mobile/pourcentage = 100" in lines  # 125 % capped for a bar
    assert "| Site {{=}} web{{!}}mobile/soutiens = 3" in lines
    assert "| Site {{=}} web{{!}}mobile/statut = financé" in lines
    assert "| Formation/pourcentage = 60" in lines
    assert f"| Formation/manque = 400,00{NBSP}€" in lines
    assert "| Formation/maximum = " in lines
    assert "| Fête/statut = annulé" in lines
    assert f"| Site {{{{=}}}} web{{{{!}}}}mobile/part = 125{NBSP}%" in lines  # uncapped, to read
    assert "| Formation/excédent = " in lines


def test_the_campaign_data_page_gives_the_excess_above_the_maximum() -> None:
    report = campaign_report()
    report.projects[0] = dataclasses.replace(report.projects[0], excess=D("150.00"))
    lines = render_campaign_data(report).split("\n")
    assert f"| Nouveau site/excédent = 150,00{NBSP}€" in lines
