"""The live system of the end-to-end tests: a wiki with the extension, `wikiledger serve`, probes.

One session: a fresh local MediaWiki that loads the WikiLedger extension, whose webhooks go to
a service port chosen in advance; our templates and the seed pages; then `wikiledger serve`
as a subprocess (so tests can kill and restart it) with its own data directory. Tests leave
both running when they end (a test that stops one starts it again).
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import httpx
import mwclient
import pytest

from devwiki.client import connect
from devwiki.mediawiki import LocalWiki, create_wiki, free_port
from devwiki.seed import save_seed
from devwiki.settings import extension_settings
from parsers.marker import extract_generated
from render.config import SyncConfig
from service.queue import QUEUE_FILENAME
from service.webhook import sign
from sync.templates import install_templates
from sync.wiki import WikiClient

WIKILEDGER = Path(sys.executable).with_name("wikiledger")
REGISTRY = "Contribution-rétribution/Registre 2026"

T = TypeVar("T")


def wait_for(check: Callable[[], T], *, timeout: float, what: str, every: float = 0.05) -> T:
    """Call `check` until it returns something true; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(every)


def restart_wiki(wiki: LocalWiki) -> None:
    """Start a stopped wiki again on the same port (the service knows only that URL).

    `LocalWiki.start` checks the port as `php -S` binds it (SO_REUSEADDR), so the sockets our
    own stop left in TIME_WAIT do not move the wiki to another port.
    """
    port = wiki.port
    wiki.start()
    assert wiki.port == port


@dataclass
class Service:
    """`wikiledger -v serve` in its own process group, logging to HOME/service.log."""

    port: int
    env: dict[str, str]
    home: Path
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def data_dir(self) -> Path:
        return Path(self.env["WIKILEDGER_DATA_DIR"])

    @property
    def queue_file(self) -> Path:
        return self.data_dir / QUEUE_FILENAME

    @property
    def log(self) -> Path:
        return self.home / "service.log"

    def start(self, *, timeout: float = 60.0) -> None:
        """Start the service; return once it answers `/healthz` (the first sync may be running,
        or the wiki be down: 503 is an answer)."""
        assert self.process is None, "the service is already running"
        command = [str(WIKILEDGER), "-v", "serve", "--host", "127.0.0.1", "--port", str(self.port)]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                command,
                env=self.env,
                cwd=self.home,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        wait_for(self._answers, timeout=timeout, what=f"the service on {self.url}")

    def stop(self) -> None:
        """Stop gracefully (SIGTERM, as systemd does): uvicorn runs the app's shutdown."""
        self._end(signal.SIGTERM)

    def kill(self) -> None:
        """Stop at once (SIGKILL), as a crash would: nothing of the app's shutdown runs."""
        self._end(signal.SIGKILL)

    def _end(self, signal_number: int) -> None:
        if self.process is None:
            return
        self.process.send_signal(signal_number)
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)
        self.process = None

    def _answers(self) -> bool:
        assert self.process is not None
        if self.process.poll() is not None:
            raise AssertionError(f"the service exited at start:\n{self.log_tail()}")
        try:
            # 503 is an answer too: the service is up and says why it is not healthy yet
            return httpx.get(f"{self.url}/healthz", timeout=2).status_code in (200, 503)
        except httpx.TransportError:
            return False

    def log_tail(self, lines: int = 40) -> str:
        if not self.log.exists():
            return ""
        return "\n".join(
            self.log.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:]
        )


