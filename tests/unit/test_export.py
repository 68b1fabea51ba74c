"""CSV and ODS exports of hand-built reports, read back with `csv` and odfpy's reader."""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal

import pytest
from odf.opendocument import load
from odf.table import Table, TableCell, TableRow

from ledger.record import Source
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
    campaign_report_to_json,
    contribution_report_to_json,
)
from service.export import (
    export_campaign_csv,
    export_campaign_ods,
    export_contributions_csv,
    export_contributions_ods,
    neutralise,
)

D = Decimal
PAGE = "Contribution-rétribution/Déclarations 2026"
COUNTED = {"déclarée", "validée", "versée"}


def declaration(line, who, circle, date, hours, amount, status, mission="", over=False):
    return CountedContribution(
        Source(PAGE, line), who, circle, date, D(hours), D(amount), status, mission, over
    )


def contribution_report() -> ContributionReport:
    """Numérique is over its envelope (1125 asked for 1000); Accueil is within (150 of 500)."""
    day = datetime.date
    return ContributionReport(
        year=2026,
        circles=[
            CircleTotals(
                "Numérique", D("1000.00"), D("1125.00"), D("675.00"), D("300.00"),
                D("-125.00"), D("37.50"), True,
                split=(
                    SplitShare("Alice Martin", D("450.00"), D("381.82"), D("300.00")),
                    SplitShare("Bob", D("375.00"), D("318.18")),
                ),
            ),
            CircleTotals(
                "Accueil", D("500.00"), D("150.00"), D("0.00"), D("0.00"), D("350.00"),
                D("7.00"), False,
            ),
        ],
        contributors=[
            ContributorTotals("Alice Martin", D("25.00"), D("750.00"), D("300.00"), D("300.00")),
            ContributorTotals("Bob", D("14.50"), D("375.00"), D("375.00"), D("0.00")),
            ContributorTotals("Chloé", D("5.00"), D("150.00"), D("0.00"), D("0.00")),
        ],
        months=[
            MonthTotals("2026-01", D("12.00"), D("300.00"), D("300.00"), D("300.00")),
            MonthTotals("2026-02", D("17.50"), D("525.00"), D("375.00"), D("0.00")),
            MonthTotals("2026-03", D("15.00"), D("450.00"), D("0.00"), D("0.00")),
        ],
        contributions=[
            declaration(3, "Alice Martin", "Numérique", day(2026, 1, 15), "10", "300", "versée"),
            declaration(5, "Bob", "Accueil", day(2026, 1, 20), "2", "0", "bénévole"),
            declaration(7, "Bob", "Numérique", day(2026, 2, 3), "12.5", "375", "validée",
                        "=HYPERLINK(\"http://x\";\"clic\")"),
            declaration(9, "Chloé", "Accueil", day(2026, 2, 10), "5", "150", "déclarée",
                        "-5 % sur l'adhésion", over=True),
            declaration(11, "Alice Martin", "Numérique", day(2026, 3, 12), "15", "450",
                        "déclarée", "Migration du wiki; tests"),
            declaration(13, "Chloé", "Numérique", day(2026, 3, 20), "4", "120", "refusée"),
        ],
    )  # fmt: skip


def campaign_report() -> CampaignReport:
    """Bob's pledges are suspended (1200 for a 1000 dotation); Dan takes no part."""
    pledge = CountedPledge
    page = "Cobudget 2026/Soutiens"
    return CampaignReport(
        campagne="2026",
        envelope=D("3000.00"),
        dotation=D("1000.00"),
        unallocated=D("0.00"),
        members=[
            MemberTotals("Alice Martin", D("1000.00"), D("600.00"), D("400.00"), False),
            MemberTotals("Bob", D("1000.00"), D("0.00"), D("1000.00"), True, D("1200.00")),
            MemberTotals("Chloé", D("1000.00"), D("500.00"), D("500.00"), False),
        ],
        projects=[
            ProjectTotals("Four à pain", "Cobudget 2026", D("800.00"), D("1000.00"),
                          D("900.00"), 2, "funded", False, D("0.00")),
            ProjectTotals("Jardin partagé", "Cobudget 2026", D("500.00"), None,
                          D("200.00"), 2, "open", True, D("0.00")),
        ],
        pledges=[
            pledge(Source(page, 2), "Alice Martin", "Four à pain", D("500.00"), "counted"),
            pledge(Source(page, 3), "Alice Martin", "Jardin partagé", D("100.00"), "counted"),
            pledge(Source(page, 4), "Bob", "Four à pain", D("700.00"), "suspended"),
            pledge(Source(page, 5), "Bob", "Jardin partagé", D("500.00"), "suspended"),
            pledge(Source(page, 6), "Chloé", "Four à pain", D("400.00"), "counted"),
            pledge(Source(page, 7), "Chloé", "Jardin partagé", D("100.00"), "counted"),
            pledge(Source(page, 8), "@Dan", "Jardin partagé", D("50.00"), "rejected"),
        ],
    )  # fmt: skip


