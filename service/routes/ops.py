"""Operations: `GET /healthz` and `GET /metrics` (Prometheus text format).

`/healthz` answers 200 only while the last attempt to sync (or to catch up) succeeded and the
bot is logged in; otherwise 503 with the reason (`wiki unreachable`, `login refused`,
`page refused: …`, `first sync in progress`). It needs no token: supervisors poll it.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response

from service.deps import ReadAccess, RuntimeDep
from service.health import logged_in
from service.metrics import CONTENT_TYPE, render_metrics
from service.runtime import Runtime

router = APIRouter()


def _logged_in(runtime: Runtime) -> bool:
    return logged_in(runtime.engine)


@router.get("/healthz")
def healthz(runtime: RuntimeDep) -> JSONResponse:
    metrics, health = runtime.worker.metrics, runtime.worker.health
    healthy, reason = health.check(_logged_in(runtime))
    status = "ok" if healthy else "failing"
    if runtime.engine.last is None:
        status = "starting"
    body: dict[str, Any] = {
        "status": status,
        "reason": reason or None,
        "error": health.error or None,  # the current failure, cleared once it is over
        "since": health.since,
        "logged_in": _logged_in(runtime),
        "queue_depth": runtime.queue.depth(),
        "last_success": metrics.last_success or None,
        "last_error": metrics.last_error or None,  # the last failure, even if over
        "recovered_files": [str(path) for path in health.recovered],
    }
    return JSONResponse(body, status_code=200 if healthy else 503)


@router.get("/metrics", response_class=Response, dependencies=[ReadAccess])
def metrics(runtime: RuntimeDep) -> Response:
    return Response(render_metrics(runtime.metrics), media_type=CONTENT_TYPE)
