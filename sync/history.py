"""The history of the source pages, kept in the state and always rebuildable from the wiki.

A first sync (or `sync --rebuild`) reads every revision of the source pages once
(`sync.revisions`), parses each and folds them into a `ledger.trail.History`. Afterwards each
sync applies the parse of each page it reads, with the revision it read: the previous parse
is the history's own state of that page. When revisions were missed in between (the service
was stopped), only those are read, from that page's history. The history is stored in the
state's SQLite file, with the parser's fingerprint: another fingerprint means a rebuild.
"""

from __future__ import annotations

import pickle
import sqlite3
import threading
from collections.abc import Callable, Iterable
from pathlib import Path

from ledger.history import RevisionRef, Trail
from ledger.record import Records
from ledger.trail import History, PageRevision
from sync import sqlite
from sync.revisions import Query, RevisionText, read_histories

SCHEMA = """
CREATE TABLE IF NOT EXISTS history_trail (
    number INTEGER PRIMARY KEY,
    payload BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS history_meta (
    name TEXT PRIMARY KEY,
    fingerprint TEXT NOT NULL,
    payload BLOB NOT NULL
);
"""
Parse = Callable[[str, str], Records]  # (title, wikitext) -> records, as the sync parses


def _dump(value: object) -> sqlite3.Binary:
    return sqlite3.Binary(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))


class HistoryStore:
    """The history in two tables of the state's SQLite file: one row per trail, saved when
    it changed (a live edit saves a few rows), and the pages' lists and référent·es."""

    def __init__(self, path: Path) -> None:
        self._lock = threading.RLock()
        self._db = sqlite.connect(
            path, SCHEMA, synchronous="NORMAL", timeout=sqlite.STATE_BUSY_SECONDS
        )

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def load(self, fingerprint: str) -> History | None:
        """The stored history, None when there is none or it was built by another parser."""
        with self._lock:
            row = self._db.execute(
                "SELECT fingerprint, payload FROM history_meta WHERE name = 'sources'"
            ).fetchone()
            if row is None or row[0] != fingerprint:
                return None
            rows = self._db.execute("SELECT number, payload FROM history_trail").fetchall()
        pages, last_rev, referents, next_number = pickle.loads(row[1])
        trails: dict[int, Trail] = {number: pickle.loads(payload) for number, payload in rows}
        history = History()
        history.restore(trails, pages, last_rev, referents, next_number)
        return history

    def save(self, history: History, fingerprint: str) -> None:
        """Save what changed since the last save (everything when the fingerprint changed)."""
        changed, deleted = history.take_changes()
        meta = _dump((history.pages, history.last_rev, history.referents, history.next_number))
        with self._lock:
            row = self._db.execute(
                "SELECT fingerprint FROM history_meta WHERE name = 'sources'"
            ).fetchone()
        everything = row is None or row[0] != fingerprint
        if everything:
            changed, deleted = set(history.trails), set()
        # pickled before the write lock is taken: at scale a first save pickles 100,000
        # trails, and the writer's saves of pages wait for the lock meanwhile (sync.publish)
        rows = [(n, _dump(history.trails[n])) for n in sorted(changed)]
        with sqlite.transaction(self._db, self._lock) as db:
            if everything:
                db.execute("DELETE FROM history_trail")
            db.executemany(
                "DELETE FROM history_trail WHERE number = ?", [(n,) for n in sorted(deleted)]
            )
            db.executemany(
                "INSERT OR REPLACE INTO history_trail (number, payload) VALUES (?, ?)", rows
            )
            db.execute(
                "INSERT OR REPLACE INTO history_meta (name, fingerprint, payload) "
                "VALUES ('sources', ?, ?)",
                (fingerprint, meta),
            )


def parsed(texts: Iterable[RevisionText], parse: Parse) -> list[PageRevision]:
    """Each revision's records; a revision whose text is hidden keeps the page as it was."""
    changes = []
    for text in texts:
        if text.text is not None:
            changes.append(PageRevision(text.page_id, text.revision, parse(text.title, text.text)))
    return changes


def build_history(query: Query, pages: dict[int, int], batch: int, parse: Parse) -> History:
    """The history of the source pages ({page id: namespace}) from every one of their revisions."""
    texts = read_histories(query, pages, set(pages.values()), batch)
    return History.rebuild(parsed(texts, parse))


def advance(
    history: History,
    page_id: int,
    revision: RevisionRef,
    records: Records | None,
    *,
    parent_id: int | None = None,
    missed: Callable[[int, int], list[RevisionText]] | None = None,
    parse: Parse | None = None,
) -> None:
    """Fold one page's new parse (the live path). When `parent_id` says revisions were missed
    since the last one folded for the page, `missed(after, before)` reads them first."""
    last = history.last_rev.get(page_id, 0)
    if (
        missed is not None
        and parse is not None
        and last
        and parent_id is not None
        and parent_id > last
    ):
        for change in parsed(missed(last, revision.rev_id), parse):
            history.apply(change)
    history.apply(PageRevision(page_id, revision, records))
