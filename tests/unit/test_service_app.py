"""The app with its real lifespan (queue, worker) on a fake engine: webhook, API, ops, status."""

from __future__ import annotations

import datetime
import json
import re
import time
from collections.abc import Callable, Iterator
from decimal import Decimal as D
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from ledger.record import (
    Circle,
    Contribution,
    Envelope,
    Problem,
    Records,
    Severity,
    Source,
)
from render.compute import Computation, compute_all
from render.config import SyncConfig
from service.app import create_app
from service.queue import JobQueue
from service.settings import Settings
from service.webhook import sign
from sync.engine import Edit, SyncResult
from sync.wiki import RecentChange, WikiError

SECRET = "un secret partagé d'au moins vingt-quatre caractères"
TOKEN = "jeton-de-test-0123456789"
PAGE = "Utilisateur:Alice Martin/Contributions 2026"
INJECTED = "<script>alert('x')</script>"


def computation() -> Computation:
    declarations = Source(PAGE, 3)
    records = Records(
        circles=[Circle("Numérique", Source("Cercle Numérique", 1))],
        envelopes=[Envelope("Numérique", 2026, D("1000.00"), Source("Cercle Numérique", 2))],
        contributions=[
            Contribution("Alice Martin", "Numérique", datetime.date(2026, 3, 12), declarations,
                         amount=D("450.00")),
            Contribution("Bruno Lefèvre", "Numérique", datetime.date(2026, 4, 1), Source(PAGE, 4),
                         hours=D("3.5")),
        ],
    )  # fmt: skip
    problems = [Problem(Source(PAGE, 9), "Contribution", Severity.ERROR, f"date {INJECTED}")]
    return compute_all(records, problems, SyncConfig(), today=datetime.date(2026, 4, 15))


class FakeWiki:
    logged_in = True

    def recent_changes(self, since: str) -> list[RecentChange]:
        return []


class FakeEngine:
    """Records the syncs the worker runs; `down` makes them fail as when the wiki is stopped."""

    def __init__(self, *, down: bool = False) -> None:
        self.wiki = FakeWiki()
        self.config = SyncConfig()
        self.down = down
        self.last: Computation | None = None
        self.calls: list[str | frozenset[str]] = []
        self.computed = 0
        self.complete = True  # its state holds a full sync (SyncEngine.complete)

    def full_sync(self) -> SyncResult:
        return self._sync("full")

    def sync_pages(self, titles: set[str]) -> SyncResult:
        return self._sync(frozenset(titles))

    def compute(self) -> Computation:
        self.computed += 1
        self.last = computation()
        return self.last

    def _sync(self, call: str | frozenset[str]) -> SyncResult:
        if self.down:
            raise WikiError("the wiki at http://wiki.test/ stopped answering (ConnectionError)")
        self.calls.append(call)
        self.last = computation()
        edits = [Edit("Contribution-rétribution/Registre 2026", "wikiledger : mise à jour")]
        return SyncResult("full", time.time(), duration=0.25, edits=edits)


def wait_for(check: Callable[[], object], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def serve(data_dir: Path) -> Iterator[Callable[..., TestClient]]:
    """A client of the app, lifespan included (queue file, worker thread), on ENGINE."""
    clients: list[TestClient] = []

    def make(
        engine: FakeEngine, *, coalesce: float = 30.0, api_token: str = TOKEN, read_token: str = ""
    ) -> TestClient:
        settings = Settings(
            wiki_url="http://wiki.test/",
            webhook_secret=SecretStr(SECRET),
            api_token=SecretStr(api_token),
            read_token=SecretStr(read_token),
            data_dir=data_dir,
        )
        app = create_app(
            settings,
            SyncConfig(),
            engine=engine,  # type: ignore[arg-type]
            wiki=engine.wiki,
            coalesce_seconds=coalesce,
            catchup_seconds=3600,
        )
        client = TestClient(app)
        client.__enter__()
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


def queued(data_dir: Path) -> list[dict[str, Any]]:
    """The events in the queue file, read through a connection of its own."""
    with JobQueue(data_dir / "queue.sqlite3") as queue:
        return [job.event.model_dump(mode="json") for job in queue.pending()]


def event(title: str = PAGE) -> dict[str, Any]:
    return {
        "event": "edit",
        "title": title,
        "page_id": 42,
        "rev_id": 1234,
        "timestamp": "2026-03-12T10:00:00Z",
        "user": "Alice Martin",
    }


def signed(body: bytes, *, msg_id: str = "msg_1", timestamp: int | None = None) -> dict[str, str]:
    timestamp = int(time.time()) if timestamp is None else timestamp
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(SECRET, msg_id, timestamp, body),
    }


