"""The engine's rules under the faults of issue 11, on an in-memory wiki: a state deleted or
new never publishes from a partial view (more cases follow in this file as they are done).

The same faults are injected for real in `tests/e2e/test_faults.py` and
`tests/wiki/test_page_faults.py`.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from sync.cache import cache_format
from sync.engine import SyncEngine
from sync.state import StateStore
from tests.fakewiki import FakeWiki
from tests.unit.test_engine import REGISTRY, declaration, generated, new_engine, seeded_wiki


@pytest.fixture
def wiki() -> FakeWiki:
    return seeded_wiki()


@pytest.fixture
def state(tmp_path: Path) -> Iterator[StateStore]:
    store = StateStore(tmp_path / "state.sqlite3")
    yield store
    store.close()


@pytest.fixture
def engine(wiki: FakeWiki, state: StateStore) -> SyncEngine:
    return new_engine(wiki, state)


NEW = "Utilisateur:Nina Neuve/Contributions 2026"


def test_a_state_deleted_while_the_service_runs_is_rebuilt_before_any_page_is_written(
    engine: SyncEngine, wiki: FakeWiki, state: StateStore
) -> None:
    engine.full_sync()
    assert engine.complete
    state.path.unlink()
    for companion in ("-wal", "-shm"):
        Path(f"{state.path}{companion}").unlink(missing_ok=True)
    wiki.save(NEW, declaration("Contribution", "Nina Neuve", 7))
    result = engine.sync_pages({NEW})
    assert result.kind == "full" and result.pages_read == 4
    assert "157,00" in generated(wiki, REGISTRY)  # 100 + 50 + 7, not 7 alone
    assert state.path.exists() and engine.complete


def test_an_event_on_a_new_state_is_a_full_sync_and_never_a_page_alone(
    wiki: FakeWiki, tmp_path: Path
) -> None:
    new_engine(wiki, StateStore(tmp_path / "old.sqlite3")).full_sync()
    wiki.save(NEW, declaration("Contribution", "Nina Neuve", 7))
    store = StateStore(tmp_path / "restored.sqlite3")  # a new server, a lost file
    engine = new_engine(wiki, store)
    assert not engine.complete
    result = engine.sync_pages({NEW})
    assert result.kind == "full"
    assert "157,00" in generated(wiki, REGISTRY)
    assert engine.complete


def test_a_full_sync_cut_short_leaves_the_state_incomplete(wiki: FakeWiki, tmp_path: Path) -> None:
    engine = new_engine(wiki, StateStore(tmp_path / "state.sqlite3"))

    def stopped(title: str) -> None:
        raise sqlite3.OperationalError("disk I/O error")  # any failure during the writes

    wiki.before_save = stopped
    with contextlib.suppress(sqlite3.OperationalError):
        engine.full_sync()
    assert not engine.complete
    wiki.before_save = None
    assert engine.sync_pages({NEW}).kind == "full"


def test_a_state_holding_newer_revisions_than_the_wiki_is_not_trusted(
    engine: SyncEngine, wiki: FakeWiki, state: StateStore
) -> None:
    engine.full_sync()
    with state.transaction() as db:  # a state from another wiki, or another time
        db.execute("UPDATE parsed_page SET rev_id = rev_id + 1000")
    engine.cache.pages().clear()
    engine.cache.pages().update({p.page_id: p for p in state.load_pages(cache_format())})
    result = engine.sync_pages({"Utilisateur:Zoé Blanc/Contributions 2026"})
    assert result.kind == "full"