@dataclass
class Live:
    """The running wiki and service, with the probes the tests use."""

    wiki: LocalWiki
    service: Service
    secret: str
    api_token: str
    admin: mwclient.Site
    bot: mwclient.Site

    # -- the service ---------------------------------------------------------------------------

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return httpx.get(self.service.url + path, timeout=30, **kwargs)

    def post(self, path: str, **kwargs: Any) -> httpx.Response:
        return httpx.post(self.service.url + path, timeout=30, **kwargs)

    def metrics(self) -> dict[str, float]:
        """The samples of `/metrics` by name."""
        response = self.get("/metrics")
        assert response.status_code == 200, response.text
        samples = {}
        for line in response.text.splitlines():
            if line and not line.startswith("#"):
                name, value = line.split(" ")
                samples[name] = float(value)
        return samples

    def wait_idle(self, timeout: float = 60.0) -> None:
        """Until a sync has completed and no job is queued or running."""

        def idle() -> bool:
            health: dict[str, Any] = self.get("/healthz").json()
            return bool(health["status"] == "ok" and health["queue_depth"] == 0)

        try:
            wait_for(idle, timeout=timeout, what="an idle service", every=0.1)
        except AssertionError as error:
            raise AssertionError(f"{error}\n{self.service.log_tail()}") from None

    def contributions(self, year: int = 2026) -> dict[str, Any]:
        response = self.get(f"/api/contributions/{year}")
        assert response.status_code == 200, response.text
        payload: dict[str, Any] = response.json()
        return payload

    def declarations_of(self, contributor: str, year: int = 2026) -> list[dict[str, Any]]:
        """The contributor's declarations in the service's last computed state."""
        return [
            c for c in self.contributions(year)["contributions"] if c["contributor"] == contributor
        ]

    def queued_jobs(self) -> list[dict[str, Any]]:
        """The rows of the queue file, read beside the service (events decoded)."""
        with sqlite3.connect(f"file:{self.service.queue_file}?mode=ro", uri=True) as db:
            db.row_factory = sqlite3.Row
            rows = [dict(row) for row in db.execute("SELECT * FROM job ORDER BY id")]
        for row in rows:
            row["event"] = json.loads(row.pop("payload"))
        return rows

    # -- webhooks ------------------------------------------------------------------------------

    def signed_headers(
        self,
        body: bytes,
        *,
        msg_id: str | None = None,
        timestamp: int | None = None,
        secret: str | None = None,
    ) -> dict[str, str]:
        msg_id = msg_id or f"msg_{secrets.token_hex(16)}"
        timestamp = int(time.time()) if timestamp is None else timestamp
        return {
            "content-type": "application/json",
            "webhook-id": msg_id,
            "webhook-timestamp": str(timestamp),
            "webhook-signature": sign(secret or self.secret, msg_id, timestamp, body),
        }

    def post_webhook(self, payload: object, **signing: Any) -> httpx.Response:
        """Post a body (bytes, or a JSON payload) signed as the extension signs it."""
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        return self.post("/webhook", content=body, headers=self.signed_headers(body, **signing))

    def event_for(self, title: str, event: str = "edit") -> dict[str, Any]:
        """The event the extension sends for the page's last revision."""
        page = self.admin.pages[title]
        return {
            "event": event,
            "title": title,
            "page_id": page.pageid,
            "rev_id": page.revision,
            "timestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }

    # -- the wiki ------------------------------------------------------------------------------

    def generated(self, title: str = REGISTRY) -> str:
        """The generated part of a summary page, as the wiki serves it now."""
        return extract_generated(str(self.admin.pages[title].text(cache=False))) or ""


def service_environment(wiki: LocalWiki, secret: str, api_token: str, data: Path) -> dict[str, str]:
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("WIKILEDGER_")}
    return {
        **inherited,
        "WIKILEDGER_WIKI_URL": wiki.url,
        "WIKILEDGER_BOT_USER": wiki.bot_login,
        "WIKILEDGER_BOT_PASSWORD": wiki.bot_password,
        "WIKILEDGER_WEBHOOK_SECRET": secret,
        "WIKILEDGER_API_TOKEN": api_token,
        "WIKILEDGER_DATA_DIR": str(data),
    }


@pytest.fixture(scope="session")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    home = tmp_path_factory.mktemp("e2e")
    port = free_port()
    secret = "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()
    api_token = secrets.token_urlsafe(32)
    wiki = create_wiki(home / "wiki", extra_settings=extension_settings(port, secret))
    wiki.start()
    service = Service(port, service_environment(wiki, secret, api_token, home / "data"), home)
    try:
        install_templates(
            WikiClient(wiki.url, wiki.bot_login, wiki.bot_password).connect(), SyncConfig()
        )
        admin = connect(wiki, admin=True)
        save_seed(admin)  # the service is not running yet: these webhooks are refused at once
        service.start()
        live = Live(wiki, service, secret, api_token, admin, connect(wiki))
        live.wait_idle()  # the first start does a full sync
        yield live
    finally:
        service.stop()
        wiki.stop()
    assert wiki.logged_errors() == {}
