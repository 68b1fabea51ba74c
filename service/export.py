"""Exports for the treasurer: CSV of declarations and pledges (ODS workbooks: `export_ods`).

Two CSV dialects, both with CRLF line ends and one row per declaration or pledge (no totals
row, so that a column sums to the report's totals):
- "fr" (default, what a French spreadsheet opens by double-click): `;` separator, decimal comma
  without thousands separator (`1234,50`, read as a number), dates `JJ/MM/AAAA`, UTF-8 with BOM,
  French headers and values;
- "rfc4180": `,` separator, decimal point, ISO dates, UTF-8 without BOM, English headers and the
  machine values of the JSON API.

CSV formula injection: a text cell (names, circle, mission, page, status…) that starts with
`=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'`, so that a spreadsheet shows it
as text instead of evaluating it (OWASP's advice). Numbers and dates are never altered.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Sequence
from decimal import Decimal
from typing import Literal

from ledger import french
from ledger.name import name_key
from ledger.report import CampaignReport, ContributionReport, ProjectTotals
from service.export_ods import export_campaign_ods, export_contributions_ods

__all__ = [
    "export_campaign_csv",
    "export_campaign_ods",
    "export_contributions_csv",
    "export_contributions_ods",
    "neutralise",
]

Dialect = Literal["fr", "rfc4180"]
Cell = str | int | Decimal | datetime.date | bool

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

CONTRIBUTION_HEADERS = {
    "fr": [
        "Date",
        "Contributeur·rice",
        "Cercle",
        "Heures",
        "Montant",
        "Statut",
        "Mission",
        "Page",
        "Ligne",
        "Au-delà du plafond",
    ],
    "rfc4180": [
        "date",
        "contributor",
        "circle",
        "hours",
        "amount",
        "status",
        "mission",
        "page",
        "line",
        "over_ceiling",
    ],
}
PLEDGE_HEADERS = {
    "fr": ["Membre", "Projet", "Montant", "État", "Page", "Ligne", "Statut du projet"],
    "rfc4180": ["member", "project", "amount", "state", "page", "line", "project_status"],
}


def neutralise(text: str) -> str:
    """A text cell that no spreadsheet evaluates as a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def format_cell(value: Cell, dialect: Dialect) -> str:
    if isinstance(value, bool):
        if dialect == "fr":
            return "oui" if value else "non"
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return french.format_decimal(value) if dialect == "fr" else f"{value:.2f}"
    if isinstance(value, datetime.date):
        return french.format_date(value) if dialect == "fr" else value.isoformat()
    if isinstance(value, int):
        return str(value)
    return neutralise(value)


def write_csv(
    headers: dict[str, list[str]], rows: Sequence[Sequence[Cell]], dialect: Dialect
) -> bytes:
    if dialect not in headers:
        raise ValueError(f"unknown CSV dialect {dialect!r}: 'fr' or 'rfc4180'")
    buffer = io.StringIO(newline="")
    writer = csv.writer(
        buffer,
        delimiter=";" if dialect == "fr" else ",",
        lineterminator="\r\n",
        quoting=csv.QUOTE_MINIMAL,
    )
    writer.writerow(headers[dialect])
    writer.writerows([format_cell(value, dialect) for value in row] for row in rows)
    return buffer.getvalue().encode("utf-8-sig" if dialect == "fr" else "utf-8")


def export_contributions_csv(report: ContributionReport, *, dialect: Dialect = "fr") -> bytes:
    """One row per declaration of the year, in the report's order (by date)."""
    rows: list[list[Cell]] = [
        [
            c.date,
            c.contributor,
            c.circle,
            c.hours,
            c.amount,
            c.status,
            c.mission,
            c.source.page,
            c.source.line,
            c.over_ceiling,
        ]
        for c in report.contributions
    ]
    return write_csv(CONTRIBUTION_HEADERS, rows, dialect)


def export_campaign_csv(report: CampaignReport, *, dialect: Dialect = "fr") -> bytes:
    """One row per pledge of the campagne, with its state and the status of its project."""
    projects = {p.title: p for p in report.projects}
    rows: list[list[Cell]] = []
    for pledge in report.pledges:
        state = pledge.state
        status = project_status(projects, pledge.project)
        if dialect == "fr":
            state = french.pledge_state_label(state)
            status = french.project_status_label(status)
        rows.append(
            [
                pledge.member,
                pledge.project,
                pledge.amount,
                state,
                pledge.source.page,
                pledge.source.line,
                status,
            ]
        )
    return write_csv(PLEDGE_HEADERS, rows, dialect)


def project_status(projects: dict[str, ProjectTotals], title: str) -> str:
    """The status of the project a pledge names; "" when the campagne has no such project."""
    if title in projects:
        return projects[title].status
    key = name_key(title)
    for name, project in projects.items():
        if name_key(name) == key:
            return project.status
    return ""
