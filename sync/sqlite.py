"""SQLite plumbing shared by the state store and the job queue: connection set-up, transactions,
and a corrupted file moved aside at open (both files can be rebuilt: the state from the wiki, the
queue empty, its lost events found again by the recent-changes catch-up)."""

from __future__ import annotations

import datetime
import logging
import sqlite3
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any, Literal

log = logging.getLogger(__name__)

# How long a write to the state file waits for another connection's transaction (the state
# store's and the history's are two connections to one file): the history's first save at
# 5× the benchmark's full size held the file more than SQLite's default 5 s, and the writer's
# save of a page beside it failed with "database is locked".
STATE_BUSY_SECONDS = 120.0


def connect(
    path: Path,
    schema: str,
    *,
    synchronous: Literal["NORMAL", "FULL"],
    timeout: float = 5.0,
) -> sqlite3.Connection:
    """Open `path` (its directory made if missing) in WAL mode with `schema` applied.

    The connection is in autocommit mode, so every transaction is explicit (see `transaction`),
    and may be shared between threads behind a lock.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=timeout)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute(f"PRAGMA synchronous={synchronous}")
    db.executescript(schema)
    return db


@contextmanager
def transaction(
    db: sqlite3.Connection, lock: AbstractContextManager[Any]
) -> Iterator[sqlite3.Connection]:
    """Hold `lock` for one immediate transaction on `db`, committed on success, else rolled back."""
    with lock:
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")


class Opened:
    """A connection, and where the corrupted file it replaces was moved (None: it was sound)."""

    def __init__(self, db: sqlite3.Connection, moved_to: Path | None) -> None:
        self.db, self.moved_to = db, moved_to


def connect_or_recover(
    path: Path,
    schema: str,
    *,
    synchronous: Literal["NORMAL", "FULL"],
    timeout: float = 5.0,
    what: str = "database",
) -> Opened:
    """`connect`, after checking the file (`PRAGMA quick_check`): a file SQLite finds corrupted
    or that is not a database is moved aside as `NAME.corrupt-YYYYmmddTHHMMSSZ` (with its WAL
    and shared-memory files), logged as an error naming both paths, and a new one is made.
    A locked or unreadable file is not corruption: its error is raised as it is."""
    try:
        db = connect(path, schema, synchronous=synchronous, timeout=timeout)
        (verdict,) = db.execute("PRAGMA quick_check").fetchone()
        if verdict == "ok":
            return Opened(db, None)
        db.close()
        problem = str(verdict)
    except sqlite3.DatabaseError as err:
        if not is_corruption(err):
            raise
        problem = str(err)
    moved = move_aside(path)
    log.error(
        "the %s %s is corrupted (%s): moved aside to %s; a new one is made and rebuilt",
        what,
        path,
        problem,
        moved,
    )
    return Opened(connect(path, schema, synchronous=synchronous, timeout=timeout), moved)


def is_corruption(err: sqlite3.DatabaseError) -> bool:
    name = getattr(err, "sqlite_errorname", "") or ""
    if name:
        return name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB"))
    text = str(err)
    return "malformed" in text or "not a database" in text


def move_aside(path: Path) -> Path:
    """Rename a database file (and its -wal/-shm companions) with a UTC timestamp."""
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    target = path.with_name(f"{path.name}.corrupt-{stamp}")
    counter = 1
    while target.exists():
        counter += 1
        target = path.with_name(f"{path.name}.corrupt-{stamp}-{counter}")
    path.rename(target)
    for suffix in ("-wal", "-shm"):
        companion = path.with_name(path.name + suffix)
        if companion.exists():
            companion.rename(target.with_name(target.name + suffix))
    return target
