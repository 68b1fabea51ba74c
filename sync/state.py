"""The local state store (SQLite): parsed pages keyed by page and revision, and written pages.

A page is parsed once per revision: a sync lists revision ids (no content), compares them with
this cache, and reads only pages whose revision changed. Each cached page carries the
fingerprint it was parsed with, `FORMAT:CONFIG` (see `sync.cache`): pages of another format
are never unpickled, and pages of another configuration are parsed again.
"""

from __future__ import annotations

import logging
import pickle
import sqlite3
import threading
import uuid
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path

from ledger.record import Problem, Records
from parsers.card import CardCall
from sync import sqlite
from sync.port import PageInfo

log = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS parsed_page (
    page_id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    rev_id INTEGER NOT NULL,
    fingerprint TEXT NOT NULL,
    payload BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS written_page (
    title TEXT PRIMARY KEY,
    rev_id INTEGER NOT NULL,
    generated TEXT NOT NULL,
    digest TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS written_text (
    title TEXT PRIMARY KEY,
    text TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"""

# `meta` key: the wiki a full sync last read completely into this store (see `complete_for`)
COMPLETE_KEY = "complete_for"
GENERATION_KEY = "generation"  # changes at every sync (see `renew_generation`)


def _inode(path: Path) -> tuple[int, int] | None:
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    return stat.st_dev, stat.st_ino


@dataclass(frozen=True, slots=True)
class ParsedPage:
    page_id: int
    title: str
    rev_id: int
    records: Records
    problems: list[Problem]
    cards: tuple[CardCall, ...] = ()  # the key of each call's card feedback (parsers.card)


@dataclass(frozen=True, slots=True)
class WrittenPage:
    title: str
    rev_id: int
    generated: str
    digest: str
    # that revision as this process saw the wiki return it (page id, namespace, timestamp);
    # never stored: a page read back from the state is looked at again (`sync.writer`)
    seen: PageInfo | None = None


class StateStore:
    """One SQLite file under the data directory; safe to share between threads."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.RLock()
        opened = sqlite.connect_or_recover(
            path,
            SCHEMA,
            synchronous="NORMAL",
            timeout=sqlite.STATE_BUSY_SECONDS,
            what="state database",
        )
        self._db = opened.db
        self._inode = _inode(path)
        # where a corrupted file was moved at open: the state is empty and must be rebuilt
        # from the wiki by a full sync before any summary page is written
        self.recovered_from: Path | None = opened.moved_to

    def replaced(self) -> bool:
        """Whether the file at `path` is no longer the one open (deleted, or another file put
        there: a restore): what this store holds is then not what is on disk."""
        return _inode(self.path) != self._inode

    def reopen(self) -> None:
        """Close the store and open the file now at `path` (made empty when it is gone)."""
        with self._lock:
            self._db.close()
            opened = sqlite.connect_or_recover(
                self.path,
                SCHEMA,
                synchronous="NORMAL",
                timeout=sqlite.STATE_BUSY_SECONDS,
                what="state database",
            )
            self._db = opened.db
            self._inode = _inode(self.path)
            self.recovered_from = opened.moved_to or self.recovered_from

    # -- what the store knows of itself -------------------------------------------------

    def get_meta(self, key: str) -> str | None:
        with self._lock:
            row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str | None) -> None:
        with self.transaction() as db:
            if value is None:
                db.execute("DELETE FROM meta WHERE key = ?", (key,))
            else:
                db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    def renew_generation(self) -> str:
        """Mark the store as changed by one more sync: a new random generation, which the
        service keeps beside its queue; a store whose generation is not the one kept (a backup
        restored, a file from elsewhere) is not trusted for a partial sync."""
        generation = uuid.uuid4().hex
        self.set_meta(GENERATION_KEY, generation)
        return generation

    def complete_for(self) -> str | None:
        """The wiki (its URL; "" for a wiki without one) whose sources a full sync read
        completely into this store; None: the store is new, emptied or never finished a full
        sync, so summary pages must not be computed from it alone."""
        return self.get_meta(COMPLETE_KEY)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        return sqlite.transaction(self._db, self._lock)

    # -- parsed pages ---------------------------------------------------------------------

    def revisions(self, fingerprint: str) -> dict[int, int]:
        """{page id: revision id} of pages parsed with this fingerprint."""
        with self._lock:
            rows = self._db.execute(
                "SELECT page_id, rev_id FROM parsed_page WHERE fingerprint = ?", (fingerprint,)
            ).fetchall()
        return {page_id: rev_id for page_id, rev_id in rows}

    def save_pages(self, pages: list[ParsedPage], fingerprint: str) -> None:
        with self.transaction() as db:
            db.executemany(
                "INSERT OR REPLACE INTO parsed_page VALUES (?, ?, ?, ?, ?)",
                [
                    (
                        p.page_id,
                        p.title,
                        p.rev_id,
                        fingerprint,
                        pickle.dumps(
                            (p.records, p.problems, p.cards), protocol=pickle.HIGHEST_PROTOCOL
                        ),
                    )
                    for p in pages
                ],
            )

    def advance_revision(self, page_id: int, old_rev_id: int, new_rev_id: int) -> bool:
        """Our own save changed only the generated part of a source page (a statement page):
        its records are those of `old_rev_id`, so the cache moves to `new_rev_id` unparsed.
        Nothing happens when the cache held another revision."""
        with self.transaction() as db:
            cursor = db.execute(
                "UPDATE parsed_page SET rev_id = ? WHERE page_id = ? AND rev_id = ?",
                (new_rev_id, page_id, old_rev_id),
            )
        return cursor.rowcount == 1

    def delete_pages(self, page_ids: set[int]) -> None:
        if not page_ids:
            return
        with self.transaction() as db:
            db.executemany("DELETE FROM parsed_page WHERE page_id = ?", [(i,) for i in page_ids])

    def load_pages(self, cache_format: str) -> list[ParsedPage]:
        """Every cached page of this format, in title order (so merged records have a stable
        order). Pages of another format are deleted unread, and so is a page that cannot be
        read back: both are parsed again by the next sync."""
        prefix = f"{cache_format}:"
        with self.transaction() as db:
            other = db.execute(
                "DELETE FROM parsed_page WHERE substr(fingerprint, 1, ?) != ?",
                (len(prefix), prefix),
            ).rowcount
            rows = db.execute(
                "SELECT page_id, title, rev_id, payload FROM parsed_page ORDER BY title"
            ).fetchall()
        if other:
            log.info("parse cache: %d pages of another version discarded, to parse again", other)
        pages, unreadable = [], []
        for page_id, title, rev_id, payload in rows:
            try:
                # (records, problems, cards); a state without cards is parsed again
                records, problems, cards = pickle.loads(payload)
            except Exception as err:  # a cache written by other code: parse the page again
                unreadable.append(page_id)
                log.warning("parse cache: %s unreadable (%s), to parse again", title, err)
                continue
            pages.append(ParsedPage(page_id, title, rev_id, records, problems, cards))
        self.delete_pages(set(unreadable))
        return pages

    # -- written pages --------------------------------------------------------------------

    def all_written(self) -> dict[str, WrittenPage]:
        with self._lock:
            rows = self._db.execute(
                "SELECT title, rev_id, generated, digest FROM written_page"
            ).fetchall()
        return {row[0]: WrittenPage(*row) for row in rows}

    def save_written(self, page: WrittenPage, text: str | None = None) -> None:
        """Remember what we wrote; `text` is the whole page as saved, when we saved it (so
        the page need not be read again while its revision stays ours)."""
        # The texts are bound as UTF-8 bytes stored as TEXT: binding a `str` makes Python keep
        # a UTF-8 copy inside the string for as long as it lives, and the generated parts are
        # kept between syncs (the writer's `known`, the render memo): tens of MB at full size.
        with self.transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO written_page VALUES (?, ?, CAST(? AS TEXT), ?)",
                (page.title, page.rev_id, page.generated.encode("utf-8"), page.digest),
            )
            if text is None:
                db.execute("DELETE FROM written_text WHERE title = ?", (page.title,))
            else:
                db.execute(
                    "INSERT OR REPLACE INTO written_text VALUES (?, CAST(? AS TEXT))",
                    (page.title, text.encode("utf-8")),
                )

    def written_text(self, title: str) -> str | None:
        """The whole text of the page as we last saved it, if we did."""
        with self._lock:
            row = self._db.execute(
                "SELECT text FROM written_text WHERE title = ?", (title,)
            ).fetchone()
        return None if row is None else str(row[0])
