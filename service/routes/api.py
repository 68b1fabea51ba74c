"""The JSON API, served from the last computed state (never recomputed per request)."""

from __future__ import annotations

import hmac
from typing import Annotated, Any

from fastapi import APIRouter, Header, HTTPException
from fastapi.responses import JSONResponse

from ledger.name import suggest
from ledger.report import (
    campaign_report_to_json,
    contribution_report_to_json,
    problem_to_json,
)
from ledger.statement import compute_statement, normalise_member, statement_to_json
from service.deps import ComputationDep, ReadAccess, RuntimeDep
from service.jobs import FullSync

router = APIRouter(prefix="/api")


@router.get("/contributions/{year}", dependencies=[ReadAccess])
def get_contributions(year: int, computation: ComputationDep) -> dict[str, Any]:
    report = computation.contributions.get(year)
    if report is None:
        known = ", ".join(str(y) for y in sorted(computation.contributions)) or "none"
        raise HTTPException(404, f"no declarations for {year} (years: {known})")
    return contribution_report_to_json(report)


@router.get("/cobudget/{campagne}", dependencies=[ReadAccess])
def get_cobudget(campagne: str, computation: ComputationDep) -> dict[str, Any]:
    report = computation.campaigns.get(campagne)
    if report is None:
        known = ", ".join(sorted(computation.campaigns)) or "none"
        raise HTTPException(404, f"no campaign {campagne!r} (campaigns: {known})")
    return campaign_report_to_json(report)


@router.get("/people/{name}", dependencies=[ReadAccess])
def get_person(name: str, computation: ComputationDep) -> dict[str, Any]:
    """A member's statement (`ledger.statement`); 404 when the name appears nowhere."""
    records = computation.records
    statement = compute_statement(
        records,
        name,
        contribution_reports=computation.contributions,
        campaign_reports=computation.campaigns,
        index=computation.statement_index(),
    )
    if not statement.declarations and not statement.campaigns:
        known = {c.contributor for c in records.contributions} | {p.member for p in records.pledges}
        known |= {m for c in records.campaigns for m in c.participants}
        hint = suggest(statement.member, map(normalise_member, known))
        also = f" (did you mean {hint!r}?)" if hint else ""
        raise HTTPException(404, f"no declaration or pledge of {statement.member!r}{also}")
    return statement_to_json(statement)


@router.get("/problems", dependencies=[ReadAccess])
def get_problems(computation: ComputationDep) -> dict[str, Any]:
    return {"problems": [problem_to_json(p) for p in computation.problems]}


@router.post("/sync", status_code=202)
def request_sync(runtime: RuntimeDep, authorization: Annotated[str, Header()] = "") -> JSONResponse:
    token = runtime.api_token
    scheme, _, given = authorization.partition(" ")
    if not token or scheme.lower() != "bearer" or not hmac.compare_digest(given, token):
        raise HTTPException(401, "a valid bearer token (WIKILEDGER_API_TOKEN) is required")
    job_id = runtime.queue.enqueue(FullSync(reason="api"))
    runtime.worker.notify()
    return JSONResponse({"queued": job_id}, status_code=202)
