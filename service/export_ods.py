"""Exports for the treasurer: OpenDocument workbooks (odfpy) of a year's ledger and of a campagne.

Numbers are real cells (`float`, `currency` in EUR shown `1 234,50 €`, negatives in red), dates
are dates, and every sheet ends with a totals row whose values are written out (plain column sums
also carry a `SUM` formula), so readers that never recalculate still show them.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from odf.number import CurrencyStyle, CurrencySymbol, DateStyle, Day, Month, Number, NumberStyle
from odf.number import Text as NumberText
from odf.number import Year as NumberYear
from odf.opendocument import OpenDocumentSpreadsheet
from odf.style import Map, Style, TableCellProperties, TableColumnProperties, TextProperties
from odf.table import Table, TableCell, TableColumn, TableRow
from odf.text import P

from ledger import french
from ledger.record import ContributionStatus
from ledger.report import CampaignReport, ContributionReport

Kind = Literal["text", "money", "number", "integer", "date", "month", "empty"]
DATA_STYLES = {"money": "N_EUR", "number": "N_NUM", "date": "N_DATE", "month": "N_MONTH"}


@dataclass(frozen=True, slots=True)
class Cell:
    kind: Kind
    value: str | Decimal | int | datetime.date | None = None
    formula: str | None = None  # OpenFormula, e.g. "of:=SUM([.C2:.C9])"; the value stays written


EMPTY = Cell("empty")


def text(value: str) -> Cell:
    return Cell("text", value)


def euros(value: Decimal | None) -> Cell:
    return EMPTY if value is None else Cell("money", value)


def number(value: Decimal) -> Cell:
    return Cell("number", value)


def month(value: datetime.date) -> Cell:
    return Cell("month", value)


@dataclass(slots=True)
class Sheet:
    """One table: a header row, data rows from row 2, then the totals rows."""

    name: str
    headers: Sequence[str]
    rows: list[list[Cell]] = field(default_factory=list)
    totals: list[list[Cell]] = field(default_factory=list)

    def column_range(self, column: int) -> str:
        letter = column_letter(column)
        return f"[.{letter}2:.{letter}{len(self.rows) + 1}]"

    def sum_column(self, column: int) -> Cell:
        """The total of a column of data rows: its value, and a SUM formula over the rows."""
        cells = [row[column] for row in self.rows if column < len(row)]
        values = [c.value for c in cells if isinstance(c.value, Decimal) and c.kind != "text"]
        total = sum(values, Decimal("0.00"))
        kind: Kind = next((c.kind for c in cells if c.kind in ("money", "number")), "money")
        formula = f"of:=SUM({self.column_range(column)})" if self.rows else None
        return Cell(kind, total, formula)

    def sum_if(self, column: int, criteria_column: int, criterion: str, value: Cell) -> Cell:
        """A conditional total (SUMIF on a text column); its `value` is computed by the caller."""
        if not self.rows:
            return value
        condition = criterion.replace('"', '""')
        ranges = (self.column_range(criteria_column), self.column_range(column))
        formula = f'of:=SUMIF({ranges[0]};"{condition}";{ranges[1]})'
        return Cell(value.kind, value.value, formula)


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def display(cell: Cell) -> str:
    """The text shown by readers that ignore the typed value, as a French spreadsheet shows it."""
    value = cell.value
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return french.format_money(value) if cell.kind == "money" else french.format_number(value)
    if isinstance(value, datetime.date):
        return value.strftime("%m/%Y") if cell.kind == "month" else french.format_date(value)
    return str(value)


class Workbook:
    """An ODS document with the styles every sheet uses."""

    def __init__(self) -> None:
        self.doc = OpenDocumentSpreadsheet()
        self.styles: dict[tuple[str, bool], Style] = {}
        self.columns: dict[str, Style] = {}
        self.add_data_styles()
        for kind in ("text", "money", "number", "integer", "date", "month", "empty"):
            for bold in (False, True):
                name = f"ce_{kind}{'_total' if bold else ''}"
                style = Style(name=name, family="table-cell")
                if kind in DATA_STYLES:
                    style.setAttribute("datastylename", DATA_STYLES[kind])
                if bold:
                    style.addElement(TextProperties(fontweight="bold"))
                self.doc.automaticstyles.addElement(style)
                self.styles[kind, bold] = style
        self.header = Style(name="ce_header", family="table-cell")
        self.header.addElement(TextProperties(fontweight="bold"))
        self.header.addElement(TableCellProperties(backgroundcolor="#dde4ee"))
        self.doc.automaticstyles.addElement(self.header)

    def add_data_styles(self) -> None:
        positive = CurrencyStyle(name="N_EUR_P", language="fr", country="FR", volatile="true")
        negative = CurrencyStyle(name="N_EUR", language="fr", country="FR")
        negative.addElement(TextProperties(color="#c00000"))
        negative.addElement(NumberText(text="-"))
        for style in (positive, negative):
            style.addElement(Number(decimalplaces=2, minintegerdigits=1, grouping="true"))
            style.addElement(NumberText(text=french.NBSP))
            style.addElement(CurrencySymbol(language="fr", country="FR", text="€"))
        negative.addElement(Map(condition="value()>=0", applystylename="N_EUR_P"))
        hours = NumberStyle(name="N_NUM", language="fr", country="FR")
        hours.addElement(Number(decimalplaces=2, minintegerdigits=1, grouping="true"))
        date = DateStyle(name="N_DATE", language="fr", country="FR")
        slash = "/"
        for part in (Day(style="long"), NumberText(text=slash), Month(style="long")):
            date.addElement(part)
        for part in (NumberText(text=slash), NumberYear(style="long")):
            date.addElement(part)
        period = DateStyle(name="N_MONTH", language="fr", country="FR")
        period.addElement(Month(style="long"))
        period.addElement(NumberText(text="/"))
        period.addElement(NumberYear(style="long"))
        # Common styles (styles.xml): odfpy writes only the automatic styles that cells name,
        # and would drop N_EUR_P, which only the map of N_EUR names.
        for style in (positive, negative, hours, date, period):
            self.doc.styles.addElement(style)

    def column_style(self, width_cm: float) -> Style:
        key = f"{width_cm:.1f}cm"
        if key not in self.columns:
            style = Style(name=f"co_{len(self.columns) + 1}", family="table-column")
            style.addElement(TableColumnProperties(columnwidth=key))
            self.doc.automaticstyles.addElement(style)
            self.columns[key] = style
        return self.columns[key]

    def add_sheet(self, sheet: Sheet) -> None:
        table = Table(name=sheet.name)
        all_rows = [*sheet.rows, *sheet.totals]
        for index, header in enumerate(sheet.headers):
            longest = max(
                [len(header)] + [len(display(r[index])) for r in all_rows if index < len(r)]
            )
            width = min(9.0, max(2.5, round(longest * 0.22 * 2) / 2 + 0.5))
            table.addElement(TableColumn(stylename=self.column_style(width)))
        header_row = TableRow()
        for header in sheet.headers:
            cell = TableCell(valuetype="string", stylename=self.header)
            cell.addElement(P(text=header))
            header_row.addElement(cell)
        table.addElement(header_row)
        for row in sheet.rows:
            table.addElement(self.make_row(row, bold=False))
        for row in sheet.totals:
            table.addElement(self.make_row(row, bold=True))
        self.doc.spreadsheet.addElement(table)

    def make_row(self, cells: Sequence[Cell], *, bold: bool) -> TableRow:
        row = TableRow()
        for cell in cells:
            row.addElement(self.make_cell(cell, bold=bold))
        return row

    def make_cell(self, cell: Cell, *, bold: bool) -> TableCell:
        style = self.styles[cell.kind, bold]
        value = cell.value
        if cell.kind == "empty" or value is None:
            return TableCell(stylename=style)
        attributes: dict[str, str] = {}
        if isinstance(value, Decimal):
            attributes = {"valuetype": "float", "value": f"{value:.2f}"}
            if cell.kind == "money":
                attributes.update(valuetype="currency", currency="EUR")
        elif isinstance(value, datetime.date):
            attributes = {"valuetype": "date", "datevalue": value.isoformat()}
        elif isinstance(value, int):
            attributes = {"valuetype": "float", "value": str(value)}
        else:
            attributes = {"valuetype": "string"}
        if cell.formula:
            attributes["formula"] = cell.formula
        element = TableCell(stylename=style, **attributes)
        element.addElement(P(text=display(cell)))
        return element

    def to_bytes(self) -> bytes:
        buffer = io.BytesIO()
        self.doc.write(buffer)
        return buffer.getvalue()


REFUSED = str(ContributionStatus.REFUSED)
ZERO = Decimal("0.00")
Value = Cell | str | Decimal | int | datetime.date | bool | None


def row(*values: Value) -> list[Cell]:
    """Cells from plain values: text, money (Decimal), dates, integers, `oui` for True."""
    cells: list[Cell] = []
    for value in values:
        if isinstance(value, Cell):
            cells.append(value)
        elif value is None or value is False:
            cells.append(EMPTY)
        elif value is True:
            cells.append(text("oui"))
        elif isinstance(value, str):
            cells.append(text(value))
        elif isinstance(value, Decimal):
            cells.append(euros(value))
        elif isinstance(value, int):
            cells.append(Cell("integer", value))
        else:
            cells.append(Cell("date", value))
    return cells


def total_row(sheet: Sheet, columns: Sequence[int], label: str = "Total") -> list[Cell]:
    """A totals row: `label` in the first column and a column sum under each of `columns`."""
    cells = [text(label)] + [EMPTY] * (len(sheet.headers) - 1)
    for column in columns:
        cells[column] = sheet.sum_column(column)
    return cells


def circles_sheet(report: ContributionReport) -> Sheet:
    headers = ["Cercle", "Enveloppe", "Demandé", "Validé", "Versé", "Reste", "Heures", "Au-delà"]
    sheet = Sheet("Cercles", headers)
    for c in report.circles:
        sheet.rows.append(
            row(c.name, c.envelope, c.requested, c.validated, c.paid, c.remaining)
            + row(number(c.hours), c.over_envelope)
        )
    sheet.totals.append(total_row(sheet, range(1, 7)))
    return sheet


def contributors_sheet(report: ContributionReport) -> Sheet:
    headers = ["Contributeur·rice", "Heures", "Demandé", "Validé", "Versé", "Reste à verser"]
    sheet = Sheet("Contributeurs", headers)
    for p in report.contributors:
        remaining = p.requested - p.paid
        sheet.rows.append(row(p.name, number(p.hours), p.requested, p.validated, p.paid, remaining))
    sheet.totals.append(total_row(sheet, range(1, 6)))
    return sheet


def months_sheet(report: ContributionReport) -> Sheet:
    sheet = Sheet("Mois", ["Mois", "Heures", "Demandé", "Validé", "Versé"])
    for m in report.months:
        first = datetime.date(int(m.month[:4]), int(m.month[5:7]), 1)
        sheet.rows.append(row(month(first), number(m.hours), m.requested, m.validated, m.paid))
    sheet.totals.append(total_row(sheet, range(1, 5)))
    return sheet


def declarations_sheet(report: ContributionReport) -> Sheet:
    headers = ["Date", "Contributeur·rice", "Cercle", "Heures", "Montant", "Statut", "Mission"]
    sheet = Sheet("Déclarations", [*headers, "Au-delà du plafond", "Page", "Ligne"])
    for c in report.contributions:
        sheet.rows.append(
            row(c.date, c.contributor, c.circle, number(c.hours), c.amount, c.status, c.mission)
            + row(c.over_ceiling, c.source.page, c.source.line)
        )
    # Refused declarations count neither hours nor money and bénévole ones carry a 0.00 amount,
    # so this row gives the year's hours and requested amount.
    kept = [c for c in report.contributions if c.status != REFUSED]
    totals = total_row(sheet, [], "Total hors refusées")
    hours = number(sum((c.hours for c in kept), ZERO))
    totals[3] = sheet.sum_if(3, 5, f"<>{REFUSED}", hours)
    totals[4] = sheet.sum_if(4, 5, f"<>{REFUSED}", euros(sum((c.amount for c in kept), ZERO)))
    sheet.totals.append(totals)
    return sheet


def split_sheet(report: ContributionReport) -> Sheet:
    headers = ["Cercle", "Contributeur·rice", "Déjà versé", "Demandé non versé", "Proposé"]
    sheet = Sheet("Répartition", headers)
    for circle in report.circles:
        for share in circle.split:
            sheet.rows.append(row(circle.name, share.name, share.paid, share.requested))
            sheet.rows[-1].append(euros(share.proposed))
    if not sheet.rows:
        sheet.rows.append(row("Aucun cercle au-delà de son enveloppe"))
    sheet.totals.append(total_row(sheet, range(2, 5)))
    return sheet


def balance_sheet(report: ContributionReport) -> Sheet:
    """Each circle's envelope, then its requested declarations by date with the balance left."""
    headers = ["Cercle", "Date", "Contributeur·rice", "Statut", "Montant", "Demandé cumulé"]
    sheet = Sheet("Solde des enveloppes", [*headers, "Solde de l'enveloppe", "Page", "Ligne"])
    opening = datetime.date(report.year, 1, 1)
    for circle in report.circles:
        label = f"Enveloppe {report.year}"
        sheet.rows.append(row(circle.name, opening, label, None, None, ZERO, circle.envelope))
        requested = ZERO
        counted = [c for c in report.contributions if c.circle == circle.name]
        for c in sorted(counted, key=lambda c: (c.date, c.source)):
            if c.status not in french.REQUESTED:
                continue
            requested += c.amount
            balance = circle.envelope - requested
            sheet.rows.append(
                row(circle.name, c.date, c.contributor, c.status, c.amount, requested, balance)
                + row(c.source.page, c.source.line)
            )
    totals = total_row(sheet, [4])
    totals[6] = euros(sum((c.envelope - c.requested for c in report.circles), ZERO))
    sheet.totals.append(totals)
    return sheet


