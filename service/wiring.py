"""Building the long-lived objects (wiki client, state store, engine) from the settings."""

from __future__ import annotations

from render.config import SyncConfig
from service.settings import Settings
from sync.engine import SyncEngine
from sync.state import StateStore
from sync.wiki import WikiClient


def build_wiki(settings: Settings) -> WikiClient:
    settings.require_wiki()
    return WikiClient(
        settings.wiki_url, settings.bot_user, settings.bot_password.get_secret_value()
    )


def build_engine(
    settings: Settings,
    config: SyncConfig,
    *,
    connect: bool = True,
    wiki: WikiClient | None = None,
) -> SyncEngine:
    """An engine on `wiki` (a new client if None); raises WikiError/ConfigError with what to fix.

    `connect=False` defers the login to the first sync: the service then starts even while
    the wiki is down, and its worker retries with backoff.
    """
    wiki = wiki or build_wiki(settings)
    if connect:
        wiki.connect()
    state = StateStore(settings.data_dir / "state.sqlite3")
    return SyncEngine(wiki, state, config)
