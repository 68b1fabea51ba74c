"""Treasurer's downloads: CSV and ODS of a year's declarations and of a campagne's pledges.

Served from the last computation like the JSON API. Included before `api.router`, so that
`/api/contributions/2026.csv` reaches these routes and not the JSON one.
"""

from __future__ import annotations

import unicodedata
from typing import Literal
from urllib.parse import quote

from fastapi import APIRouter, HTTPException
from fastapi.responses import Response

from ledger.report import CampaignReport, ContributionReport
from render.compute import Computation
from service.deps import ComputationDep, ReadAccess
from service.export import (
    export_campaign_csv,
    export_campaign_ods,
    export_contributions_csv,
    export_contributions_ods,
)

router = APIRouter(prefix="/api", dependencies=[ReadAccess])

CSV_TYPE = "text/csv; charset=utf-8"
ODS_TYPE = "application/vnd.oasis.opendocument.spreadsheet"


def attachment(filename: str) -> str:
    """`Content-Disposition` for a download: an ASCII fallback and the UTF-8 name (RFC 6266)."""
    decomposed = unicodedata.normalize("NFKD", filename)
    ascii_name = "".join(
        ch if ch.isascii() and (ch.isalnum() or ch in ".-_") else "-"
        for ch in decomposed
        if not unicodedata.combining(ch)
    )
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"


def download(data: bytes, media_type: str, filename: str) -> Response:
    return Response(
        data, media_type=media_type, headers={"Content-Disposition": attachment(filename)}
    )


def contribution_report(computation: Computation, year: int) -> ContributionReport:
    report = computation.contributions.get(year)
    if report is None:
        known = ", ".join(str(y) for y in sorted(computation.contributions)) or "none"
        raise HTTPException(404, f"no declarations for {year} (years: {known})")
    return report


def campaign_report(computation: Computation, campagne: str) -> CampaignReport:
    report = computation.campaigns.get(campagne)
    if report is None:
        known = ", ".join(sorted(computation.campaigns)) or "none"
        raise HTTPException(404, f"no campaign {campagne!r} (campaigns: {known})")
    return report


@router.get("/contributions/{year}.csv", response_class=Response)
def get_contributions_csv(
    year: int, computation: ComputationDep, dialect: Literal["fr", "rfc4180"] = "fr"
) -> Response:
    data = export_contributions_csv(contribution_report(computation, year), dialect=dialect)
    return download(data, CSV_TYPE, f"contributions-{year}.csv")


@router.get("/contributions/{year}.ods", response_class=Response)
def get_contributions_ods(year: int, computation: ComputationDep) -> Response:
    data = export_contributions_ods(contribution_report(computation, year))
    return download(data, ODS_TYPE, f"contributions-{year}.ods")


@router.get("/cobudget/{campagne}.csv", response_class=Response)
def get_cobudget_csv(
    campagne: str, computation: ComputationDep, dialect: Literal["fr", "rfc4180"] = "fr"
) -> Response:
    data = export_campaign_csv(campaign_report(computation, campagne), dialect=dialect)
    return download(data, CSV_TYPE, f"cobudget-{campagne}.csv")


@router.get("/cobudget/{campagne}.ods", response_class=Response)
def get_cobudget_ods(campagne: str, computation: ComputationDep) -> Response:
    data = export_campaign_ods(campaign_report(computation, campagne))
    return download(data, ODS_TYPE, f"cobudget-{campagne}.ods")
