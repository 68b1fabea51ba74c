"""Operations: `GET /healthz` and `GET /metrics` (Prometheus text format, see service.metrics)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response

from service.deps import RuntimeDep
from service.metrics import CONTENT_TYPE, render_metrics

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


@router.get("/metrics", response_class=Response)
def metrics(runtime: RuntimeDep) -> Response:
    return Response(render_metrics(runtime.metrics), media_type=CONTENT_TYPE)
