"""A closing on the summary pages: the options side by side, the dues, statements, exports."""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path

import pytest

from ledger.contribution import compute_contributions
from ledger.report import ContributionReport
from ledger.statement import compute_statement, statement_to_json
from parsers.page import parse_page
from render.compute import compute_all
from render.config import SyncConfig
from render.pages import render_registry, render_registry_circle
from render.plan import plan_outputs
from render.statement import render_statement
from service.config import ConfigError, read_config
from service.export import export_contributions_ods
from tests.unit.test_closing import PAGE
from tests.unit.test_export import read_ods

NOW = datetime.datetime(2027, 1, 20, 9, 0, tzinfo=datetime.UTC)
NBSP = "\u00a0"
DECISION = (
    "{{Clôture cercle|cercle=Numérique|année=2026|règle=égalitaire|date=15/01/2027"
    "|décision=[[Compte rendu AG 2027|CR de l’AG]]}}\n"
)


def report(text: str = PAGE, floor: Decimal | None = None) -> ContributionReport:
    records, _ = parse_page("Cercle Numérique", text)
    return compute_contributions(records, 2026, floor=floor)


def circle_page(text: str = PAGE, floor: Decimal | None = None) -> str:
    r = report(text, floor)
    return render_registry_circle(2026, r.circles[0], r.contributions, generated_at=NOW)


def eur(text: str) -> str:
    return text.replace(" ", NBSP) + NBSP + "€"


def section(page: str, heading: str) -> str:
    return page.split(heading)[1].split("|}")[0]


def test_the_circle_page_shows_every_rule_side_by_side_with_the_difference_to_prorata() -> None:
    table = section(circle_page(), "== Options de répartition ==")

    assert (
        "! Contributeur·rice !! Demande non versée !! Prorata !! Plafond horaire !! Égalitaire\n"
        in table
    )
    alice = table.split("[[Utilisateur:Alice|Alice]]")[1].split("|-")[0]
    # prorata 490,91; hourly cap 257,14 (−233,77); equal 375,00 (−115,91)
    assert f'data-sort-value="490.91" | {eur("490,91")}\n' in alice
    assert f'{eur("257,14")} <small style="color:#b32424">(−{eur("233,77")})</small>' in alice
    assert f'{eur("375,00")} <small style="color:#b32424">(−{eur("115,91")})</small>' in alice
    bruno = table.split("[[Utilisateur:Bruno|Bruno]]")[1].split("|-")[0]
    assert f'{eur("514,29")} <small style="color:#0b6b53">(+{eur("187,02")})</small>' in bruno
    # every column sums to what is available
    assert (
        table.count(f'! style="text-align:right" data-sort-value="900.00" | {eur("900,00")}') == 3
    )
    assert "Plancher" not in table
    assert "ajoutez le modèle <code" in circle_page()


def test_a_configured_floor_adds_its_column() -> None:
    table = section(circle_page(floor=Decimal("200")), "== Options de répartition ==")

    assert f"!! Plancher ({eur('200,00')})\n" in table
    assert f'{eur("422,73")} <small style="color:#b32424">(−{eur("68,18")})</small>' in table


def test_a_circle_within_its_envelope_shows_no_options() -> None:
    page = circle_page(PAGE.replace("montant=1000", "montant=5000"))

    assert "Options de répartition" not in page


def test_a_decision_replaces_the_proposal_by_what_is_due_and_marks_the_chosen_rule() -> None:
    page = circle_page(PAGE + DECISION)

    assert "Répartition de clôture proposée" not in page
    assert "L’année 2026 est close pour ce cercle (règle « égalitaire »)" in page
    due = section(page, "== Clôture 2026 ==")
    assert "[[:Cercle Numérique|Cercle Numérique]], l.\u00a07, prise le 15 janvier 2027" in due
    assert "(décision : [[:Compte rendu AG 2027|CR de l’AG]])" in due
    assert "! Contributeur·rice !! Dû !! Versé depuis la clôture !! Reste à verser" in due
    chloe = due.split("[[Utilisateur:Chloé|Chloé]]")[1].split("|-")[0]
    assert chloe.count(f"| {eur('150,00')}") == 2 and f"| {eur('0,00')}" in chloe
    options = section(page, "== Options de répartition ==")
    assert "!! Égalitaire — règle choisie" in options
    assert "background:#f0e8fb" in options


def test_a_decision_that_is_not_a_single_link_is_shown_as_escaped_text() -> None:
    page = circle_page(
        PAGE + DECISION.replace("[[Compte rendu AG 2027|CR de l’AG]]", "AG {{!}} [[X]] et [[Y]]")
    )

    assert (
        "(décision : AG &#123;&#123;&#33;&#125;&#125; &#91;&#91;X&#93;&#93;"
        " et &#91;&#91;Y&#93;&#93;)" in page
    )


def test_the_registre_lists_each_closing_with_what_remains_to_pay() -> None:
    out = render_registry(
        report(PAGE + DECISION), generated_at=NOW, circle_pages={"Numérique": "Registre/N"}
    )

    assert "== Clôtures ==" in out
    due = section(out, "=== Clôture 2026 — Numérique ===")
    assert "Règle de répartition choisie : '''égalitaire'''" in due
    assert f'! style="text-align:right" data-sort-value="900.00" | {eur("900,00")}' in due
    assert "== Répartitions proposées ==" not in out  # the proposal is settled
    assert "· [[#Clôture 2026 — Numérique|année close]]" in out.split("== Clôtures ==")[0]
    assert "[[:Registre/N|page du cercle]]" in out


