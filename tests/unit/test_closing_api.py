"""The closing in `GET /api/contributions/{year}` and `GET /api/people/{name}` (issue 13 JSON)."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from fastapi.testclient import TestClient

from parsers.page import parse_page
from render.compute import Computation, compute_all
from render.config import SyncConfig
from tests.unit.test_closing import PAGE
from tests.unit.test_service_app import FakeEngine, data_dir, serve, wait_for

__all__ = ["data_dir", "serve"]  # the fixtures of the service tests, used here too

DECISION = "{{Clôture cercle|cercle=Numérique|année=2026|règle=plancher|plancher=200}}\n"


class ClosedEngine(FakeEngine):
    """The fake engine of the service tests, on a wiki where Numérique 2026 is closed."""

    def compute(self) -> Computation:
        self.computed += 1
        self.last = closed()
        return self.last

    def _sync(self, call: str | frozenset[str]):  # type: ignore[no-untyped-def]
        result = super()._sync(call)
        self.last = closed()
        return result


def closed() -> Computation:
    records, problems = parse_page("Cercle Numérique", PAGE + DECISION)
    return compute_all(records, problems, SyncConfig(), today=datetime.date(2027, 1, 20))


def test_the_api_gives_each_circles_settlements_and_closing(
    serve: Callable[..., TestClient],
) -> None:
    engine = ClosedEngine()
    client = serve(engine)
    wait_for(lambda: engine.last is not None)

    (circle,) = client.get("/api/contributions/2026").json()["circles"]
    # figures worked out in tests/unit/test_closing.py
    assert circle["settlements"]["equal"] == [
        {"name": "Alice", "proposed": "375.00"},
        {"name": "Bruno", "proposed": "375.00"},
        {"name": "Chloé", "proposed": "150.00"},
    ]
    assert list(circle["settlements"]) == ["prorata", "hourly_cap", "equal", "floor"]
    assert circle["closing"]["rule"] == "floor"
    assert circle["closing"]["due"][0] == {
        "name": "Alice",
        "amount": "422.73",
        "paid": "0.00",
        "remaining": "422.73",
    }
    person = client.get("/api/people/Bruno").json()
    assert person["years"][0]["circles"][0]["closing"] == {
        "rule": "floor",
        "due": "327.27",
        "paid": "0.00",
        "remaining": "327.27",
    }
