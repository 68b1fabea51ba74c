"""Running `bench.service` as a child process and reading the JSON lines it prints."""

from __future__ import annotations

import contextlib
import json
import os
import queue
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from devwiki.mediawiki import LocalWiki

REPO = Path(__file__).resolve().parents[1]


class ServiceProcess:
    """The measured service: started with the wiki's bot credentials, stopped by closing stdin."""

    def __init__(
        self, wiki: LocalWiki, data_dir: Path, *, port: int, secret: str, coalesce: float
    ) -> None:
        self.port = port
        self.data_dir = data_dir
        self._events: queue.Queue[dict[str, Any]] = queue.Queue()
        self.events: list[dict[str, Any]] = []
        data_dir.mkdir(parents=True, exist_ok=True)
        env = {
            **os.environ,
            "WIKILEDGER_WIKI_URL": wiki.url,
            "WIKILEDGER_BOT_USER": wiki.bot_login,
            "WIKILEDGER_BOT_PASSWORD": wiki.bot_password,
            "WIKILEDGER_WEBHOOK_SECRET": secret,
            "WIKILEDGER_DATA_DIR": str(data_dir),
        }
        command = [sys.executable, "-m", "bench.service", "--port", str(port)]
        command += ["--coalesce", str(coalesce)]
        self._log = (data_dir / "service.log").open("wb")
        self._process = subprocess.Popen(
            command,
            env=env,
            cwd=REPO,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._log,
        )
        threading.Thread(target=self._read, daemon=True).start()

    @property
    def pid(self) -> int:
        return self._process.pid

    def _read(self) -> None:
        assert self._process.stdout is not None
        for line in self._process.stdout:
            try:
                self._events.put(json.loads(line))
            except json.JSONDecodeError:
                continue  # not one of ours (a library printing to stdout)
        self._events.put({"phase": "eof"})

    def next(self, phase: str, *, timeout: float) -> dict[str, Any]:
        """The next event of PHASE (earlier events of other phases are kept in `events`)."""
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            try:
                event = self._events.get(timeout=max(remaining, 0.001))
            except queue.Empty:
                raise TimeoutError(f"no {phase!r} from the service in {timeout:.0f} s") from None
            self.events.append(event)
            if event["phase"] == phase:
                return event
            if event["phase"] == "eof":
                self._log.flush()
                log = self.data_dir / "service.log"
                tail = log.read_text(encoding="utf-8", errors="replace").splitlines()[-3:]
                raise RuntimeError(f"the service stopped ({log}):\n" + "\n".join(tail))

    def healthz(self) -> dict[str, Any]:
        """The JSON of `/healthz`, also when it answers 503 (no sync yet, or failing)."""
        url = f"http://127.0.0.1:{self.port}/healthz"
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                answer: dict[str, Any] = json.load(response)
        except urllib.error.HTTPError as error:
            if error.code != 503:
                raise
            answer = json.load(error)
        return answer

    def wait_idle(self, *, timeout: float = 60) -> None:
        """Until the worker has synced once since start and its queue is empty."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            health = self.healthz()
            if health.get("last_success") and health.get("queue_depth") == 0:
                return
            time.sleep(0.05)
        raise TimeoutError(f"the service did not become idle in {timeout:.0f} s")

    def high_water_mb(self) -> float:
        """VmHWM of the running child: its peak resident memory so far."""
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
        return 0.0

    def stop(self, *, timeout: float = 30) -> dict[str, Any] | None:
        """Close stdin (the service exits cleanly) and return its `exit` event."""
        assert self._process.stdin is not None
        with contextlib.suppress(BrokenPipeError):
            self._process.stdin.close()
        try:
            exit_event: dict[str, Any] | None = self.next("exit", timeout=timeout)
        except (TimeoutError, RuntimeError):
            exit_event = None
        try:
            self._process.wait(timeout)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait(timeout)
        self._log.close()
        return exit_event
