"""The durable job queue in SQLite: typed events waiting for the worker, replay ids, cursors.

One file (WAL mode, synchronous FULL) holds three tables: `job` (events to process, with a lease
while a worker holds them and an exponential backoff after a failure; never dropped),
`webhook_id` (ids seen in the last ten minutes, to refuse replays) and `state` (small key/value
pairs such as the recentchanges cursor). One connection is shared by every thread behind a lock;
each call is one transaction, committed before it returns. Events go in and come back as the
models of `service.jobs` (stored as their JSON).
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path

from service.jobs import Event, dump_event, load_event
from sync import sqlite

QUEUE_FILENAME = "queue.sqlite3"
LEASE_SECONDS = 300.0
MAX_BACKOFF_SECONDS = 300.0
# A webhook is accepted up to 5 minutes after its timestamp and may arrive up to 5 minutes
# before it: an id must be remembered for 10 minutes to be refused for as long as it is valid.
REPLAY_WINDOW_SECONDS = 600.0

_SCHEMA = """
CREATE TABLE IF NOT EXISTS job (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    payload TEXT NOT NULL,
    created REAL NOT NULL,
    due REAL NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    leased_until REAL,
    last_error TEXT
);
CREATE INDEX IF NOT EXISTS job_due ON job (due);
CREATE TABLE IF NOT EXISTS webhook_id (id TEXT PRIMARY KEY, seen REAL NOT NULL);
CREATE INDEX IF NOT EXISTS webhook_id_seen ON webhook_id (seen);
CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


@dataclass(frozen=True, slots=True)
class Job:
    """One queued event; `attempts` counts failures, `leased_until` is set while claimed."""

    id: int
    event: Event
    created: float
    due: float
    attempts: int
    leased_until: float | None
    last_error: str | None


def backoff_seconds(attempts: int) -> float:
    """Delay before retrying after the n-th failure: 1 s, 2 s, 4 s … capped at 5 minutes."""
    if attempts <= 0:
        return 0.0
    return min(MAX_BACKOFF_SECONDS, 2.0 ** min(attempts - 1, 30))


class JobQueue:
    """A durable FIFO of events with leases and retries; safe to share between threads."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        # Autocommit mode: every transaction is explicit (BEGIN IMMEDIATE … COMMIT).
        opened = sqlite.connect_or_recover(
            self.path, _SCHEMA, synchronous="FULL", timeout=30.0, what="queue database"
        )
        self._db = opened.db
        self._db.row_factory = sqlite3.Row
        # where a corrupted file was moved at open: its events and cursor are lost, and the
        # worker's first catch-up (a full sync without a cursor) brings every change back
        self.recovered_from: Path | None = opened.moved_to

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> JobQueue:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        """Hold the lock for one immediate transaction, committed on success."""
        return sqlite.transaction(self._db, self._lock)

    def record_webhook_id(self, msg_id: str, now: float | None = None) -> bool:
        """Remember a webhook id; False when it was already there (a replay)."""
        now = time.time() if now is None else now
        with self._transaction() as db:
            db.execute("DELETE FROM webhook_id WHERE seen < ?", (now - REPLAY_WINDOW_SECONDS,))
            inserted = db.execute(
                "INSERT OR IGNORE INTO webhook_id (id, seen) VALUES (?, ?)", (msg_id, now)
            ).rowcount
        return inserted == 1

    def enqueue(self, event: Event, now: float | None = None, *, delay: float = 0.0) -> int:
        """Add an event, due at once (or after `delay` seconds); it is on disk when this
        returns. Returns the job id."""
        now = time.time() if now is None else now
        payload = dump_event(event)
        with self._transaction() as db:
            cursor = db.execute(
                "INSERT INTO job (payload, created, due) VALUES (?, ?, ?)",
                (payload, now, now + delay),
            )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def claim(self, limit: int, now: float, lease: float = LEASE_SECONDS) -> list[Job]:
        """Take up to `limit` due jobs, oldest first, leased until `now + lease`.

        A job whose lease ran out (the worker died mid-job) is due again.
        """
        with self._transaction() as db:
            rows = db.execute(
                "SELECT * FROM job WHERE due <= ? AND (leased_until IS NULL OR leased_until <= ?)"
                " ORDER BY id LIMIT ?",
                (now, now, limit),
            ).fetchall()
            db.executemany(
                "UPDATE job SET leased_until = ? WHERE id = ?",
                [(now + lease, row["id"]) for row in rows],
            )
        return [_job(row, leased_until=now + lease) for row in rows]

    def complete(self, job_ids: Iterable[int]) -> None:
        """Forget jobs that were processed."""
        with self._transaction() as db:
            db.executemany("DELETE FROM job WHERE id = ?", [(i,) for i in job_ids])

    def fail(self, job_ids: Iterable[int], error: str, now: float) -> None:
        """Release jobs that failed: one more attempt, due again after the backoff."""
        with self._transaction() as db:
            for job_id in job_ids:
                row = db.execute("SELECT attempts FROM job WHERE id = ?", (job_id,)).fetchone()
                if row is None:
                    continue
                attempts = row["attempts"] + 1
                db.execute(
                    "UPDATE job SET attempts = ?, due = ?, leased_until = NULL, last_error = ?"
                    " WHERE id = ?",
                    (attempts, now + backoff_seconds(attempts), error[:2000], job_id),
                )

    def depth(self) -> int:
        """How many jobs are queued, claimed ones included."""
        with self._lock:
            row = self._db.execute("SELECT COUNT(*) FROM job").fetchone()
        return int(row[0])

    def next_due_in(self, now: float) -> float | None:
        """Seconds until a job can be claimed (0 if one is due now); None if the queue is empty."""
        with self._lock:
            row = self._db.execute(
                "SELECT MIN(MAX(due, COALESCE(leased_until, due))) FROM job"
            ).fetchone()
        return None if row[0] is None else max(0.0, float(row[0]) - now)

    def pending(self, limit: int = 100) -> list[Job]:
        """The queued jobs, the soonest due first, for status pages."""
        with self._lock:
            rows = self._db.execute(
                "SELECT * FROM job ORDER BY due, id LIMIT ?", (limit,)
            ).fetchall()
        return [_job(row) for row in rows]

    def get_state(self, key: str) -> str | None:
        with self._lock:
            row = self._db.execute("SELECT value FROM state WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row["value"])

    def delete_state(self, key: str) -> None:
        with self._transaction() as db:
            db.execute("DELETE FROM state WHERE key = ?", (key,))

    def set_state(self, key: str, value: str) -> None:
        with self._transaction() as db:
            db.execute(
                "INSERT INTO state (key, value) VALUES (?, ?)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, value),
            )


def _job(row: sqlite3.Row, leased_until: float | None = None) -> Job:
    return Job(
        id=row["id"],
        event=load_event(row["payload"], row["id"]),
        created=row["created"],
        due=row["due"],
        attempts=row["attempts"],
        leased_until=leased_until if leased_until is not None else row["leased_until"],
        last_error=row["last_error"],
    )
