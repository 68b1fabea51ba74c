"""Operations: `GET /healthz` and `GET /metrics` (Prometheus text format).

`/healthz` answers 200 only while the last attempt to sync (or to catch up) succeeded and the
bot is logged in; otherwise 503 with the reason (`wiki unreachable`, `login refused`,
`page refused: …`, `first sync in progress`). It needs no token: supervisors poll it.
"""

from __future__ import annotations

import time
from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse, PlainTextResponse

from service.deps import ReadAccess, RuntimeDep
from service.runtime import Runtime

router = APIRouter()


def logged_in(runtime: Runtime) -> bool:
    return bool(getattr(runtime.engine.wiki, "logged_in", False))


@router.get("/healthz")
def healthz(runtime: RuntimeDep) -> JSONResponse:
    metrics, health = runtime.worker.metrics, runtime.worker.health
    healthy, reason = health.check(logged_in(runtime))
    status = "ok" if healthy else "failing"
    if runtime.engine.last is None:
        status = "starting"
    body: dict[str, Any] = {
        "status": status,
        "reason": reason or None,
        "error": health.error or None,  # the current failure, cleared once it is over
        "since": health.since,
        "logged_in": logged_in(runtime),
        "queue_depth": runtime.queue.depth(),
        "last_success": metrics.last_success or None,
        "last_error": metrics.last_error or None,  # the last failure, even if over
        "recovered_files": [str(path) for path in health.recovered],
    }
    return JSONResponse(body, status_code=200 if healthy else 503)


@router.get("/metrics", response_class=PlainTextResponse, dependencies=[ReadAccess])
def metrics(runtime: RuntimeDep) -> str:
    m, health = runtime.worker.metrics, runtime.worker.health
    healthy, reason = health.check(logged_in(runtime))
    lines = [
        (
            "wikiledger_queue_depth",
            "gauge",
            "Jobs waiting in the durable queue.",
            runtime.queue.depth(),
        ),
        ("wikiledger_syncs_total", "counter", "Syncs completed.", m.syncs),
        (
            "wikiledger_sync_seconds_total",
            "counter",
            "Time spent in syncs.",
            round(m.sync_seconds, 6),
        ),
        ("wikiledger_edits_total", "counter", "Pages saved on the wiki.", m.edits),
        ("wikiledger_failures_total", "counter", "Syncs or catch-ups that failed.", m.failures),
        (
            "wikiledger_webhooks_accepted_total",
            "counter",
            "Webhooks accepted.",
            m.webhooks_accepted,
        ),
        ("wikiledger_webhooks_refused_total", "counter", "Webhooks refused.", m.webhooks_refused),
        (
            "wikiledger_last_success_timestamp_seconds",
            "gauge",
            "Unix time of the last successful sync.",
            round(m.last_success, 3),
        ),
        (
            "wikiledger_last_success_age_seconds",
            "gauge",
            "Seconds since the last successful sync.",
            round(time.time() - m.last_success, 3) if m.last_success else -1,
        ),
        ("wikiledger_healthy", "gauge", "1 when /healthz answers 200.", int(healthy)),
        (
            "wikiledger_bot_logged_in",
            "gauge",
            "1 while the bot holds a session.",
            int(logged_in(runtime)),
        ),
        (
            "wikiledger_wiki_unreachable",
            "gauge",
            "1 while the wiki does not answer.",
            int(reason == "wiki unreachable"),
        ),
        (
            "wikiledger_login_refused",
            "gauge",
            "1 while the wiki refuses the bot's login.",
            int(reason == "login refused"),
        ),
        (
            "wikiledger_page_refused",
            "gauge",
            "1 while the last sync failed on a page the wiki refused.",
            int(reason.startswith("page refused")),
        ),
        (
            "wikiledger_databases_recovered",
            "gauge",
            "Corrupted database files moved aside at start.",
            len(health.recovered),
        ),
    ]
    out = []
    for name, kind, help_text, value in lines:
        out += [f"# HELP {name} {help_text}", f"# TYPE {name} {kind}", f"{name} {value}"]
    return "\n".join(out) + "\n"
