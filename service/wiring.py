"""Building the long-lived objects (wiki client, state store, engine) from the settings."""

from __future__ import annotations

from sync.config import SyncConfig
from sync.engine import SyncEngine
from sync.state import StateStore
from sync.wiki import WikiClient

from service.settings import Settings


def build_wiki(settings: Settings) -> WikiClient:
    settings.require_wiki()
    return WikiClient(
        settings.wiki_url, settings.bot_user, settings.bot_password.get_secret_value()
    )


def build_engine(settings: Settings, config: SyncConfig) -> SyncEngine:
    """A connected engine; raises WikiError/ConfigError with what to fix."""
    wiki = build_wiki(settings).connect()
    state = StateStore(settings.data_dir / "state.sqlite3")
    return SyncEngine(wiki, state, config)
