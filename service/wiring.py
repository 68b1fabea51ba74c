"""Building the long-lived objects (wiki client, state store, engine) from the settings."""

from __future__ import annotations

from dataclasses import replace

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
    # The bot's own edits are nobody's declaration or validation (`[governance]`).
    account = settings.bot_user.partition("@")[0]
    if account and account not in config.governance.bots:
        bots = (*config.governance.bots, account)
        config = replace(config, governance=replace(config.governance, bots=bots))
    return SyncEngine(wiki, state, config)
