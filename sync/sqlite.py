"""SQLite plumbing shared by the state store and the job queue: connection set-up, transactions."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any, Literal


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
