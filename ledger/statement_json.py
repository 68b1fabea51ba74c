"""The JSON of a member's statement (`GET /api/people/{name}`); `ledger.statement` re-exports it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ledger.report import money, trail_to_json

if TYPE_CHECKING:  # `ledger.statement` imports this module: its types only for annotations
    from ledger.governance import Verdict
    from ledger.statement import Statement, Totals


def totals_to_json(totals: Totals) -> dict[str, Any]:
    return {
        "hours": money(totals.hours),
        "requested": money(totals.requested),
        "validated": money(totals.validated),
        "paid": money(totals.paid),
        "remaining_to_pay": money(totals.remaining_to_pay),
        "declarations": totals.declarations,
    }


def _who_validated_and_paid(status: str, verdict: Verdict | None) -> dict[str, Any]:
    trail = trail_to_json(status, verdict)
    return {"validated_by": trail["validated_by"], "paid_by": trail["paid_by"]}


def statement_to_json(statement: Statement) -> dict[str, Any]:
    """The JSON of `GET /api/people/{name}`: money and hours as strings like `"1234.50"`."""
    return {
        "member": statement.member,
        "total": totals_to_json(statement.total),
        "years": [
            {
                "year": y.year,
                **totals_to_json(y.totals),
                "circles": [
                    {
                        "name": c.circle,
                        **totals_to_json(c.totals),
                        "over_envelope": c.over_envelope,
                        "proposed": money(c.proposed),
                        "closing": None
                        if c.closing_rule is None
                        else {
                            "rule": str(c.closing_rule),
                            "due": money(c.due.amount if c.due else None),
                            "paid": money(c.due.paid if c.due else None),
                            "remaining": money(c.due.remaining if c.due else None),
                        },
                    }
                    for c in y.circles
                ],
            }
            for y in statement.years
        ],
        "contributions": [
            {
                "year": c.date.year,
                "page": c.source.page,
                "line": c.source.line,
                "circle": c.circle,
                "date": c.date.isoformat(),
                "hours": money(c.hours),
                "amount": money(c.amount),
                "status": c.status,
                "mission": c.mission,
                "over_ceiling": c.over_ceiling,
                **_who_validated_and_paid(c.status, c.verdict),
            }
            for c in statement.declarations
        ],
        "campaigns": [
            {
                "campagne": c.campagne,
                "participant": c.participant,
                "dotation": money(c.dotation),
                "pledged": money(c.pledged),
                "remaining": money(c.remaining),
                "suspended": c.suspended,
                "suspended_amount": money(c.suspended_amount),
                "pledges": [
                    {
                        "page": p.source.page,
                        "line": p.source.line,
                        "project": p.project,
                        "amount": money(p.amount),
                        "state": p.state,
                        "project_status": p.project_status,
                        "project_pledged": money(p.project_pledged),
                        "project_minimum": money(p.project_minimum),
                        "project_maximum": money(p.project_maximum),
                    }
                    for p in c.pledges
                ],
            }
            for c in statement.campaigns
        ],
    }
