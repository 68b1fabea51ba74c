"""FastAPI dependencies, as `Annotated` aliases used by every router."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, HTTPException, Request

from render.compute import Computation
from service.runtime import Runtime


def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


def get_computation(runtime: RuntimeDep) -> Computation:
    """The last computed state; the API never recomputes per request."""
    computation = runtime.engine.last
    if computation is None:
        raise HTTPException(503, "no sync has completed yet; try again in a moment")
    return computation.complete()  # a live sync may still be working out cards and statements


ComputationDep = Annotated[Computation, Depends(get_computation)]


def require_read_token(request: Request, runtime: RuntimeDep) -> None:
    """With `WIKILEDGER_READ_TOKEN` set, reading needs it: `Authorization: Bearer TOKEN`, or
    `?token=TOKEN` for a browser opening the status page or a download."""
    expected = runtime.read_token
    if not expected:
        return
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        given = request.query_params.get("token", "")
    if not hmac.compare_digest(given.encode(), expected.encode()):
        raise HTTPException(
            401,
            "a read token (WIKILEDGER_READ_TOKEN) is required: "
            "Authorization: Bearer TOKEN or ?token=TOKEN",
            headers={"WWW-Authenticate": "Bearer"},
        )


ReadAccess = Depends(require_read_token)
