"""The FastAPI application factory: builds settings, engine, queue and worker at start-up."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from render.config import SyncConfig
from service.metrics import build_registry
from service.queue import JobQueue
from service.routes import api, export, ops, pages, webhook
from service.runtime import Runtime
from service.settings import Settings
from service.webhook import decode_secret
from service.wiring import build_engine, build_wiki
from service.worker import ChangeFeed, Worker
from sync.engine import SyncEngine

log = logging.getLogger(__name__)


def create_app(
    settings: Settings | None = None,
    config: SyncConfig | None = None,
    *,
    engine: SyncEngine | None = None,
    wiki: ChangeFeed | None = None,
    coalesce_seconds: float | None = None,
    catchup_seconds: float | None = None,
) -> FastAPI:
    """Build the app; the engine (and its wiki login) is made at start-up, not at import.

    An `engine` given by the caller comes with the `wiki` whose recent changes the worker
    reads to catch up (the engine's own wiki, or a fake).
    """
    if (engine is None) != (wiki is None):
        raise ValueError("create_app takes an engine and its wiki together, or neither")

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        nonlocal settings, config, engine, wiki
        settings = settings or Settings()
        config = config or SyncConfig()
        secret = decode_secret(settings.require_webhook_secret())
        if engine is None or wiki is None:
            client = build_wiki(settings)
            engine, wiki = build_engine(settings, config, connect=False, wiki=client), client
        queue = JobQueue(settings.data_dir / "queue.sqlite3")
        worker = Worker(
            engine,
            queue,
            wiki,
            coalesce_seconds=settings.coalesce_seconds
            if coalesce_seconds is None
            else coalesce_seconds,
            catchup_seconds=settings.catchup_seconds
            if catchup_seconds is None
            else catchup_seconds,
        )
        app.state.runtime = Runtime(
            settings,
            engine,
            queue,
            worker,
            secret,
            settings.api_token.get_secret_value(),
            build_registry(worker.metrics, queue),
        )
        worker.start()
        try:
            yield
        finally:
            worker.stop()
            queue.close()

    app = FastAPI(title="wikiledger", version="0.1.0", lifespan=lifespan)
    app.include_router(webhook.router)
    app.include_router(export.router)  # before api: /api/contributions/2026.csv is an export
    app.include_router(api.router)
    app.include_router(ops.router)
    app.include_router(pages.router)
    return app
