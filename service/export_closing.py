"""The closing sheets of the year's workbook: each rule's parts side by side, and what is due."""

from __future__ import annotations

from ledger.report import ContributionReport
from render.closing_view import HEADERS
from service.export_ods import Sheet, row, total_row


def options_sheet(report: ContributionReport) -> Sheet:
    """One row per contributor of a circle over its envelope, one column per rule."""
    rules = [rule for circle in report.circles for rule in (s.rule for s in circle.settlements)]
    columns = list(dict.fromkeys(rules))  # every rule any circle shows, in the usual order
    headers = ["Cercle", "Contributeur·rice", "Demande non versée"]
    sheet = Sheet("Options de répartition", headers + [HEADERS[rule] for rule in columns])
    for circle in report.circles:
        options = {s.rule: s for s in circle.settlements if s.parts}
        if not circle.over_envelope or not options:
            continue
        unpaid = {share.name: share.requested for share in circle.split}
        names = [part.name for part in next(iter(options.values())).parts]
        for index, name in enumerate(names):
            parts = [
                options[rule].parts[index].proposed if rule in options else None for rule in columns
            ]
            sheet.rows.append(row(circle.name, name, unpaid.get(name), *parts))
    if not sheet.rows:
        sheet.rows.append(row("Aucun cercle au-delà de son enveloppe"))
    sheet.totals.append(total_row(sheet, range(2, len(sheet.headers))))
    return sheet


def closing_sheet(report: ContributionReport) -> Sheet:
    """What each recorded closing made due to each contributor, and what remains to pay."""
    headers = ["Cercle", "Règle", "Contributeur·rice", "Dû", "Versé depuis la clôture"]
    sheet = Sheet("Clôtures", [*headers, "Reste à verser"])
    for circle in report.circles:
        closing = circle.closing
        if closing is None:
            continue
        for due in closing.due:
            sheet.rows.append(
                row(circle.name, closing.rule.label, due.name, due.amount, due.paid, due.remaining)
            )
    if not sheet.rows:
        sheet.rows.append(row("Aucun cercle clos"))
    sheet.totals.append(total_row(sheet, range(3, 6)))
    return sheet
