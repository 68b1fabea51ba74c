"""The background worker on a fake engine: coalescing, retries, catch-up, restarts."""

from __future__ import annotations

import gc
import json
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from service import worker as worker_module
from service.jobs import FullSync
from service.queue import JobQueue
from service.webhook import WebhookEvent
from service.worker import CURSOR_KEY, GENERATION_KEY, Throttle, Worker
from sync.engine import SyncResult
from sync.hold import Held, refused
from sync.wiki import RecentChange, WikiError


class FakeWiki:
    """Recent changes as the wiki lists them; `down` makes every call fail."""

    def __init__(self) -> None:
        self.changes: list[RecentChange] = []
        self.down = False

    def recent_changes(self, since: str) -> list[RecentChange]:
        if self.down:
            raise WikiError("the wiki at http://wiki.test/ stopped answering (ConnectionError)")
        return [c for c in self.changes if c.timestamp >= since]


class FakeEngine:
    """Records every sync; `failures` is a list of exceptions the next syncs raise, in order.

    `wiki` is the fake wiki the worker is given beside the engine (the worker never reaches
    through the engine to it)."""

    def __init__(self, *, sync_seconds: float = 0.0) -> None:
        self.wiki = FakeWiki()
        self.calls: list[str | frozenset[str]] = []
        self.failures: list[Exception] = []
        self.held: list[Held] = []  # pages the next syncs report as not written
        self.sync_seconds = sync_seconds
        self.last: object | None = None
        self.computed = 0
        self.complete = True  # its state holds a full sync (SyncEngine.complete)
        self.running = 0
        self.most_running = 0
        self._guard = threading.Lock()

    def full_sync(self) -> SyncResult:
        return self._sync("full")

    def sync_pages(self, titles: set[str]) -> SyncResult:
        return self._sync(frozenset(titles))

    def compute(self) -> object:
        self.computed += 1
        self.last = object()
        return self.last

    def _sync(self, call: str | frozenset[str]) -> SyncResult:
        with self._guard:
            self.running += 1
            self.most_running = max(self.most_running, self.running)
        try:
            time.sleep(self.sync_seconds)
            if self.wiki.down:
                raise WikiError("the wiki at http://wiki.test/ stopped answering")
            if self.failures:
                raise self.failures.pop(0)
            self.calls.append(call)
            self.last = object()
            kind = "full" if call == "full" else "pages"
            return SyncResult(kind, time.time(), duration=0.01, held=list(self.held))
        finally:
            with self._guard:
                self.running -= 1


