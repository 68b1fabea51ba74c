"""`wikiledger serve`: the app under uvicorn."""

from __future__ import annotations

import uvicorn

from render.config import SyncConfig
from service.app import create_app
from service.settings import Settings


def serve(settings: Settings, config: SyncConfig, *, host: str, port: int) -> int:
    settings.require_wiki()
    settings.require_webhook_secret()
    app = create_app(settings, config)
    uvicorn.run(app, host=host, port=port, log_level="info", access_log=False)
    return 0