def read_csv(data: bytes, dialect: str) -> list[dict[str, str]]:
    if dialect == "fr":
        return list(
            csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";")
        )
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"), newline="")))


def json_total(items: list[dict[str, object]], key: str) -> Decimal:
    return sum((Decimal(str(item[key])) for item in items), Decimal("0.00"))


def french_number(text: str) -> Decimal:
    assert "." not in text and " " not in text, text
    return Decimal(text.replace(",", "."))


# --- CSV -----------------------------------------------------------------------------------


def test_french_csv_amounts_add_up_to_the_requested_totals_of_the_json():
    report = contribution_report()
    rows = read_csv(export_contributions_csv(report), "fr")
    requested = sum(french_number(r["Montant"]) for r in rows if r["Statut"] in COUNTED)
    hours = sum(french_number(r["Heures"]) for r in rows if r["Statut"] != "refusée")
    circles = contribution_report_to_json(report)["circles"]
    assert len(rows) == len(report.contributions)
    assert requested == json_total(circles, "requested") == Decimal("1275.00")
    assert hours == json_total(circles, "hours")


def test_french_csv_has_a_bom_semicolons_crlf_french_dates_and_decimal_commas():
    data = export_contributions_csv(contribution_report())
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert text.split("\r\n")[0].startswith("Date;Contributeur·rice;Cercle;Heures;Montant")
    assert "\n" not in text.replace("\r\n", "")
    first = read_csv(data, "fr")[0]
    assert (first["Date"], first["Heures"], first["Montant"]) == ("15/01/2026", "10,00", "300,00")
    assert first["Page"] == PAGE and first["Ligne"] == "3" and first["Au-delà du plafond"] == "non"


def test_a_field_holding_the_separator_is_quoted_and_reads_back_whole():
    rows = read_csv(export_contributions_csv(contribution_report()), "fr")
    assert rows[4]["Mission"] == "Migration du wiki; tests"


def test_rfc4180_csv_has_no_bom_commas_iso_dates_and_decimal_points():
    report = contribution_report()
    data = export_contributions_csv(report, dialect="rfc4180")
    assert not data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8").endswith("\r\n")
    rows = read_csv(data, "rfc4180")
    assert list(rows[0]) == [
        "date", "contributor", "circle", "hours", "amount", "status", "mission", "page", "line",
        "over_ceiling",
    ]  # fmt: skip
    assert (rows[0]["date"], rows[0]["amount"], rows[3]["over_ceiling"]) == (
        "2026-01-15",
        "300.00",
        "true",
    )
    requested = sum(Decimal(r["amount"]) for r in rows if r["status"] in COUNTED)
    assert requested == json_total(contribution_report_to_json(report)["circles"], "requested")


@pytest.mark.parametrize("dialect", ["fr", "rfc4180"])
def test_cells_that_a_spreadsheet_would_evaluate_start_with_a_quote(dialect):
    rows = read_csv(export_contributions_csv(contribution_report(), dialect=dialect), dialect)
    missions = [list(r.values())[6] for r in rows]
    assert missions[2] == '\'=HYPERLINK("http://x";"clic")'
    assert missions[3] == "'-5 % sur l'adhésion"
    assert missions[4] == "Migration du wiki; tests"


def test_every_dangerous_first_character_is_neutralised_and_others_are_kept():
    for text in ["=1+1", "+33 6", "-2", "@SUM(A1)", "\tx", "\rx"]:
        assert neutralise(text) == "'" + text
    assert neutralise("Alice = Bob") == "Alice = Bob"
    assert neutralise("") == ""


def test_unknown_csv_dialect_is_refused():
    with pytest.raises(ValueError, match="dialect"):
        export_contributions_csv(contribution_report(), dialect="excel")  # type: ignore[arg-type]


