"""Fixtures for tests against the real wiki: the seeded Optéos pages and a fresh engine."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import mwclient
import pytest

from devwiki.mediawiki import LocalWiki
from devwiki.seed import save_seed
from render.config import SyncConfig
from sync.engine import SyncEngine
from sync.state import StateStore
from sync.templates import install_templates
from sync.wiki import WikiClient


def bot_client(wiki: LocalWiki) -> WikiClient:
    return WikiClient(wiki.url, wiki.bot_login, wiki.bot_password).connect()


@pytest.fixture(scope="session")
def seeded(
    local_wiki: LocalWiki, wiki_baseline: set[tuple[int, str]], admin_site: mwclient.Site
) -> LocalWiki:
    """The session wiki with our templates and the sample Optéos pages (kept between tests)."""
    install_templates(bot_client(local_wiki), SyncConfig())
    save_seed(admin_site)
    wiki_baseline |= local_wiki.page_keys()
    return local_wiki


@pytest.fixture
def env(
    seeded: LocalWiki, wiki: LocalWiki, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> LocalWiki:
    """The environment the CLI reads: the seeded wiki, the bot's login, a data folder."""
    monkeypatch.setenv("WIKILEDGER_WIKI_URL", wiki.url)
    monkeypatch.setenv("WIKILEDGER_BOT_USER", wiki.bot_login)
    monkeypatch.setenv("WIKILEDGER_BOT_PASSWORD", wiki.bot_password)
    monkeypatch.setenv("WIKILEDGER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.chdir(tmp_path)
    return wiki


@pytest.fixture
def engine(seeded: LocalWiki, wiki: LocalWiki, tmp_path: Path) -> Iterator[SyncEngine]:
    """An engine with an empty state; pages it writes are deleted after the test."""
    state = StateStore(tmp_path / "state.sqlite3")
    yield SyncEngine(bot_client(wiki), state, SyncConfig())
    state.close()


def page_text(site: mwclient.Site, title: str) -> str:
    return str(site.pages[title].text(cache=False))
