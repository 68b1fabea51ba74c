"""Operations: `GET /healthz` and `GET /metrics` (Prometheus text format)."""

from __future__ import annotations

import time
from typing import Any

from fastapi import APIRouter
from fastapi.responses import PlainTextResponse

from service.deps import RuntimeDep

router = APIRouter()


@router.get("/healthz")
def healthz(runtime: RuntimeDep) -> dict[str, Any]:
    metrics = runtime.worker.metrics
    return {
        "status": "ok" if runtime.engine.last is not None else "starting",
        "queue_depth": runtime.queue.depth(),
        "last_success": metrics.last_success or None,
        "last_error": metrics.last_error or None,
    }


@router.get("/metrics", response_class=PlainTextResponse)
def metrics(runtime: RuntimeDep) -> str:
    m = runtime.worker.metrics
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
    ]
    out = []
    for name, kind, help_text, value in lines:
        out += [f"# HELP {name} {help_text}", f"# TYPE {name} {kind}", f"{name} {value}"]
    return "\n".join(out) + "\n"
