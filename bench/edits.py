"""The live path: a member saves one declaration; how long until the registre shows it.

Each edit changes the `montant` of a clean 2026 declaration by a known number of euros, so
the registre's « demandé » total must move by exactly that much. The clock starts when the
save's response arrives and stops when the bot's save of the registre returns (the service's
`saved` line: the new revision exists from then on), as the incremental floor's clock stops
when its save of the registre returns. Then a reader reads the registre (every 50 ms until it
shows the expected total): that checks the figure, and its time (`polled`, a request or two
after the save) is kept beside. The reader waits for the service's line rather than polling
during the update: its requests competed with the measured save for the wiki's CPUs. The next
edit waits until the service is idle again.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import requests

from bench.generate import EditTarget
from bench.process import ServiceProcess
from render.wikitext import money

POLL_SECONDS = 0.05
_REQUESTED = re.compile(r"demandé '''([^']+)'''")


@dataclass(frozen=True, slots=True)
class EditLatency:
    title: str
    seconds: float  # until the bot's save of the registre returned
    delta: Decimal
    polled: float  # until a reader polling the registre saw the new total
    # when the sync that wrote it started (negative: the webhook came before the save's
    # response), and when that sync's save of the registre began (the wiki's save follows)
    sync_started: float = 0.0
    save_began: float = 0.0


class Session:
    """A plain logged-in API session (a member's or the bot's)."""

    def __init__(self, api_url: str, user: str, password: str) -> None:
        self.api_url = api_url
        self.http = requests.Session()
        self.http.headers["User-Agent"] = "wikiledger-bench/0.1"
        token = self.call("query", meta="tokens", type="login")["query"]["tokens"]["logintoken"]
        login = self.call("login", lgname=user, lgpassword=password, lgtoken=token)
        if login["login"]["result"] != "Success":
            raise RuntimeError(f"login refused for {user}: {login['login']}")

    def call(self, action: str, **params: Any) -> dict[str, Any]:
        data = {"action": action, "format": "json", "formatversion": 2, **params}
        response = self.http.post(self.api_url, data=data, timeout=60)
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        if "error" in result:
            raise RuntimeError(f"API {action}: {result['error']}")
        return result

    def page(self, title: str) -> tuple[str, int]:
        """(text, revision id) of a page; ("", 0) when it does not exist."""
        result = self.call(
            "query", titles=title, prop="revisions", rvprop="ids|content", rvslots="main"
        )
        page = result["query"]["pages"][0]
        if "missing" in page:
            return "", 0
        revision = page["revisions"][0]
        return revision["slots"]["main"]["content"], revision["revid"]

    def revision(self, title: str) -> int:
        page = self.call("query", titles=title, prop="info")["query"]["pages"][0]
        return int(page.get("lastrevid", 0))

    def token(self) -> str:
        return str(self.call("query", meta="tokens")["query"]["tokens"]["csrftoken"])

    def edit(
        self, title: str, text: str, base: int, summary: str, token: str | None = None
    ) -> None:
        token = token or self.token()
        result = self.call(
            "edit", title=title, text=text, baserevid=base, summary=summary, token=token
        )
        if result["edit"]["result"] != "Success":
            raise RuntimeError(f"edit of {title} refused: {result['edit']}")


def requested_total(registry_text: str) -> Decimal:
    match = _REQUESTED.search(registry_text)
    if match is None:
        raise RuntimeError("no « demandé » total on the registre page")
    digits = re.sub(r"[^\d,-]", "", match.group(1)).replace(",", ".")
    return Decimal(digits)


def measure_edits(
    member: Session,
    reader: Session,
    service: ServiceProcess,
    targets: list[EditTarget],
    registry: str,
    *,
    count: int,
    timeout: float = 60,
) -> list[EditLatency]:
    """COUNT single-page edits by MEMBER, each timed until READER sees the registre updated."""
    latencies: list[EditLatency] = []
    used: set[str] = set()
    for target in targets:
        if len(latencies) == count:
            break
        if target.title in used:
            continue
        text, base = member.page(target.title)
        if text.count(target.call) != 1:
            continue
        used.add(target.title)
        delta = Decimal(len(latencies) + 1)
        new_amount = f"{target.amount + delta:.2f}".replace(".", ",")
        new_call = target.call.replace(f"={target.amount_text}", f"={new_amount}", 1)
        registry_text, registry_rev = reader.page(registry)
        expected = f"demandé '''{money(requested_total(registry_text) + delta)}'''"
        asked_at = time.time()
        member.edit(target.title, text.replace(target.call, new_call), base, "Mise à jour")
        saved, saved_at = time.perf_counter(), time.time()
        # The reader reads only once the service reports the registre saved: its polls, each a
        # MediaWiki request on the same CPUs, slowed the very save being timed (the floor's
        # save runs on an otherwise idle wiki).
        while True:
            event = service.next("saved", timeout=timeout)
            if event["time"] >= asked_at and event["title"] == registry:
                break
        seen = _wait_for(reader, registry, registry_rev, expected, saved + timeout)
        # The sync that wrote the registre reports once it has finished all its writes.
        while True:
            event = service.next("sync", timeout=timeout)
            if event["time"] >= saved_at and registry in event["edits"]:
                break
        # (the webhook leaves during the member's save: the bot's save may even come first)
        written = _saved_at(service.events, registry, asked_at)
        latencies.append(
            EditLatency(
                target.title,
                max(written - saved_at, 0.0),
                delta,
                seen - saved,
                float(event["started"]) - saved_at,
                _saved_at(service.events, registry, asked_at, phase="saving") - saved_at,
            )
        )
        service.wait_idle(timeout=timeout)
    if len(latencies) < count:
        raise RuntimeError(f"only {len(latencies)} editable declarations for {count} edits")
    return latencies


def _saved_at(
    events: list[dict[str, Any]], title: str, after: float, *, phase: str = "saved"
) -> float:
    """The time of the first PHASE line (`saved`, `saving`) of TITLE at or after AFTER (wall
    clock)."""
    for event in events:
        if event["phase"] == phase and event["title"] == title and event["time"] >= after:
            return float(event["time"])
    raise RuntimeError(f"the service reported no save of {title}")


def _wait_for(reader: Session, title: str, old_rev: int, expected: str, deadline: float) -> float:
    """perf_counter() of the first poll that saw TITLE's new revision holding EXPECTED."""
    while time.perf_counter() < deadline:
        rev = reader.revision(title)
        seen = time.perf_counter()
        if rev != old_rev:
            text, rev = reader.page(title)
            if expected in text:
                return seen
            old_rev = rev  # an intermediate version: keep waiting for ours
        time.sleep(POLL_SECONDS)
    raise TimeoutError(f"{title} did not show {expected!r} in time")


def measure_incremental_floor(
    bot: Session, page: str, registry: str, *, runs: int
) -> tuple[float, list[float]]:
    """The least a live update can cost: read one source page's content, then save the
    registre with a new text (its « demandé » total changed), as the bot, with a token taken
    beforehand. Best of RUNS, and every run's time."""
    times = []
    for run in range(runs):
        text, base = bot.page(registry)
        total = money(requested_total(text) + Decimal(run + 1) / 100)
        new_text = _REQUESTED.sub(f"demandé '''{total}'''".replace("\\", r"\\"), text, count=1)
        token = bot.token()
        started = time.perf_counter()
        bot.page(page)
        bot.edit(registry, new_text, base, "wikiledger : mise à jour (plancher du banc)", token)
        times.append(time.perf_counter() - started)
    return min(times), times