def post(client: TestClient, body: bytes, headers: dict[str, str]) -> Any:
    return client.post("/webhook", content=body, headers=headers)


# -- POST /webhook ------------------------------------------------------------------------------


def test_a_signed_webhook_is_on_disk_when_the_202_is_answered(
    serve: Callable[..., TestClient], data_dir: Path
) -> None:
    client = serve(FakeEngine())  # a 30 s coalescing window: the worker leaves the job alone
    body = json.dumps(event()).encode()
    response = post(client, body, signed(body))
    assert response.status_code == 202 and isinstance(response.json()["queued"], int)
    assert queued(data_dir) == [{**event(), "old_title": None}]


@pytest.mark.parametrize(
    ("tamper", "status", "reason"),
    [
        (lambda b, h: (b.replace(b"1234", b"1235"), h), 401, "invalid signature"),
        (lambda b, h: (b, {**h, "webhook-id": "msg_2"}), 401, "invalid signature"),
        (lambda b, h: (b, {k: v for k, v in h.items() if k != "webhook-signature"}), 401,
         "missing webhook headers"),
    ],
)  # fmt: skip
def test_a_forged_delivery_is_refused_and_nothing_is_queued(
    serve: Callable[..., TestClient],
    data_dir: Path,
    tamper: Callable[[bytes, dict[str, str]], tuple[bytes, dict[str, str]]],
    status: int,
    reason: str,
) -> None:
    client = serve(FakeEngine())
    body = json.dumps(event()).encode()
    forged_body, forged_headers = tamper(body, signed(body))
    response = post(client, forged_body, forged_headers)
    assert (response.status_code, response.json()) == (status, {"error": reason})
    assert queued(data_dir) == []
    assert "wikiledger_webhooks_refused_total 1" in client.get("/metrics").text


def test_a_replayed_id_is_refused_once_the_first_delivery_was_accepted(
    serve: Callable[..., TestClient], data_dir: Path
) -> None:
    client = serve(FakeEngine())
    body = json.dumps(event()).encode()
    assert post(client, body, signed(body)).status_code == 202
    again = post(client, body, signed(body))
    assert (again.status_code, again.json()) == (409, {"error": "webhook id already seen"})
    assert len(queued(data_dir)) == 1


def test_a_stale_timestamp_is_refused(serve: Callable[..., TestClient], data_dir: Path) -> None:
    client = serve(FakeEngine())
    body = json.dumps(event()).encode()
    response = post(client, body, signed(body, timestamp=int(time.time()) - 301))
    assert (response.status_code, response.json()) == (
        401,
        {"error": "timestamp outside the tolerance"},
    )
    assert queued(data_dir) == []


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"{not json", 400),
        (b"[1, 2]", 400),
        (json.dumps({**event(), "page_id": "42"}).encode(), 400),
        (json.dumps({**event(), "event": "purge"}).encode(), 400),
        (b" " * (64 * 1024 + 1), 413),
    ],
)
def test_a_malformed_body_is_refused_with_a_short_reason(
    serve: Callable[..., TestClient], data_dir: Path, body: bytes, status: int
) -> None:
    client = serve(FakeEngine())
    response = post(client, body, signed(body))
    assert response.status_code == status
    assert 0 < len(response.json()["error"]) < 120
    assert queued(data_dir) == []


def test_an_accepted_webhook_leads_to_a_sync_of_its_page(
    serve: Callable[..., TestClient], data_dir: Path
) -> None:
    engine = FakeEngine()
    client = serve(engine, coalesce=0.05)
    wait_for(lambda: engine.calls == ["full"])  # the first start
    body = json.dumps({**event("Nouveau titre"), "event": "move", "old_title": "Ancien"}).encode()
    assert post(client, body, signed(body)).status_code == 202
    wait_for(lambda: len(engine.calls) == 2)
    assert engine.calls[1] == frozenset({"Nouveau titre", "Ancien"})
    wait_for(lambda: queued(data_dir) == [])


# -- JSON API, health, metrics --------------------------------------------------------------------


def test_before_any_sync_the_api_answers_503_and_health_says_starting(
    serve: Callable[..., TestClient],
) -> None:
    client = serve(FakeEngine(down=True))
    wait_for(lambda: "wiki.test" in (client.get("/healthz").json()["last_error"] or ""))
    assert client.get("/healthz").json()["status"] == "starting"
    response = client.get("/api/contributions/2026")
    assert response.status_code == 503 and "no sync" in response.json()["detail"]


