"""The background worker: drains the durable queue into syncs, coalescing bursts.

Webhook events only name pages; the worker claims every due job, re-reads just the pages they
name and writes what changed (a full sync until the first one has succeeded). Coalescing is on
the leading edge (`Throttle`): an event that finds the worker idle is synced at once; events
that arrive during a sync, or within the window after the previous sync started, are gathered
into the next one, so a burst of saves still gives a handful of syncs. A failure (wiki down,
errors) puts the jobs back with backoff, and jobs a crashed service held are retried at start:
nothing is lost. A catch-up from `recentchanges` at start and
on a timer covers events the wiki failed to send. Only this thread runs syncs.

A sync that wrote everything but pages the wiki refused is a success for its jobs; the refusal
is the service's current error (`page refused: …`) and a `Retry` job is queued after a backoff
(15 s, doubling up to 5 minutes), never a hot loop.
"""

from __future__ import annotations

import datetime
import gc
import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from service.health import Health
from service.jobs import CatchUp, Retry
from service.queue import JobQueue
from sync.engine import SyncEngine, SyncResult
from sync.wiki import PageRefused, RecentChange, WikiError

log = logging.getLogger(__name__)

CURSOR_KEY = "recentchanges_cursor"
GENERATION_KEY = "state_generation"  # the state's generation after the last sync (see _drain)
RETRY_SECONDS = 15.0  # the first retry of a refused page; doubling up to MAX_RETRY_SECONDS
MAX_RETRY_SECONDS = 300.0


# idle this long after a live sync, the worker collects what live syncs froze (settle_memory)
SETTLE_AFTER_SECONDS = 30.0


class ChangeFeed(Protocol):
    """What the catch-up reads of the wiki (the wiki client, given by the wiring)."""

    def recent_changes(self, since: str) -> list[RecentChange]: ...


@dataclass(slots=True)
class Metrics:
    syncs: int = 0
    sync_seconds: float = 0.0
    edits: int = 0
    failures: int = 0
    webhooks_accepted: int = 0
    webhooks_refused: int = 0
    last_success: float = 0.0
    last_error: str = ""
    history: deque[SyncResult] = field(default_factory=lambda: deque(maxlen=50))


@dataclass(slots=True)
class Throttle:
    """Leading-edge coalescing: a sync may start once `window` seconds have passed since the
    previous one started. An event that finds the worker idle waits for nothing; events that
    arrive while a sync runs wait for its end (at least), and are all taken by the next sync."""

    window: float
    last_start: float | None = None

    def delay(self, now: float) -> float:
        """Seconds to wait before the next sync may start (0: at once)."""
        if self.last_start is None:
            return 0.0
        return max(0.0, self.last_start + self.window - now)

    def started(self, now: float) -> None:
        self.last_start = now


