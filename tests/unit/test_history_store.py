"""The history kept in the state's SQLite file: saved incrementally, loaded as it was."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from ledger.history import contribution_events
from sync.history import HistoryStore
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