def test_the_api_serves_the_last_computed_state_without_recomputing(
    serve: Callable[..., TestClient],
) -> None:
    engine = FakeEngine()
    client = serve(engine)
    wait_for(lambda: engine.last is not None)
    first = client.get("/api/contributions/2026")
    second = client.get("/api/contributions/2026")
    assert first.status_code == 200 and first.json() == second.json()
    circle = first.json()["circles"][0]
    assert (circle["name"], circle["requested"]) == ("Numérique", "555.00")  # 450 + 3.5 h × 30
    problems = client.get("/api/problems").json()["problems"]
    assert [(p["page"], p["line"], p["severity"]) for p in problems] == [(PAGE, 9, "error")]
    assert engine.calls == ["full"] and engine.computed == 0


def test_health_says_ok_after_a_sync(serve: Callable[..., TestClient]) -> None:
    engine = FakeEngine()
    client = serve(engine)
    wait_for(client.app.state.runtime.worker.ready.is_set)  # type: ignore[attr-defined]
    health = client.get("/healthz").json()
    assert (health["status"], health["queue_depth"], health["last_error"]) == ("ok", 0, None)


def test_metrics_count_syncs_edits_and_the_queue_in_prometheus_text(
    serve: Callable[..., TestClient],
) -> None:
    engine = FakeEngine()
    client = serve(engine)
    wait_for(client.app.state.runtime.worker.ready.is_set)  # type: ignore[attr-defined]
    response = client.get("/metrics")
    assert response.headers["content-type"].startswith("text/plain")
    # values as prometheus-client writes them (Go floats: "1.0"), compared as numbers
    samples = {
        name: float(value)
        for name, value in (
            line.split(" ") for line in response.text.splitlines() if not line.startswith("#")
        )
    }
    assert samples["wikiledger_queue_depth"] == 0
    assert samples["wikiledger_syncs_total"] == 1
    assert samples["wikiledger_edits_total"] == 1
    assert samples["wikiledger_sync_seconds_total"] == 0.25
    assert samples["wikiledger_failures_total"] == 0
    assert samples["wikiledger_last_success_timestamp_seconds"] > time.time() - 60
    for name in samples:
        assert re.search(f"^# TYPE {name} (gauge|counter)$", response.text, re.MULTILINE)


@pytest.mark.parametrize(
    "authorization", [None, "Bearer mauvais-jeton", f"Basic {TOKEN}", f"Bearer {TOKEN}x"]
)
def test_a_full_sync_by_api_is_refused_without_the_right_bearer_token(
    serve: Callable[..., TestClient], data_dir: Path, authorization: str | None
) -> None:
    client = serve(FakeEngine())
    headers = {"authorization": authorization} if authorization else {}
    response = client.post("/api/sync", headers=headers)
    assert response.status_code == 401 and "WIKILEDGER_API_TOKEN" in response.json()["detail"]
    assert queued(data_dir) == []


def test_a_full_sync_by_api_is_refused_when_no_token_is_configured(
    serve: Callable[..., TestClient],
) -> None:
    client = serve(FakeEngine(), api_token="")
    assert client.post("/api/sync", headers={"authorization": "Bearer "}).status_code == 401


def test_a_full_sync_by_api_with_the_token_is_queued_and_run(
    serve: Callable[..., TestClient],
) -> None:
    engine = FakeEngine()
    client = serve(engine, coalesce=0.05)
    wait_for(lambda: engine.calls == ["full"])
    response = client.post("/api/sync", headers={"authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 202
    wait_for(lambda: engine.calls == ["full", "full"])


# -- HTML status page -----------------------------------------------------------------------------


def test_the_status_page_shows_the_summary_pages_and_escapes_problem_messages(
    serve: Callable[..., TestClient],
) -> None:
    engine = FakeEngine()
    client = serve(engine)
    wait_for(lambda: engine.last is not None)
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    assert "wikiledger" in page and 'name="viewport"' in page
    assert "Contribution-rétribution/Registre 2026" in page
    assert INJECTED not in page and "&lt;script&gt;" in page


def test_the_status_page_renders_before_the_first_sync(serve: Callable[..., TestClient]) -> None:
    client = serve(FakeEngine(down=True))
    response = client.get("/")
    assert response.status_code == 200 and "première synchronisation" in response.text


def test_the_status_page_lists_queued_jobs_of_every_kind(
    serve: Callable[..., TestClient],
) -> None:
    client = serve(FakeEngine())  # a 30 s coalescing window: the jobs stay queued
    body = json.dumps({**event("Nouveau titre"), "event": "move", "old_title": "Ancien"}).encode()
    assert post(client, body, signed(body)).status_code == 202
    assert client.post("/api/sync", headers={"authorization": f"Bearer {TOKEN}"}).status_code == 202
    page = client.get("/").text
    assert "<td>move</td><td>Ancien, Nouveau titre</td>" in page
    assert "<td>full</td><td></td>" in page
