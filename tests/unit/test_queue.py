"""The durable SQLite queue: durability, leases, backoff, replay ids, cursors and threads."""

from __future__ import annotations

import datetime
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from service.jobs import CatchUp, FullSync
from service.queue import (
    LEASE_SECONDS,
    MAX_BACKOFF_SECONDS,
    REPLAY_WINDOW_SECONDS,
    JobQueue,
    backoff_seconds,
)
from service.webhook import WebhookEvent

T0 = 1_773_309_600.0


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "queue.sqlite3"


@pytest.fixture
def queue(path: Path) -> Iterator[JobQueue]:
    with JobQueue(path) as opened:
        yield opened


STAMP = datetime.datetime(2026, 3, 12, 10, 0, tzinfo=datetime.UTC)


def edit(title: str) -> WebhookEvent:
    return WebhookEvent(event="edit", title=title, page_id=1, rev_id=2, timestamp=STAMP)


def test_jobs_survive_closing_and_reopening_the_file(path: Path) -> None:
    with JobQueue(path) as first:
        first.enqueue(edit("Été"), now=T0)
        first.enqueue(edit("Hiver"), now=T0 + 1)
    with JobQueue(path) as reopened:
        jobs = reopened.claim(10, now=T0 + 2)
    assert [job.event.title for job in jobs] == ["Été", "Hiver"]


def test_an_enqueued_job_is_visible_to_another_connection_at_once(
    queue: JobQueue, path: Path
) -> None:
    queue.enqueue(edit("A"), now=T0)
    with sqlite3.connect(path) as other:
        assert other.execute("SELECT COUNT(*) FROM job").fetchone()[0] == 1


def test_the_file_is_in_wal_mode(queue: JobQueue, path: Path) -> None:
    with sqlite3.connect(path) as other:
        assert other.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_claim_returns_due_jobs_oldest_first_up_to_the_limit(queue: JobQueue) -> None:
    ids = [queue.enqueue(edit(f"P{i}"), now=T0 + i) for i in range(5)]
    assert [job.id for job in queue.claim(3, now=T0 + 10)] == ids[:3]
    assert [job.id for job in queue.claim(10, now=T0 + 10)] == ids[3:]


def test_a_job_enqueued_later_than_now_is_not_due(queue: JobQueue) -> None:
    queue.enqueue(edit("Demain"), now=T0 + 60)
    assert queue.claim(10, now=T0) == []


def test_a_claimed_job_is_not_claimed_again_while_leased(queue: JobQueue) -> None:
    queue.enqueue(edit("A"), now=T0)
    (job,) = queue.claim(10, now=T0)
    assert job.leased_until == T0 + LEASE_SECONDS
    assert queue.claim(10, now=T0 + LEASE_SECONDS - 1) == []


def test_a_job_whose_lease_ran_out_is_due_again(path: Path) -> None:
    with JobQueue(path) as crashed:
        crashed.enqueue(edit("A"), now=T0)
        crashed.claim(10, now=T0, lease=30)  # the worker dies here, never completing
    with JobQueue(path) as restarted:
        assert restarted.claim(10, now=T0 + 29) == []
        (job,) = restarted.claim(10, now=T0 + 30)
    assert job.event.title == "A"
    assert job.attempts == 0


def test_completed_jobs_are_gone(queue: JobQueue) -> None:
    first = queue.enqueue(edit("A"), now=T0)
    queue.enqueue(edit("B"), now=T0)
    queue.claim(10, now=T0)
    queue.complete([first])
    assert queue.depth() == 1
    assert [job.event.title for job in queue.pending()] == ["B"]


def test_backoff_doubles_from_one_second_and_is_capped_at_five_minutes() -> None:
    schedule = [backoff_seconds(n) for n in range(1, 12)]
    assert schedule == [1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300]
    assert backoff_seconds(1000) == MAX_BACKOFF_SECONDS


def test_a_failed_job_is_retried_after_the_backoff_and_never_dropped(queue: JobQueue) -> None:
    job_id = queue.enqueue(edit("A"), now=T0)
    now = T0
    for attempt in range(1, 15):
        (job,) = queue.claim(10, now=now)
        assert (job.id, job.attempts) == (job_id, attempt - 1)
        queue.fail([job.id], f"wiki down ({attempt})", now=now)
        delay = backoff_seconds(attempt)
        assert queue.claim(10, now=now + delay - 0.5) == []
        now += delay
    (job,) = queue.pending()
    assert (job.attempts, job.last_error) == (14, "wiki down (14)")
    assert queue.next_due_in(now - 100) == 100


def test_failing_an_unknown_job_does_nothing(queue: JobQueue) -> None:
    queue.fail([12345], "gone", now=T0)
    assert queue.depth() == 0


def test_next_due_in_accounts_for_leases(queue: JobQueue) -> None:
    assert queue.next_due_in(T0) is None
    queue.enqueue(edit("A"), now=T0)
    assert queue.next_due_in(T0 + 5) == 0
    queue.claim(10, now=T0, lease=60)
    assert queue.next_due_in(T0 + 20) == 40


def test_a_webhook_id_is_recorded_once_and_a_replay_is_detected(queue: JobQueue) -> None:
    assert queue.record_webhook_id("msg_1", now=T0) is True
    assert queue.record_webhook_id("msg_1", now=T0 + 599) is False
    assert queue.record_webhook_id("msg_2", now=T0 + 1) is True