@pytest.mark.parametrize("dialect", ["fr", "rfc4180"])
def test_campaign_csv_counted_pledges_add_up_to_the_members_and_projects_totals(dialect):
    report = campaign_report()
    rows = read_csv(export_campaign_csv(report, dialect=dialect), dialect)
    assert len(rows) == len(report.pledges)
    counted_word = "compté" if dialect == "fr" else "counted"
    amounts = [list(r.values())[2] for r in rows if list(r.values())[3] == counted_word]
    read = french_number if dialect == "fr" else Decimal
    total = sum((read(a) for a in amounts), Decimal("0.00"))
    data = campaign_report_to_json(report)
    assert (
        total == json_total(data["members"], "pledged") == json_total(data["projects"], "pledged")
    )
    assert total == Decimal("1100.00")


def test_french_campaign_csv_names_states_and_project_statuses_in_french():
    rows = read_csv(export_campaign_csv(campaign_report()), "fr")
    assert list(rows[0]) == [
        "Membre",
        "Projet",
        "Montant",
        "État",
        "Page",
        "Ligne",
        "Statut du projet",
    ]
    assert (rows[0]["État"], rows[0]["Statut du projet"], rows[0]["Montant"]) == (
        "compté",
        "financé",
        "500,00",
    )
    assert (rows[2]["État"], rows[1]["Statut du projet"]) == ("suspendu", "ouvert")
    assert rows[6]["Membre"] == "'@Dan" and rows[6]["État"] == "refusé"


# --- ODS -----------------------------------------------------------------------------------


def read_ods(data: bytes) -> dict[str, list[list[TableCell]]]:
    document = load(io.BytesIO(data))
    return {
        str(table.getAttribute("name")): [
            row.getElementsByType(TableCell) for row in table.getElementsByType(TableRow)
        ]
        for table in document.spreadsheet.getElementsByType(Table)
    }


def value(cell: TableCell) -> Decimal:
    assert cell.getAttribute("valuetype") in ("float", "currency"), str(cell)
    return Decimal(cell.getAttribute("value"))


def is_euros(cell: TableCell) -> bool:
    return cell.getAttribute("valuetype") == "currency" and cell.getAttribute("currency") == "EUR"


def test_the_ledger_workbook_has_one_sheet_per_table_of_the_summary_page():
    sheets = read_ods(export_contributions_ods(contribution_report()))
    assert list(sheets) == [
        "Cercles", "Contributeurs", "Mois", "Déclarations", "Répartition", "Solde des enveloppes",
    ]  # fmt: skip
    assert str(sheets["Cercles"][0][0]) == "Cercle"


def test_the_circles_totals_row_matches_the_json_totals_in_euros():
    report = contribution_report()
    rows = read_ods(export_contributions_ods(report))["Cercles"]
    circles = contribution_report_to_json(report)["circles"]
    totals = rows[-1]
    assert str(totals[0]) == "Total" and len(rows) == 2 + len(circles)
    for column, key in enumerate(["envelope", "requested", "validated", "paid", "remaining"], 1):
        assert is_euros(totals[column])
        assert value(totals[column]) == json_total(circles, key)
    assert totals[6].getAttribute("valuetype") == "float"
    assert value(totals[6]) == json_total(circles, "hours") == Decimal("44.50")
    assert totals[2].getAttribute("formula") == "of:=SUM([.C2:.C3])"
    assert value(rows[1][5]) == Decimal("-125.00") and str(rows[1][7]) == "oui"


def test_contributors_and_months_totals_match_the_json():
    report = contribution_report()
    sheets = read_ods(export_contributions_ods(report))
    data = contribution_report_to_json(report)
    people, months = sheets["Contributeurs"][-1], sheets["Mois"][-1]
    assert value(people[2]) == json_total(data["contributors"], "requested") == Decimal("1275.00")
    assert value(people[5]) == Decimal("1275.00") - Decimal("300.00")  # still to be paid
    assert value(months[1]) == json_total(data["months"], "hours")
    assert value(months[4]) == json_total(data["months"], "paid")
    first_month = sheets["Mois"][1][0]
    assert first_month.getAttribute("valuetype") == "date"
    assert first_month.getAttribute("datevalue") == "2026-01-01"