def test_a_closing_within_the_envelope_freezes_the_year() -> None:
    text = PAGE.replace("montant=1000", "montant=5000") + DECISION
    page = circle_page(text)

    assert "Le cercle est resté dans son enveloppe : chacun·e reçoit sa demande non versée" in page
    assert "Options de répartition" not in page
    assert f"| {eur('900,00')}" in section(page, "== Clôture 2026 ==")


def test_the_statement_shows_what_the_closing_made_due_and_what_remains() -> None:
    records, _ = parse_page("Cercle Numérique", PAGE + DECISION)
    statement = compute_statement(records, "Bruno")
    page = render_statement(statement, generated_at=NOW)

    assert (
        f"cercle « Numérique » clos pour 2026 : reste à verser '''{eur('375,00')}''' sur "
        f"{eur('375,00')} dus selon la décision (règle « égalitaire »)"
    ) in page
    assert (
        f"'''{eur('375,00')}''' vous sont dus, {eur('0,00')} versés depuis la clôture,"
        f" '''reste à verser {eur('375,00')}'''"
    ) in page
    assert "une répartition de clôture y est proposée" not in page
    (circle,) = statement_to_json(statement)["years"][0]["circles"]
    assert circle["closing"] == {
        "rule": "equal",
        "due": "375.00",
        "paid": "0.00",
        "remaining": "375.00",
    }


def test_the_configured_floor_reaches_the_pages_through_the_sync_computation() -> None:
    records, problems = parse_page("Cercle Numérique", PAGE)
    config = SyncConfig(closing_floor=Decimal("200"))
    computation = compute_all(records, problems, config, today=datetime.date(2027, 1, 1))

    circle_json = computation.contributions[2026].circles[0]
    assert [str(s.rule) for s in circle_json.settlements] == [
        "prorata",
        "hourly_cap",
        "equal",
        "floor",
    ]
    pages = {p.title: p.generated for p in plan_outputs(computation, config)}
    assert "!! Plancher (" in pages["Contribution-rétribution/Registre 2026/Numérique"]


def test_the_ods_export_has_the_options_and_the_closing_when_there_are_some() -> None:
    assert "Clôtures" not in read_ods(export_contributions_ods(report(PAGE)))
    within = report(PAGE.replace("montant=1000", "montant=5000"))
    assert "Options de répartition" not in read_ods(export_contributions_ods(within))

    sheets = read_ods(export_contributions_ods(report(PAGE + DECISION)))

    closing = [[str(cell) for cell in row] for row in sheets["Clôtures"]]
    assert closing[0] == [
        "Cercle",
        "Règle",
        "Contributeur·rice",
        "Dû",
        "Versé depuis la clôture",
        "Reste à verser",
    ]
    assert closing[1][:3] == ["Numérique", "égalitaire", "Alice"]
    options = [[str(cell) for cell in row] for row in sheets["Options de répartition"]]
    assert options[0][:4] == ["Cercle", "Contributeur·rice", "Demande non versée", "Prorata"]


def test_closing_floor_is_read_from_wikiledger_toml(tmp_path: Path) -> None:
    config = tmp_path / "wikiledger.toml"
    config.write_text('[closing]\nfloor = "300.00"\n', encoding="utf-8")
    assert read_config(config).config.closing_floor == Decimal("300.00")

    config.write_text("[ledger]\n", encoding="utf-8")
    assert read_config(config).config.closing_floor is None

    for bad in (
        '[closing]\nfloor = "beaucoup"\n',
        '[closing]\nfloor = "-1"\n',
        "[closing]\nx = 1\n",
    ):
        config.write_text(bad, encoding="utf-8")
        with pytest.raises(ConfigError, match=r"\[closing\]"):
            read_config(config)


def test_the_statements_remaining_to_pay_follows_the_decision_once_closed() -> None:
    # Alice asked 900 € unpaid; the equal rule makes 375 € due to her: that is what remains.
    records, _ = parse_page("Cercle Numérique", PAGE + DECISION)
    closed = compute_statement(records, "Alice")
    records, _ = parse_page("Cercle Numérique", PAGE)
    open_year = compute_statement(records, "Alice")

    assert open_year.remaining == open_year.total.remaining_to_pay == Decimal("900.00")
    assert closed.remaining == closed.years[0].remaining == Decimal("375.00")
    page = render_statement(closed, generated_at=NOW)
    assert f"· reste à verser '''{eur('375,00')}'''" in page
    row = page.split("=== 2026 ===")[1].split("|-")[1].split("|}")[0]
    cells = [line.rpartition("| ")[2] for line in row.splitlines() if line.startswith("| ")]
    # Cercle, Heures, Demandé, Validé, Versé, Reste à verser, Répartition de clôture
    assert cells[2] == eur("900,00") and cells[5:] == [eur("375,00"), eur("375,00")]
