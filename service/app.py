"""The FastAPI application factory: builds settings, engine, queue and worker at start-up."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from render.config import SyncConfig
from service.health import logged_in
from service.metrics import build_registry
from service.queue import QUEUE_FILENAME, JobQueue
from service.routes import api, export, ops, pages, webhook
from service.runtime import Runtime
from service.settings import Settings
from service.webhook import decode_secret
from service.wiring import build_engine, build_wiki
from service.worker import CURSOR_KEY, ChangeFeed, Worker
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
        built = engine is None
        if engine is None or wiki is None:
            client = build_wiki(settings)
            engine, wiki = build_engine(settings, config, connect=False, wiki=client), client
        queue = JobQueue(settings.data_dir / QUEUE_FILENAME)
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
        recovered_state = getattr(getattr(engine, "state", None), "recovered_from", None)
        if recovered_state is not None:
            # The parsed pages are gone: without a cursor the worker's first step is a full
            # sync, so no summary page is written from the pages of one event alone.
            queue.delete_state(CURSOR_KEY)
        worker.health.recovered = [p for p in (recovered_state, queue.recovered_from) if p]
        app.state.runtime = Runtime(
            settings,
            engine,
            queue,
            worker,
            secret,
            settings.api_token.get_secret_value(),
            build_registry(worker, queue, lambda: logged_in(engine)),
            settings.read_token.get_secret_value(),
        )
        worker.start()
        try:
            yield
        finally:
            worker.stop()
            queue.close()
            if built:
                engine.state.close()  # its WAL checkpointed: the file alone is the state

    app = FastAPI(title="wikiledger", version="0.1.0", lifespan=lifespan)
    app.include_router(webhook.router)
    app.include_router(export.router)  # before api: /api/contributions/2026.csv is an export
    app.include_router(api.router)
    app.include_router(ops.router)
    app.include_router(pages.router)
    return app
