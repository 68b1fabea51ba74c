"""The history kept in the state's SQLite file: saved incrementally, loaded as it was."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

from ledger.history import contribution_events
from sync import sqlite
from sync.history import HistoryStore
from sync.state import StateStore, WrittenPage
from tests.unit.history_helpers import Wiki, declaration, snapshot

PAGE, OTHER = 10, 11


def rows(path: Path) -> int:
    with sqlite3.connect(path) as db:
        (count,) = db.execute("SELECT count(*) FROM history_trail").fetchone()
    return int(count)


def test_a_saved_history_loads_as_it_was_and_goes_on_the_same(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite3"
    wiki = Wiki()
    wiki.edit(PAGE, declaration() + "\n" + declaration("Bruno Lefèvre") + "\n")
    store = HistoryStore(path)
    store.save(wiki.history, "v1")
    loaded = store.load("v1")
    assert loaded is not None and snapshot(loaded) == snapshot(wiki.history)
    assert store.load("v2") is None
    # the same edits on the live history and on the loaded one give the same result
    live = wiki.history
    for history in (live, loaded):
        wiki.history = history
        wiki.next_rev = 2
        wiki.edit(OTHER, declaration() + "\n", user="Claire Petit", title="Autre")
        wiki.edit(PAGE, declaration("Bruno Lefèvre", status="validée") + "\n", user="Bruno")
    assert loaded is not live and snapshot(loaded) == snapshot(live)
    [alice] = [t for t in loaded.current("contribution") if t.page_id == OTHER]
    assert [e.field for e in contribution_events(alice.versions)] == ["created", "moved"]
    store.close()


def test_only_what_changed_is_saved_and_a_merged_copy_is_deleted(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite3"
    wiki = Wiki()
    wiki.edit(PAGE, declaration() + "\n" + declaration("Bruno Lefèvre") + "\n")
    store = HistoryStore(path)
    store.save(wiki.history, "v1")
    assert rows(path) == 2
    wiki.edit(OTHER, declaration() + "\n", user="Claire Petit", title="Autre")  # a copy
    assert wiki.history.dirty == {3}
    store.save(wiki.history, "v1")
    assert rows(path) == 3
    wiki.edit(PAGE, declaration("Bruno Lefèvre") + "\n", user="Claire Petit")  # then the cut
    assert wiki.history.deleted == {3}
    store.save(wiki.history, "v1")
    assert rows(path) == 2
    loaded = store.load("v1")
    assert loaded is not None and snapshot(loaded) == snapshot(wiki.history)
    store.save(wiki.history, "v2")  # another parser: everything saved again under it
    assert rows(path) == 2 and store.load("v1") is None and store.load("v2") is not None
    store.close()


def test_a_page_saved_while_the_history_holds_the_file_longer_than_five_seconds_waits(
    tmp_path: Path,
) -> None:
    # The state store and the history are two connections to one file: at scale the
    # history's first save held it past SQLite's default 5 s, and the writer's save of a page
    # beside it failed with "database is locked" (a benchmark's cold sync at 5× the full size).
    path = tmp_path / "state.sqlite3"
    state, store = StateStore(path), HistoryStore(path)
    holding = threading.Event()

    def hold_the_file() -> None:
        with sqlite.transaction(store._db, store._lock):
            holding.set()
            time.sleep(5.5)

    thread = threading.Thread(target=hold_the_file)
    thread.start()
    try:
        assert holding.wait(5)
        started = time.monotonic()
        state.save_written(WrittenPage("Registre 2026", 7, "généré", "1 déclaration"), "texte")
        assert time.monotonic() - started > 4  # it waited for the other transaction
        assert state.all_written()["Registre 2026"].rev_id == 7
    finally:
        thread.join()
        state.close()
        store.close()
