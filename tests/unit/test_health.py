"""Health that tells the truth, a read token for private wikis, corrupted database files moved
aside at start: the app with its real lifespan (queue file, worker) on a fake engine."""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from ledger.record import Records
from service.health import Health, french_reason
from service.queue import QUEUE_FILENAME, JobQueue
from service.webhook import WebhookEvent
from service.worker import CURSOR_KEY
from sync.engine import SyncResult
from sync.state import ParsedPage, StateStore
from sync.wiki import LoginRefused, PageRefused, WikiUnreachable
from tests.unit.test_service_app import FakeEngine, data_dir, serve, wait_for

__all__ = ["data_dir", "serve"]  # fixtures shared with test_service_app

READ = "jeton-de-lecture-0123456789abcdef"


class FaultyEngine(FakeEngine):
    """A fake engine whose syncs raise `fault` while it is set."""

    def __init__(self) -> None:
        super().__init__()
        self.fault: Exception | None = None

    def full_sync(self) -> SyncResult:
        if self.fault is not None:
            raise self.fault
        return super().full_sync()


def health(client: TestClient) -> tuple[int, dict[str, object]]:
    response = client.get("/healthz")
    return response.status_code, response.json()


def samples(client: TestClient, **kwargs: object) -> dict[str, float]:
    text = client.get("/metrics", **kwargs).text  # type: ignore[arg-type]
    pairs = (line.split(" ") for line in text.splitlines() if not line.startswith("#"))
    return {name: float(value) for name, value in pairs}


# -- /healthz, /metrics, status page -------------------------------------------------------------


@pytest.mark.parametrize(
    ("fault", "reason", "gauge"),
    [
        (WikiUnreachable("the wiki at http://wiki.test/ stopped answering"), "wiki unreachable",
         "wikiledger_wiki_unreachable"),
        (LoginRefused("login refused for 'Bot@app' (Failed): check WIKILEDGER_BOT_PASSWORD"),
         "login refused", "wikiledger_login_refused"),
        (PageRefused("Cobudget Sonde/Bilan", "protectedpage", "This page has been protected"),
         "page refused: Cobudget Sonde/Bilan (protectedpage)", "wikiledger_page_refused"),
    ],
)  # fmt: skip
def test_healthz_answers_503_with_the_reason_until_a_sync_succeeds_again(
    serve: Callable[..., TestClient], fault: Exception, reason: str, gauge: str
) -> None:
    engine = FaultyEngine()
    client = serve(engine, coalesce=0.01)
    wait_for(lambda: health(client)[0] == 200)
    assert samples(client)["wikiledger_healthy"] == 1 and samples(client)[gauge] == 0
    engine.fault = fault
    assert client.post("/api/sync", headers={"authorization": "Bearer jeton-de-test-0123456789"})
    wait_for(lambda: health(client)[0] == 503)
    status, body = health(client)
    assert status == 503
    assert (body["status"], body["reason"], body["error"]) == ("failing", reason, str(fault))
    assert samples(client)["wikiledger_healthy"] == 0 and samples(client)[gauge] == 1
    page = client.get("/").text
    assert "Erreur en cours" in page and "à jour" not in page
    engine.fault = None  # the job is retried after its backoff (one second)
    wait_for(lambda: health(client)[0] == 200, timeout=10)
    _, body = health(client)
    assert (body["status"], body["reason"], body["error"]) == ("ok", None, None)
    assert body["last_error"] == str(fault)  # the past error stays in the history
    assert samples(client)[gauge] == 0
    page = client.get("/").text
    assert "Erreur en cours" not in page and "à jour" in page and "résolue" in page


def test_healthz_says_starting_with_503_before_the_first_sync(
    serve: Callable[..., TestClient],
) -> None:
    engine = FaultyEngine()
    engine.fault = WikiUnreachable("the wiki at http://wiki.test/ stopped answering")
    client = serve(engine)
    wait_for(lambda: health(client)[1]["error"] is not None)
    status, body = health(client)
    assert (status, body["status"], body["reason"]) == (503, "starting", "wiki unreachable")


def test_healthz_answers_503_while_the_bot_is_not_logged_in(
    serve: Callable[..., TestClient],
) -> None:
    engine = FakeEngine()
    client = serve(engine)
    wait_for(lambda: health(client)[0] == 200)
    engine.wiki.logged_in = False  # type: ignore[misc]
    status, body = health(client)
    assert (status, body["reason"], body["logged_in"]) == (503, "not logged in", False)
    assert samples(client)["wikiledger_bot_logged_in"] == 0


# -- read token ----------------------------------------------------------------------------------

PROTECTED = [
    "/api/contributions/2026",
    "/api/contributions/2026.csv",
    "/api/contributions/2026.ods",
    "/api/problems",
    "/api/people/Alice Martin",
    "/metrics",
    "/",
]


def test_with_a_read_token_the_api_exports_metrics_and_status_page_need_it(
    serve: Callable[..., TestClient],
) -> None:
    engine = FakeEngine()
    client = serve(engine, read_token=READ)
    wait_for(lambda: engine.last is not None)
    for path in PROTECTED:
        refused = client.get(path)
        assert refused.status_code == 401, path
        assert "WIKILEDGER_READ_TOKEN" in refused.json()["detail"]
        wrong = client.get(path, headers={"authorization": "Bearer pas-le-bon-jeton"})
        assert wrong.status_code == 401, path
        assert client.get(path, headers={"authorization": f"Bearer {READ}"}).status_code == 200
        assert client.get(path, params={"token": READ}).status_code == 200, path
    assert client.get("/healthz").status_code == 200  # supervisors need no token


