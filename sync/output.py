"""Which pages the bot writes after a computation, and the generated part of each."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from ledger.record import Severity
from sync import wikitext
from sync.compute import Computation
from sync.config import SyncConfig
from sync.render import (
    render_anomalies,
    render_bilan,
    render_campaign_data,
    render_contribution_data,
    render_registry,
)
from sync.statement import plan_statements, render_statement


@dataclass(frozen=True, slots=True)
class OutputPage:
    title: str
    generated: str
    digest: str  # a short French description of the content, for edit summaries
    must_exist: bool = False  # statement pages: only where the member put {{Relevé}}


def _eur(amount: Decimal) -> str:
    """French amount with plain spaces, for edit summaries."""
    return f"{wikitext.french_number(amount)} €".replace(wikitext.NNBSP, " ")


def plan_outputs(computation: Computation, config: SyncConfig) -> list[OutputPage]:
    """Every page to write, in a stable order. Pure: renders, reads nothing."""
    pages = config.pages
    at = computation.computed_at.astimezone(ZoneInfo(config.timezone))
    outputs = []
    for year, report in sorted(computation.contributions.items()):
        requested = sum((c.requested for c in report.circles), Decimal("0"))
        paid = sum((c.paid for c in report.circles), Decimal("0"))
        digest = (
            f"{len(report.contributions)} déclarations, demandé {_eur(requested)}, "
            f"versé {_eur(paid)}"
        )
        outputs.append(
            OutputPage(
                pages.registry_for(year),
                render_registry(report, generated_at=at, anomalies_page=pages.anomalies),
                digest,
            )
        )
    if computation.contributions:
        circles = {c.name for r in computation.contributions.values() for c in r.circles}
        outputs.append(
            OutputPage(
                pages.contribution_data,
                render_contribution_data(list(computation.contributions.values())),
                f"données de {len(circles)} cercles",
            )
        )
    for name, campaign in sorted(computation.campaigns.items()):
        pledged = sum((p.pledged for p in campaign.projects), Decimal("0"))
        funded = sum(1 for p in campaign.projects if p.status == "funded")
        digest = f"{len(campaign.projects)} projets dont {funded} financés, promis {_eur(pledged)}"
        outputs.append(
            OutputPage(
                pages.bilan_for(name),
                render_bilan(
                    campaign,
                    generated_at=at,
                    today=computation.today,
                    anomalies_page=pages.anomalies,
                ),
                digest,
            )
        )
        outputs.append(
            OutputPage(
                pages.campaign_data_for(name),
                render_campaign_data(campaign),
                f"données de {len(campaign.projects)} projets",
            )
        )
    for title, statement in plan_statements(computation, config):
        total = statement.total
        declarations = "déclaration" if total.declarations <= 1 else "déclarations"
        digest = (
            f"relevé de {statement.member} : {total.declarations} {declarations}, "
            f"demandé {_eur(total.requested)}"
        )
        generated = render_statement(statement, generated_at=at, pages=pages)
        outputs.append(OutputPage(title, generated, digest, must_exist=True))
    errors = sum(1 for p in computation.problems if p.severity == Severity.ERROR)
    warnings = len(computation.problems) - errors
    outputs.append(
        OutputPage(
            pages.anomalies,
            render_anomalies(computation.problems, generated_at=at),
            f"{errors} erreurs, {warnings} avertissements",
        )
    )
    return outputs
