"""FastAPI dependencies, as `Annotated` aliases used by every router."""

from __future__ import annotations

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
    return computation


ComputationDep = Annotated[Computation, Depends(get_computation)]