def test_webhook_ids_are_kept_ten_minutes_then_pruned(queue: JobQueue, path: Path) -> None:
    queue.record_webhook_id("msg_old", now=T0)
    assert REPLAY_WINDOW_SECONDS >= 600
    assert queue.record_webhook_id("msg_old", now=T0 + REPLAY_WINDOW_SECONDS) is False
    queue.record_webhook_id("msg_new", now=T0 + REPLAY_WINDOW_SECONDS + 1)
    with sqlite3.connect(path) as other:
        kept = [row[0] for row in other.execute("SELECT id FROM webhook_id")]
    assert kept == ["msg_new"]


def test_replay_ids_survive_a_restart(path: Path) -> None:
    with JobQueue(path) as first:
        first.record_webhook_id("msg_1", now=T0)
    with JobQueue(path) as second:
        assert second.record_webhook_id("msg_1", now=T0 + 10) is False


def test_state_values_are_stored_replaced_and_kept(path: Path) -> None:
    with JobQueue(path) as first:
        assert first.get_state("rc_cursor") is None
        first.set_state("rc_cursor", "2026-03-12T10:00:00Z|1")
        first.set_state("rc_cursor", "2026-03-12T10:05:00Z|7")
    with JobQueue(path) as second:
        assert second.get_state("rc_cursor") == "2026-03-12T10:05:00Z|7"


def test_events_keep_their_unicode_and_types(queue: JobQueue) -> None:
    event = WebhookEvent(
        event="move",
        title="Cercle Numérique",
        old_title="Numerique",
        rev_id=None,
        page_id=7,
        timestamp=STAMP,
    )
    queue.enqueue(event, now=T0)
    (job,) = queue.claim(1, now=T0)
    assert job.event == event


def test_threads_enqueueing_while_one_claims_lose_and_duplicate_nothing(queue: JobQueue) -> None:
    writers, per_writer = 8, 50
    done = threading.Event()
    claimed: list[int] = []

    def write(writer: int) -> None:
        for i in range(per_writer):
            queue.enqueue(edit(f"{writer}-{i}"))

    def consume() -> None:
        while True:
            finished = done.is_set()
            jobs = queue.claim(7, now=time.time() + 1)
            claimed.extend(job.id for job in jobs)
            queue.complete(job.id for job in jobs)
            if finished and not jobs:
                return

    consumer = threading.Thread(target=consume)
    consumer.start()
    threads = [threading.Thread(target=write, args=(w,)) for w in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    done.set()
    consumer.join(timeout=60)
    assert not consumer.is_alive()
    assert len(claimed) == writers * per_writer
    assert len(set(claimed)) == writers * per_writer
    assert queue.depth() == 0


def test_every_kind_of_job_comes_back_as_the_typed_event_it_went_in_as(queue: JobQueue) -> None:
    events = [
        edit("Utilisateur:Zoé/Contributions 2026"),
        FullSync(reason="api"),
        CatchUp(titles=("Page A", "Cercle Numérique")),
    ]
    for event in events:
        queue.enqueue(event, now=T0)
    jobs = queue.claim(10, now=T0)
    assert [job.event for job in jobs] == events
    assert [type(job.event) for job in jobs] == [WebhookEvent, FullSync, CatchUp]
    assert [job.event.pages() for job in jobs] == [
        {"Utilisateur:Zoé/Contributions 2026"},
        set(),
        {"Page A", "Cercle Numérique"},
    ]
    assert [job.event.full for job in jobs] == [False, True, False]


def test_jobs_written_as_plain_json_by_the_previous_version_read_back_typed(
    queue: JobQueue, path: Path
) -> None:
    payloads = [
        '{"event": "edit", "old_title": null, "page_id": 1, "rev_id": 2,'
        ' "timestamp": "2026-03-12T10:00:00Z", "title": "Page_A", "user": "Alice"}',
        '{"event": "full"}',
        '{"event": "catchup", "titles": ["Page B"]}',
    ]
    with sqlite3.connect(path) as other:
        other.executemany(
            "INSERT INTO job (payload, created, due) VALUES (?, ?, ?)",
            [(payload, T0, T0) for payload in payloads],
        )
    first, second, third = (job.event for job in queue.claim(10, now=T0))
    assert isinstance(first, WebhookEvent) and first.pages() == {"Page A"}
    assert first.timestamp == STAMP and first.user == "Alice"
    assert isinstance(second, FullSync) and isinstance(third, CatchUp)
    assert third.pages() == {"Page B"}


@pytest.mark.parametrize("payload", ["{not json", '{"event": "purge"}', '{"event": "edit"}'])
def test_a_job_that_cannot_be_read_back_becomes_a_full_sync_and_is_not_dropped(
    queue: JobQueue, path: Path, payload: str
) -> None:
    with sqlite3.connect(path) as other:
        other.execute("INSERT INTO job (payload, created, due) VALUES (?, ?, ?)", (payload, T0, T0))
    (job,) = queue.claim(10, now=T0)
    assert job.event == FullSync(reason=f"unreadable job #{job.id}")
    assert job.event.full