def export_contributions_ods(report: ContributionReport) -> bytes:
    """The year's ledger as a workbook, one sheet per table of the summary page."""
    book = Workbook()
    for build in (circles_sheet, contributors_sheet, months_sheet, declarations_sheet):
        book.add_sheet(build(report))
    book.add_sheet(split_sheet(report))
    book.add_sheet(balance_sheet(report))
    # Imported here: `service.export_closing` builds its sheets with this module's helpers.
    from service.export_closing import closing_sheet, options_sheet

    # Only when there is something to show: most years have no circle over its envelope.
    if any(s.parts for c in report.circles for s in c.settlements):
        book.add_sheet(options_sheet(report))
    if any(c.closing is not None for c in report.circles):
        book.add_sheet(closing_sheet(report))
    return book.to_bytes()


def projects_sheet(report: CampaignReport) -> Sheet:
    headers = ["Projet", "Page", "Minimum", "Maximum", "Promis", "Soutiens", "Statut"]
    sheet = Sheet("Projets", [*headers, "Transversal", "Excédent", "Porteur·euses"])
    for p in report.projects:
        status = french.project_status_label(p.status)
        sheet.rows.append(
            row(p.title, p.page, p.minimum, p.maximum, p.pledged, p.supporters, status)
            + row(p.cross_cutting, p.excess, ", ".join(p.holders))
        )
    sheet.totals.append(total_row(sheet, [2, 4, 8]))
    return sheet