class Worker:
    """One thread that owns every sync of the service."""

    def __init__(
        self,
        engine: SyncEngine,
        queue: JobQueue,
        changes: ChangeFeed,
        *,
        coalesce_seconds: float,  # defaults: Settings (WIKILEDGER_COALESCE_SECONDS, …)
        catchup_seconds: float,
        batch_limit: int = 1000,
        clock: Callable[[], float] = time.monotonic,  # the coalescing window, idle time
        settle_after: float = SETTLE_AFTER_SECONDS,
    ) -> None:
        self.engine = engine
        self.queue = queue
        self.changes = changes
        self.coalesce_seconds = coalesce_seconds
        self.catchup_seconds = catchup_seconds
        self.batch_limit = batch_limit
        self.clock = clock
        self.throttle = Throttle(coalesce_seconds)
        self.metrics = Metrics()
        self.health = Health()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._next_catchup = 0.0
        self._refusals = 0  # syncs in a row that ended with pages refused
        self._retry_queued = False
        self.settle_after = settle_after
        self._synced_at = 0.0  # clock() at the end of the last sync
        self._unsettled = False  # live syncs froze objects not collected since
        self.ready = threading.Event()  # set after the first successful sync

    # -- lifecycle ------------------------------------------------------------------------

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="wikiledger-worker", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def notify(self) -> None:
        """A job was queued: wake up (an idle worker syncs it at once)."""
        self._wake.set()

    # -- loop -----------------------------------------------------------------------------

    def _run(self) -> None:
        self._release_interrupted()
        while not self._stop.is_set():
            try:
                self._step()
            except Exception:  # a bug must not kill the worker; it is logged and retried
                log.exception("worker step failed")
                self.metrics.failures += 1
                self._stop.wait(1.0)

    def _step(self) -> None:
        if time.time() >= self._next_catchup:
            self._catch_up()
            self._next_catchup = time.time() + self.catchup_seconds
        now = time.time()
        due_in = self.queue.next_due_in(now)
        if due_in is None or due_in > 0:
            wait = (
                self._next_catchup - now
                if due_in is None
                else min(due_in, self._next_catchup - now)
            )
            settling = self._settle_when_idle()
            if settling is not None:
                wait = min(wait, settling)
            self._wake.wait(max(wait, 0.01))
            self._wake.clear()
            return  # look again: something may be due now
        delay = self.throttle.delay(self.clock())
        if delay > 0:
            self._stop.wait(delay)  # a sync started less than a window ago: gather the burst
        self._drain()

    def _drain(self) -> None:
        jobs = self.queue.claim(self.batch_limit, time.time())
        if not jobs:
            return
        ids = [job.id for job in jobs]
        # Before the first full sync has succeeded the cache is empty or partial: syncing only
        # the named pages would write summary pages computed from those pages alone.
        first = self.queue.get_state(CURSOR_KEY) is None
        full = first or any(job.event.full for job in jobs) or self._state_replaced()
        titles: set[str] = set().union(*(job.event.pages() for job in jobs))
        started = _utc_now()
        self.throttle.started(self.clock())
        try:
            result = self.engine.full_sync() if full else self.engine.sync_pages(titles)
        except Exception as err:
            # Any failure, not only a WikiError (mwclient's APIError when the wiki answers an
            # error, a bug): retry with backoff rather than leave the jobs leased for minutes.
            self.queue.fail(ids, str(err) or type(err).__name__, time.time())
            self.metrics.failures += 1
            self.metrics.last_error = str(err) or type(err).__name__
            self.health.failed(err)
            if isinstance(err, WikiError):
                log.warning("sync failed, %d job(s) will be retried: %s", len(ids), err)
            else:
                log.exception("sync failed, %d job(s) will be retried", len(ids))
            return
        self.queue.complete(ids)
        if any(job.event.event == "retry" for job in jobs):
            self._retry_queued = False
        if first:
            self.queue.set_state(CURSOR_KEY, f"{started}|0")
        self._record(result)
        self._settle(result)

    def _retry_refused(self, result: SyncResult) -> None:
        """Pages the wiki refused: the current error, and a retry after a backoff."""
        refused = result.refused
        if not refused:
            self._refusals = 0
            return
        self._refusals += 1
        first = refused[0]
        self.health.failed(PageRefused(first.title, first.code, first.message))
        self.metrics.last_error = "; ".join(h.reason for h in refused)
        delay = min(MAX_RETRY_SECONDS, RETRY_SECONDS * 2 ** (self._refusals - 1))
        log.warning(
            "%d page(s) refused by the wiki (%s): retried in %.0f s",
            len(refused),
            ", ".join(h.title for h in refused),
            delay,
        )
        if not self._retry_queued:
            titles = tuple(sorted(h.title for h in refused))
            self.queue.enqueue(Retry(titles=titles), delay=delay)
            self._retry_queued = True

    def _state_replaced(self) -> bool:
        """Whether the state is not the one the last sync left (restored from a backup, copied
        from another server): its parsed pages may be stale, so only a full sync may use it."""
        kept = self.queue.get_state(GENERATION_KEY)
        current = getattr(self.engine, "generation", None)
        if kept is None or current is None or kept == current:
            return False
        log.warning("the state is not the one the last sync left (a backup?): a full sync")
        return True

    def _release_interrupted(self) -> None:
        """Jobs still leased at start were held by a service that died mid-sync: retry them."""
        leased = [job.id for job in self.queue.pending(self.queue.depth()) if job.leased_until]
        if leased:
            log.warning("%d job(s) interrupted by a restart will be retried", len(leased))
            self.queue.fail(leased, "interrupted: the service stopped during the sync", time.time())

    def _settle(self, result: SyncResult) -> None:
        """The objects a sync leaves alive, out of the full collections' way (`settle_memory`
        after a full sync; after a live one only `gc.freeze`, which costs nothing: the
        collection of what it froze waits for the worker's next idle moment)."""
        self._synced_at = self.clock()
        if result.kind == "full":
            settle_memory()
            self._unsettled = False
        else:
            gc.freeze()
            self._unsettled = True

    def _settle_when_idle(self) -> float | None:
        """Settle the memory once the worker has been idle `settle_after` seconds since a live
        sync; the seconds left until then (None: nothing to settle)."""
        if not self._unsettled:
            return None
        left = self._synced_at + self.settle_after - self.clock()
        if left > 0:
            return left
        settle_memory()
        self._unsettled = False
        return None

    def _record(self, result: SyncResult) -> None:
        generation = getattr(self.engine, "generation", None)
        if generation is not None:
            self.queue.set_state(GENERATION_KEY, generation)
        self.metrics.syncs += 1
        self.metrics.sync_seconds += result.duration
        self.metrics.edits += len(result.edits)
        self.metrics.last_success = time.time()
        self.metrics.history.appendleft(result)
        if not result.refused:
            self.health.succeeded()
        self.ready.set()
        self._retry_refused(result)

    def _catch_up(self) -> None:
        """Queue the pages changed since the cursor; a first start does a full sync."""
        cursor = self.queue.get_state(CURSOR_KEY)
        started = _utc_now()
        try:
            if cursor is not None and self.engine.last is None and self.engine.complete:
                self.engine.compute()  # a restart: serve the cached state until something changes
            if cursor is None:
                self.throttle.started(self.clock())
                result = self.engine.full_sync()
                self._record(result)
                self.queue.set_state(CURSOR_KEY, f"{started}|0")
                self._settle(result)
                return
            since, _, last_id = cursor.partition("|")
            changes = [c for c in self.changes.recent_changes(since) if c.rc_id > int(last_id or 0)]
        except Exception as err:  # not only WikiError: a failing first sync waits its turn too
            self.metrics.failures += 1
            self.metrics.last_error = str(err) or type(err).__name__
            self.health.failed(err)
            if isinstance(err, WikiError):
                log.warning("catch-up failed (will retry): %s", err)
            else:
                log.exception("catch-up failed (will retry)")
            return
        self.health.reached_wiki()
        if not changes:
            return
        titles = {c.title for c in changes if c.title} | {
            c.new_title for c in changes if c.new_title
        }
        self.queue.enqueue(CatchUp(titles=tuple(sorted(titles))))
        self._wake.set()
        newest = max(changes, key=lambda c: c.rc_id)
        self.queue.set_state(CURSOR_KEY, f"{newest.timestamp}|{newest.rc_id}")


def settle_memory() -> None:
    """After a full sync, collect once and move every object then alive into the collector's
    permanent generation (`gc.freeze`): the engine's state, millions of long-lived objects at
    scale, is then no longer walked by the full collections that live syncs trigger (each
    took 1.2–1.4 s at 5× the benchmark's full size, inside a live update: bench/README.md).

    No setting of the interpreter changes (issue 10): the collector stays enabled with its
    thresholds, and objects made afterwards are collected as before. What was frozen goes
    back to the collector here (`gc.unfreeze`): after the next full sync, or once the worker
    is idle after live syncs (`Worker._settle`), so a cycle of objects that died in between
    waits for that moment at most."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()


def _utc_now() -> str:
    return datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