def wait_for(check: Callable[[], object], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def edit(title: str, event: str = "edit", **extra: Any) -> WebhookEvent:
    return WebhookEvent.model_validate_json(
        json.dumps(
            {
                "event": event,
                "title": title,
                "page_id": 1,
                "rev_id": 2,
                "timestamp": "2026-03-12T10:00:00Z",
                **extra,
            }
        )
    )


@pytest.fixture
def queue(tmp_path: Path) -> Iterator[JobQueue]:
    with JobQueue(tmp_path / "queue.sqlite3") as opened:
        yield opened


@pytest.fixture
def engine() -> FakeEngine:
    return FakeEngine()


@pytest.fixture
def start(queue: JobQueue, engine: FakeEngine) -> Iterator[Callable[..., Worker]]:
    """Start a worker on the fake engine (stopped after the test)."""
    started: list[Worker] = []

    def make(**options: Any) -> Worker:
        options = {"coalesce_seconds": 0.05, "catchup_seconds": 3600.0, **options}
        worker = Worker(engine, queue, engine.wiki, **options)  # type: ignore[arg-type]
        worker.start()
        started.append(worker)
        return worker

    yield make
    for worker in started:
        worker.stop(timeout=5)


def test_a_first_start_does_a_full_sync_and_keeps_a_recentchanges_cursor(
    start: Callable[..., Worker], engine: FakeEngine, queue: JobQueue
) -> None:
    worker = start()
    wait_for(worker.ready.is_set)
    assert engine.calls == ["full"]
    assert worker.metrics.syncs == 1
    cursor = queue.get_state(CURSOR_KEY)
    assert cursor is not None and cursor.endswith("|0")


def test_a_burst_of_events_is_coalesced_into_a_few_syncs_of_the_pages_they_name(
    start: Callable[..., Worker], engine: FakeEngine, queue: JobQueue
) -> None:
    worker = start(coalesce_seconds=0.5)
    wait_for(worker.ready.is_set)
    for i in range(50):
        queue.enqueue(edit(f"Utilisateur:Alice_Martin/Essai {i % 5}"))
        worker.notify()
    wait_for(lambda: queue.depth() == 0)
    assert engine.calls[0] == "full"
    # the first event is synced at once, the rest gathered into the next sync a window later
    # (each of the 50 commits is fsynced: a slow disk may split them further)
    assert 1 <= len(engine.calls[1:]) <= 4
    assert set().union(*engine.calls[1:]) == {
        f"Utilisateur:Alice Martin/Essai {i}" for i in range(5)
    }
    assert worker.metrics.syncs == len(engine.calls)


def test_a_move_rereads_the_new_title_and_the_old_one(
    start: Callable[..., Worker], engine: FakeEngine, queue: JobQueue
) -> None:
    worker = start()
    wait_for(worker.ready.is_set)
    queue.enqueue(edit("Nouveau titre", "move", old_title="Ancien titre"))
    worker.notify()
    wait_for(lambda: len(engine.calls) == 2)
    assert engine.calls[1] == frozenset({"Nouveau titre", "Ancien titre"})


def test_a_full_sync_request_runs_a_full_sync(
    start: Callable[..., Worker], engine: FakeEngine, queue: JobQueue
) -> None:
    # a window long enough that the worker, woken by the first job, gathers the second with it
    worker = start(coalesce_seconds=1.0)
    wait_for(worker.ready.is_set)
    queue.enqueue(edit("Une page"))
    queue.enqueue(FullSync(reason="api"))
    worker.notify()
    wait_for(lambda: len(engine.calls) == 2)
    assert engine.calls == ["full", "full"]


def test_a_failed_sync_is_retried_after_a_backoff_and_nothing_is_lost(
    start: Callable[..., Worker], engine: FakeEngine, queue: JobQueue
) -> None:
    worker = start()
    wait_for(worker.ready.is_set)
    engine.failures = [WikiError("the wiki at http://wiki.test/ stopped answering")]
    queue.enqueue(edit("Page A"))
    worker.notify()
    wait_for(lambda: worker.metrics.failures == 1)
    (job,) = queue.pending()
    assert job.attempts == 1 and "stopped answering" in (job.last_error or "")
    assert job.due >= job.created + 1  # the first backoff is one second
    assert engine.calls == ["full"]
    wait_for(lambda: queue.depth() == 0, timeout=5)
    assert engine.calls == ["full", frozenset({"Page A"})]
    assert worker.metrics.last_error.startswith("the wiki")


def test_an_unexpected_error_in_a_sync_is_retried_like_a_wiki_error(
    start: Callable[..., Worker], engine: FakeEngine, queue: JobQueue
) -> None:
    # e.g. mwclient's APIError when the wiki answers an error the adapter does not translate:
    # the job must not stay leased for LEASE_SECONDS (five minutes)
    worker = start()
    wait_for(worker.ready.is_set)
    engine.failures = [RuntimeError("internal_api_error_DBQueryError")]
    queue.enqueue(edit("Page A"))
    worker.notify()
    wait_for(lambda: queue.depth() == 0, timeout=5)
    assert engine.calls == ["full", frozenset({"Page A"})]
    assert worker.metrics.failures == 1


def test_events_queued_before_the_first_full_sync_succeeded_get_a_full_sync(
    start: Callable[..., Worker], engine: FakeEngine, queue: JobQueue
) -> None:
    # syncing only the named pages on an empty cache would write summary pages from one page
    engine.failures = [WikiError("the wiki at http://wiki.test/ stopped answering")]
    worker = start()
    wait_for(lambda: worker.metrics.failures == 1)
    queue.enqueue(edit("Page A"))
    worker.notify()
    wait_for(lambda: queue.depth() == 0 and queue.get_state(CURSOR_KEY) is not None)
    assert engine.calls == ["full"]


def test_jobs_a_crashed_service_held_are_taken_up_again_at_start(
    start: Callable[..., Worker], engine: FakeEngine, queue: JobQueue
) -> None:
    queue.set_state(CURSOR_KEY, "2026-03-12T10:00:00Z|7")
    queue.enqueue(edit("Page tenue"))
    queue.claim(10, now=time.time())  # leased by a worker that was killed mid-sync
    queue.enqueue(edit("Page en attente"))
    worker = start()
    wait_for(lambda: queue.depth() == 0, timeout=5)
    assert (
        frozenset({"Page tenue"}) in engine.calls
        or frozenset({"Page tenue", "Page en attente"}) in engine.calls
    )
    assert worker.metrics.failures == 0


def test_a_restart_serves_the_cached_state_before_anything_changes(
    start: Callable[..., Worker], engine: FakeEngine, queue: JobQueue
) -> None:
    queue.set_state(CURSOR_KEY, "2026-03-12T10:00:00Z|7")
    start()
    wait_for(lambda: engine.last is not None)
    assert engine.computed == 1 and engine.calls == []


def test_the_catch_up_queues_the_pages_changed_since_the_cursor_once(
    start: Callable[..., Worker], engine: FakeEngine, queue: JobQueue
) -> None:
    queue.set_state(CURSOR_KEY, "2026-03-12T10:00:00Z|7")
    engine.wiki.changes = [
        RecentChange(7, "edit", "Déjà vue", 1, 10, "2026-03-12T10:00:00Z"),
        RecentChange(8, "edit", "Page A", 2, 11, "2026-03-12T10:00:05Z"),
        RecentChange(9, "log", "Ancien", 3, 0, "2026-03-12T10:01:00Z", "move", "move", "Nouveau"),
    ]
    worker = start(catchup_seconds=0.2)
    wait_for(lambda: len(engine.calls) == 1)
    assert engine.calls == [frozenset({"Page A", "Ancien", "Nouveau"})]
    assert queue.get_state(CURSOR_KEY) == "2026-03-12T10:01:00Z|9"
    time.sleep(0.5)  # two more catch-ups: nothing new
    assert len(engine.calls) == 1 and worker.metrics.syncs == 1


def test_a_catch_up_while_the_wiki_is_down_counts_a_failure_and_keeps_the_cursor(
    start: Callable[..., Worker], engine: FakeEngine, queue: JobQueue
) -> None:
    queue.set_state(CURSOR_KEY, "2026-03-12T10:00:00Z|7")
    engine.wiki.down = True
    worker = start()
    wait_for(lambda: worker.metrics.failures == 1)
    assert "stopped answering" in worker.metrics.last_error
    assert queue.get_state(CURSOR_KEY) == "2026-03-12T10:00:00Z|7"


def test_two_syncs_never_run_at_once(queue: JobQueue, start: Callable[..., Worker]) -> None:
    slow = FakeEngine(sync_seconds=0.1)
    worker = Worker(slow, queue, slow.wiki, coalesce_seconds=0.0, catchup_seconds=3600.0)  # type: ignore[arg-type]
    worker.start()
    try:
        for i in range(10):
            queue.enqueue(edit(f"Page {i}"))
            worker.notify()
            time.sleep(0.03)
        wait_for(lambda: queue.depth() == 0)
    finally:
        worker.stop(timeout=5)
    assert slow.most_running == 1
    assert set().union(*(c for c in slow.calls if c != "full")) == {f"Page {i}" for i in range(10)}


def test_stop_returns_promptly_while_idle(start: Callable[..., Worker]) -> None:
    worker = start()
    wait_for(worker.ready.is_set)
    began = time.monotonic()
    worker.stop()
    assert time.monotonic() - began < 1.0


def test_the_catch_up_reads_the_wiki_the_worker_was_given_not_one_inside_the_engine(
    queue: JobQueue, engine: FakeEngine
) -> None:
    queue.set_state(CURSOR_KEY, "2026-03-12T10:00:00Z|7")
    given = FakeWiki()
    given.changes = [RecentChange(8, "edit", "Page A", 2, 11, "2026-03-12T10:00:05Z")]
    # the engine's own fake wiki lists no change: only the given one can bring "Page A" in
    worker = Worker(engine, queue, given, coalesce_seconds=0.05, catchup_seconds=3600.0)  # type: ignore[arg-type]
    worker.start()
    try:
        wait_for(lambda: engine.calls and queue.depth() == 0, timeout=5)
    finally:
        worker.stop(timeout=5)
    assert engine.calls == [frozenset({"Page A"})]
    assert worker.metrics.failures == 0


def test_a_page_the_wiki_refuses_is_the_current_error_and_retried_after_a_backoff(
    start: Callable[..., Worker], engine: FakeEngine, queue: JobQueue
) -> None:
    engine.held = [refused("Contribution-rétribution/Registre 2026", "protectedpage", "Protégée")]
    worker = start()
    wait_for(worker.ready.is_set)
    assert worker.health.check(True) == (
        False,
        "page refused: Contribution-rétribution/Registre 2026 (protectedpage)",
    )
    assert "protégée" in worker.health.error
    (retry,) = queue.pending()
    assert retry.event.event == "retry"
    assert 10 < (queue.next_due_in(time.time()) or 0) <= 15  # not a hot loop
    assert engine.calls == ["full"]
    engine.held = []
    queue.enqueue(edit("Utilisateur:Zoé/Contributions 2026"))
    worker.notify()
    wait_for(lambda: worker.health.check(True) == (True, ""))


def test_a_state_that_is_not_the_one_the_last_sync_left_is_used_only_by_a_full_sync(
    start: Callable[..., Worker], engine: FakeEngine, queue: JobQueue
) -> None:
    engine.generation = "après la première synchronisation"  # type: ignore[attr-defined]
    worker = start()
    wait_for(worker.ready.is_set)
    queue.enqueue(edit("Utilisateur:Zoé/Contributions 2026"))
    worker.notify()
    wait_for(lambda: len(engine.calls) == 2)
    assert engine.calls[1] == frozenset({"Utilisateur:Zoé/Contributions 2026"})
    # the sync recorded (a live sync now starts at once: do not change the state before)
    wait_for(lambda: queue.get_state(GENERATION_KEY) == "après la première synchronisation")
    engine.generation = "une sauvegarde plus ancienne"  # type: ignore[attr-defined]
    queue.enqueue(edit("Utilisateur:Yves/Contributions 2026"))
    worker.notify()
    wait_for(lambda: len(engine.calls) == 3)
    assert engine.calls[2] == "full"


def test_the_throttle_lets_the_first_sync_start_at_once() -> None:
    assert Throttle(0.5).delay(now=1000.0) == 0.0


def test_the_throttle_holds_the_next_sync_until_a_window_after_the_previous_start() -> None:
    throttle = Throttle(0.5)
    throttle.started(1000.0)
    assert throttle.delay(now=1000.1) == pytest.approx(0.4)
    assert throttle.delay(now=1000.5) == 0.0
    assert throttle.delay(now=1003.0) == 0.0  # idle since: at once


class ManualClock:
    """A clock that moves only when the test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class GatedEngine(FakeEngine):
    """A fake engine whose live syncs wait for the test to open the gate."""

    def __init__(self) -> None:
        super().__init__()
        self.gate = threading.Event()

    def sync_pages(self, titles: set[str]) -> SyncResult:
        with self._guard:
            self.running += 1
        try:
            self.gate.wait(10)
        finally:
            with self._guard:
                self.running -= 1
        return super().sync_pages(titles)


def test_an_event_that_finds_the_worker_idle_is_synced_without_waiting_the_window(
    queue: JobQueue,
) -> None:
    engine = FakeEngine()
    clock = ManualClock()
    # a window of an hour on a clock moved only by the test: a trailing window would wait it
    worker = Worker(
        engine,
        queue,
        engine.wiki,  # type: ignore[arg-type]
        coalesce_seconds=3600.0,
        catchup_seconds=3600.0,
        clock=clock,
    )
    worker.start()
    try:
        wait_for(worker.ready.is_set)
        clock.now += 3600.0  # idle for a window since the first sync started
        queue.enqueue(edit("Page A"))
        worker.notify()
        wait_for(lambda: len(engine.calls) == 2)
    finally:
        worker.stop(timeout=5)
    assert engine.calls == ["full", frozenset({"Page A"})]


def test_events_that_arrive_during_a_sync_are_gathered_into_the_next_one(
    queue: JobQueue,
) -> None:
    engine = GatedEngine()
    clock = ManualClock()
    worker = Worker(
        engine,
        queue,
        engine.wiki,  # type: ignore[arg-type]
        coalesce_seconds=0.5,
        catchup_seconds=3600.0,
        clock=clock,
    )
    worker.start()
    try:
        wait_for(worker.ready.is_set)
        clock.now += 0.5
        queue.enqueue(edit("Page A"))
        worker.notify()
        wait_for(lambda: engine.running == 1)  # the sync of Page A has started and waits
        for title in ("Page B", "Page C", "Page D"):
            queue.enqueue(edit(title))
            worker.notify()
        clock.now += 0.5  # the sync took the whole window: the next one may start at its end
        engine.gate.set()
        wait_for(lambda: queue.depth() == 0)
    finally:
        worker.stop(timeout=5)
    assert engine.calls == [
        "full",
        frozenset({"Page A"}),
        frozenset({"Page B", "Page C", "Page D"}),
    ]


def test_the_objects_a_sync_leaves_are_frozen_and_collected_after_a_full_sync_or_when_idle(
    start: Callable[..., Worker],
    engine: FakeEngine,
    queue: JobQueue,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settled: list[int] = []
    real = worker_module.settle_memory

    def settle() -> None:
        real()
        settled.append(gc.get_freeze_count())

    monkeypatch.setattr(worker_module, "settle_memory", settle)
    before = (gc.isenabled(), gc.get_threshold())
    try:
        gc.unfreeze()
        worker = start(settle_after=1.0)  # long enough to see the live sync unsettled
        wait_for(lambda: len(settled) == 1)  # the first (full) sync: collected, then frozen
        assert settled[0] > 0
        queue.enqueue(edit("Une page"))
        worker.notify()
        wait_for(lambda: len(engine.calls) == 2)
        # a live sync only froze what it left (nothing collected): more objects frozen
        wait_for(lambda: gc.get_freeze_count() > settled[0])
        assert len(settled) == 1
        wait_for(lambda: len(settled) == 2)  # idle for settle_after: collected and frozen
        queue.enqueue(FullSync(reason="api"))
        worker.notify()
        wait_for(lambda: len(settled) == 3)  # each full sync, at once
        assert engine.calls[2] == "full"
        assert (gc.isenabled(), gc.get_threshold()) == before  # no setting changed
    finally:
        gc.unfreeze()