def members_sheet(report: CampaignReport) -> Sheet:
    headers = ["Membre", "Dotation", "Promis", "Reste", "Suspendu", "Montant suspendu"]
    sheet = Sheet("Membres", headers)
    for m in report.members:
        sheet.rows.append(
            row(m.name, m.dotation, m.pledged, m.remaining, m.suspended, m.suspended_amount)
        )
    sheet.totals.append(total_row(sheet, [1, 2, 3, 5]))
    sheet.totals.append(row("Non attribué (arrondi)", report.unallocated))
    sheet.totals.append(row("Enveloppe de la campagne", report.envelope))
    return sheet


def pledges_sheet(report: CampaignReport) -> Sheet:
    headers = ["Membre", "Projet", "Montant", "État", "Statut du projet", "Page", "Ligne"]
    sheet = Sheet("Soutiens", headers)
    statuses = {p.title: p.status for p in report.projects}
    for pledge in report.pledges:
        state = french.pledge_state_label(pledge.state)
        status = french.project_status_label(statuses.get(pledge.project, ""))
        source = pledge.source
        sheet.rows.append(
            row(pledge.member, pledge.project, pledge.amount, state, status, source.page)
            + row(source.line)
        )
    for state, label in french.PLEDGE_STATES.items():
        amount = sum((p.amount for p in report.pledges if p.state == state), ZERO)
        totals = total_row(sheet, [], f"Total {label}")
        totals[2] = sheet.sum_if(2, 3, label, euros(amount))
        sheet.totals.append(totals)
    return sheet


def export_campaign_ods(report: CampaignReport) -> bytes:
    """A campagne as a workbook: its projects, its members and every pledge."""
    book = Workbook()
    for build in (projects_sheet, members_sheet, pledges_sheet):
        book.add_sheet(build(report))
    return book.to_bytes()