def test_declarations_sheet_has_every_field_typed_and_a_total_without_refusals():
    report = contribution_report()
    rows = read_ods(export_contributions_ods(report))["Déclarations"]
    first = rows[1]
    assert first[0].getAttribute("valuetype") == "date"
    assert first[0].getAttribute("datevalue") == "2026-01-15"
    assert [str(c) for c in first[1:3]] == ["Alice Martin", "Numérique"]
    assert value(first[3]) == Decimal("10.00") and is_euros(first[4])
    assert [str(c) for c in first[5:9]] == ["versée", "", "", PAGE]
    assert value(first[9]) == 3
    assert str(rows[4][7]) == "oui"  # over the hourly ceiling
    total = rows[-1]
    circles = contribution_report_to_json(report)["circles"]
    assert value(total[4]) == json_total(circles, "requested")
    assert value(total[3]) == json_total(circles, "hours")
    assert total[4].getAttribute("formula") == 'of:=SUMIF([.F2:.F7];"<>refusée";[.E2:.E7])'


def test_split_sheet_lists_the_closing_split_and_shares_exactly_what_is_available():
    rows = read_ods(export_contributions_ods(contribution_report()))["Répartition"]
    assert [str(r[1]) for r in rows[1:-1]] == ["Alice Martin", "Bob"]
    assert value(rows[-1][4]) == Decimal("1000.00") - Decimal("300.00")


def test_split_sheet_says_so_when_no_circle_is_over_its_envelope():
    report = contribution_report()
    report.circles = report.circles[1:]
    rows = read_ods(export_contributions_ods(report))["Répartition"]
    assert str(rows[1][0]) == "Aucun cercle au-delà de son enveloppe"
    assert value(rows[-1][4]) == Decimal("0.00")


def test_running_balance_ends_each_circle_at_its_envelope_minus_its_requests():
    report = contribution_report()
    rows = read_ods(export_contributions_ods(report))["Solde des enveloppes"]
    body = rows[1:-1]
    for circle in contribution_report_to_json(report)["circles"]:
        mine = [r for r in body if str(r[0]) == circle["name"]]
        assert value(mine[0][6]) == Decimal(circle["envelope"])  # the opening row
        assert value(mine[-1][5]) == Decimal(circle["requested"])
        assert value(mine[-1][6]) == Decimal(circle["envelope"]) - Decimal(circle["requested"])
    numerique = [r for r in body if str(r[0]) == "Numérique"]
    dates = [r[1].getAttribute("datevalue") for r in numerique]
    assert dates == sorted(dates) and len(numerique) == 4  # envelope + 3 counted, not the refusal
    assert [value(r[6]) for r in numerique] == [D("1000"), D("700"), D("325"), D("-125")]
    assert value(rows[-1][4]) == Decimal("1275.00")


def test_an_empty_year_still_gives_every_sheet_with_zero_totals():
    sheets = read_ods(export_contributions_ods(ContributionReport(year=2027)))
    assert len(sheets) == 6
    assert value(sheets["Cercles"][-1][1]) == Decimal("0.00")
    assert not sheets["Cercles"][-1][1].getAttribute("formula")


def test_the_campaign_workbook_totals_match_the_json():
    report = campaign_report()
    sheets = read_ods(export_campaign_ods(report))
    data = campaign_report_to_json(report)
    assert list(sheets) == ["Projets", "Membres", "Soutiens"]
    projects = sheets["Projets"]
    assert value(projects[-1][4]) == json_total(data["projects"], "pledged") == Decimal("900") + 200
    assert str(projects[1][6]) == "financé" and projects[2][3].getAttribute("valuetype") is None
    members = sheets["Membres"]
    total = next(r for r in members if str(r[0]) == "Total")
    assert value(total[1]) == json_total(data["members"], "dotation")
    assert value(total[2]) == json_total(data["members"], "pledged")
    assert value(total[5]) == Decimal("1200.00")
    assert value(members[-1][1]) == Decimal("3000.00") and is_euros(members[-1][1])
    pledges = {str(r[0]): r for r in sheets["Soutiens"] if str(r[0]).startswith("Total")}
    assert value(pledges["Total compté"][2]) == json_total(data["members"], "pledged")
    assert value(pledges["Total suspendu"][2]) == Decimal("1200.00")
    assert value(pledges["Total refusé"][2]) == Decimal("50.00")