def test_without_a_read_token_everything_is_open_as_before(
    serve: Callable[..., TestClient],
) -> None:
    engine = FakeEngine()
    client = serve(engine)
    wait_for(lambda: engine.last is not None)
    assert all(client.get(path).status_code == 200 for path in PROTECTED)


# -- corrupted database files --------------------------------------------------------------------


def corrupt_pages(path: Path) -> None:
    """Overwrite the middle of a database file: the header is sound, its pages are not."""
    data = bytearray(path.read_bytes())
    data[4096 : len(data)] = b"\xde\xad\xbe\xef" * ((len(data) - 4096) // 4)
    path.write_bytes(bytes(data))


def a_state_with_pages(path: Path) -> None:
    state = StateStore(path)
    state.save_pages(
        [ParsedPage(i, f"Page {i}", 1, Records(), []) for i in range(200)], "format:empreinte"
    )
    state.close()
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()


@pytest.mark.parametrize("damage", ["garbage", "pages"])
def test_a_corrupted_state_file_is_moved_aside_and_a_new_one_made(
    tmp_path: Path, damage: str, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "state.sqlite3"
    if damage == "garbage":
        path.write_bytes(b"ceci n'est pas une base SQLite" * 100)
    else:
        a_state_with_pages(path)
        corrupt_pages(path)
    before = path.read_bytes()
    with caplog.at_level(logging.ERROR):
        state = StateStore(path)
    moved = state.recovered_from
    assert moved is not None and moved.parent == tmp_path
    assert moved.name.startswith("state.sqlite3.corrupt-") and moved.read_bytes() == before
    assert str(moved) in caplog.text and str(path) in caplog.text
    assert state.load_pages("format") == [] and state.revisions("format:empreinte") == {}
    state.save_pages([ParsedPage(1, "Page", 2, Records(), [])], "format:empreinte")
    assert state.revisions("format:empreinte") == {1: 2}
    state.close()
    assert StateStore(path).recovered_from is None  # the new file is sound


def test_a_sound_state_file_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite3"
    a_state_with_pages(path)
    state = StateStore(path)
    assert state.recovered_from is None and len(state.revisions("format:empreinte")) == 200
    assert sorted(p.name for p in tmp_path.iterdir() if "corrupt" in p.name) == []


def test_a_corrupted_queue_file_is_moved_aside_named_and_the_service_starts(
    serve: Callable[..., TestClient], data_dir: Path
) -> None:
    data_dir.mkdir(parents=True)
    (data_dir / QUEUE_FILENAME).write_bytes(b"\x00garbage" * 512)
    engine = FakeEngine()
    client = serve(engine)
    wait_for(lambda: engine.calls == ["full"])  # no cursor any more: a full sync first
    (moved,) = [p for p in data_dir.iterdir() if p.name.startswith(QUEUE_FILENAME + ".corrupt-")]
    _, body = health(client)
    assert body["recovered_files"] == [str(moved)]
    assert samples(client)["wikiledger_databases_recovered"] == 1
    page = client.get("/").text
    assert str(moved) in page and "corrompue" in page


class RecoveredState:
    recovered_from = Path("state.sqlite3.corrupt-20261203T101500Z")


def test_after_a_corrupted_state_the_first_sync_is_a_full_sync_even_with_a_cursor(
    serve: Callable[..., TestClient], data_dir: Path
) -> None:
    with JobQueue(data_dir / QUEUE_FILENAME) as queue:
        queue.set_state(CURSOR_KEY, "2026-03-12T10:00:00Z|7")
        event = WebhookEvent.model_validate_json(
            '{"event": "edit", "title": "Page A", "page_id": 7,'
            ' "timestamp": "2026-03-12T10:00:00Z"}'
        )
        queue.enqueue(event, now=time.time())
    engine = FakeEngine()
    engine.state = RecoveredState()  # type: ignore[attr-defined]
    serve(engine, coalesce=0.01)
    wait_for(lambda: engine.calls[:1] == ["full"])
    assert engine.computed == 0  # the emptied cache was never served as the state


def test_a_catch_up_that_reaches_the_wiki_ends_an_outage_but_not_a_refused_page() -> None:
    state = Health()
    assert state.check(logged_in=True) == (False, "first sync in progress")
    state.failed(WikiUnreachable("the wiki at http://wiki.test/ stopped answering"))
    state.reached_wiki()
    assert state.check(logged_in=True) == (True, "")
    state.failed(PageRefused("Cobudget Sonde/Bilan", "protectedpage", "protected"))
    state.reached_wiki()  # reading recent changes says nothing about that page
    assert state.check(logged_in=True) == (
        False,
        "page refused: Cobudget Sonde/Bilan (protectedpage)",
    )
    assert state.error.startswith("the wiki refused to save 'Cobudget Sonde/Bilan'")
    state.succeeded()
    assert (state.check(logged_in=True), state.error) == ((True, ""), "")
    assert state.check(logged_in=False) == (False, "not logged in")


def test_a_failure_without_a_wiki_reason_is_a_failed_sync() -> None:
    state = Health()
    state.failed(RuntimeError("internal_api_error_DBQueryError"))
    assert state.check(logged_in=True) == (False, "sync failed")
    assert french_reason("sync failed") == "échec de la synchronisation"
    assert french_reason("page refused: X (protectedpage)") == "page refusée : X (protectedpage)"
