"""The floor: the least any sync must spend to read every source page's content through the API.

Measured on a fresh HTTP session logged in as the bot, with the largest batches its rights
allow, three ways (one generator query with content per template; ids per template, then
content by page-id batches of their union; or the ids of all templates in one
`prop=transcludedin` query, then content the same way), best of N runs. Nothing is parsed or
kept.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import requests

TEMPLATE_NAMESPACE = 10


@dataclass(frozen=True, slots=True)
class Floor:
    seconds: float
    strategy: str
    requests: int
    pages: int
    bytes: int


class _Reader:
    def __init__(self, api_url: str, user: str, password: str) -> None:
        self.api_url = api_url
        self.session = requests.Session()
        self.session.headers["User-Agent"] = "wikiledger-bench/0.1"
        token = self._get(action="query", meta="tokens", type="login")["query"]["tokens"]
        answer = self._post(
            action="login", lgname=user, lgpassword=password, lgtoken=token["logintoken"]
        )
        if answer.get("login", {}).get("result") != "Success":
            raise RuntimeError(f"floor: login refused for {user}: {answer}")
        rights = self._get(action="query", meta="userinfo", uiprop="rights")
        high = "apihighlimits" in rights["query"]["userinfo"]["rights"]
        self.batch = 500 if high else 50
        self.requests = 0

    def _get(self, **params: Any) -> dict[str, Any]:
        response = self.session.get(
            self.api_url, params={**params, "format": "json", "formatversion": 2}, timeout=120
        )
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        if "error" in result:
            raise RuntimeError(f"floor: API error {result['error']}")
        return result

    def _post(self, **params: Any) -> dict[str, Any]:
        response = self.session.post(
            self.api_url, data={**params, "format": "json", "formatversion": 2}, timeout=120
        )
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result

    def query(self, **params: Any) -> Iterator[dict[str, Any]]:
        cont: dict[str, Any] = {}
        while True:
            self.requests += 1
            result = self._post(action="query", **params, **cont)
            if "error" in result:
                raise RuntimeError(f"floor: API error {result['error']}")
            yield result.get("query", {})
            if "continue" not in result:
                return
            cont = result["continue"]


def _contents(query: dict[str, Any], seen: dict[int, int]) -> None:
    for page in query.get("pages", []):
        if page.get("ns") == TEMPLATE_NAMESPACE:
            continue
        for revision in page.get("revisions", []):
            content = revision.get("slots", {}).get("main", {}).get("content")
            if content is not None:
                seen[page["pageid"]] = len(content.encode("utf-8"))


def read_by_generator(reader: _Reader, templates: list[str]) -> dict[int, int]:
    """One `generator=embeddedin` query with content per template (pages may come twice)."""
    seen: dict[int, int] = {}
    for template in templates:
        for query in reader.query(
            generator="embeddedin",
            geititle=template,
            geilimit=reader.batch,
            prop="revisions",
            rvprop="ids|content",
            rvslots="main",
        ):
            _contents(query, seen)
    return seen


def read_by_ids(reader: _Reader, templates: list[str]) -> dict[int, int]:
    """Page ids per template (`list=embeddedin`), then content in batches of their union."""
    ids: set[int] = set()
    for template in templates:
        for query in reader.query(list="embeddedin", eititle=template, eilimit="max"):
            ids.update(
                p["pageid"] for p in query.get("embeddedin", []) if p["ns"] != TEMPLATE_NAMESPACE
            )
    return _read_contents(reader, ids)


def _read_contents(reader: _Reader, ids: set[int]) -> dict[int, int]:
    ordered = sorted(ids)
    seen: dict[int, int] = {}
    for start in range(0, len(ordered), reader.batch):
        batch = "|".join(map(str, ordered[start : start + reader.batch]))
        for query in reader.query(
            pageids=batch, prop="revisions", rvprop="ids|content", rvslots="main"
        ):
            _contents(query, seen)
    return seen


def read_by_transcludedin(reader: _Reader, templates: list[str]) -> dict[int, int]:
    """Page ids of all templates at once (`prop=transcludedin`), then content in batches."""
    ids: set[int] = set()
    for query in reader.query(
        titles="|".join(templates), prop="transcludedin", tilimit="max", tiprop="pageid|title"
    ):
        for template in query.get("pages", []):
            ids.update(
                p["pageid"]
                for p in template.get("transcludedin", [])
                if p["ns"] != TEMPLATE_NAMESPACE
            )
    return _read_contents(reader, ids)


STRATEGIES = {
    "generator": read_by_generator,
    "ids": read_by_ids,
    "transcludedin": read_by_transcludedin,
}


def measure_floor(
    api_url: str, user: str, password: str, templates: list[str], *, runs: int = 3
) -> Floor:
    """The fastest of RUNS runs of each strategy, each on a fresh logged-in session."""
    best: Floor | None = None
    for _ in range(runs):
        for name, strategy in STRATEGIES.items():
            reader = _Reader(api_url, user, password)
            started = time.perf_counter()
            seen = strategy(reader, templates)
            seconds = time.perf_counter() - started
            floor = Floor(seconds, name, reader.requests, len(seen), sum(seen.values()))
            if best is None or floor.seconds < best.seconds:
                best = floor
            reader.session.close()
    assert best is not None
    return best
