"""HTML status pages (Jinja2, autoescaped): syncs, queue, problems, links to summary pages."""

from __future__ import annotations

import datetime
from functools import cache
from pathlib import Path
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from ledger import french
from ledger.record import Severity
from service.deps import ReadAccess, RuntimeDep
from service.health import french_reason

router = APIRouter()
TEMPLATES = Path(__file__).resolve().parents[1] / "templates"


@cache
def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
    )
    env.filters["when"] = lambda ts: (
        french.format_time(datetime.datetime.fromtimestamp(ts), seconds=True) if ts else "jamais"
    )
    return env


def _wiki_link(base: str, title: str) -> str:
    return f"{base.rstrip('/')}/index.php?title={quote(title.replace(' ', '_'))}"


@router.get("/", response_class=HTMLResponse, dependencies=[ReadAccess])
def status_page(request: Request, runtime: RuntimeDep) -> str:
    engine, metrics = runtime.engine, runtime.worker.metrics
    computation = engine.last
    pages = engine.config.pages
    summary_pages = []
    if computation is not None:
        summary_pages += [pages.registry_for(y) for y in sorted(computation.contributions)]
        summary_pages += [pages.bilan_for(c) for c in sorted(computation.campaigns)]
    summary_pages.append(pages.anomalies)
    problems = computation.problems if computation else []
    health = runtime.worker.health
    healthy, reason = health.check(bool(getattr(engine.wiki, "logged_in", False)))
    return (
        _environment()
        .get_template("status.html")
        .render(
            wiki=runtime.settings.wiki_url,
            link=lambda title: _wiki_link(runtime.settings.wiki_url, title),
            summary_pages=summary_pages,
            history=list(metrics.history),
            metrics=metrics,
            queue=runtime.queue.pending(50),
            depth=runtime.queue.depth(),
            problems=problems,
            errors=sum(1 for p in problems if p.severity == Severity.ERROR),
            computed=computation is not None,
            healthy=healthy,
            reason=french_reason(reason),
            health=health,
        )
    )
