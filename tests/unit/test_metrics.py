"""`/metrics` through prometheus-client: what the service's collector exposes, read back by the
package's own parser."""

from __future__ import annotations

from types import SimpleNamespace

from prometheus_client.parser import text_string_to_metric_families

from service.health import Health
from service.metrics import CONTENT_TYPE, ServiceCollector, build_registry, render_metrics
from service.worker import Metrics
from sync.wiki import LoginRefused


def worker(metrics: Metrics, health: Health | None = None) -> SimpleNamespace:
    """What the collector reads of the worker: its counters and its health."""
    return SimpleNamespace(metrics=metrics, health=health or Health())


def logged_in() -> bool:
    return True


class FakeQueue:
    def __init__(self, depth: int) -> None:
        self._depth = depth

    def depth(self) -> int:
        return self._depth


def read(text: bytes) -> dict[str, tuple[str, float]]:
    """Each sample by name, with the type of its family."""
    return {
        sample.name: (family.type, sample.value)
        for family in text_string_to_metric_families(text.decode())
        for sample in family.samples
    }


def test_the_service_numbers_are_exposed_with_their_types() -> None:
    metrics = Metrics(syncs=3, sync_seconds=1.2345678, edits=5, failures=2)
    metrics.webhooks_accepted, metrics.webhooks_refused = 7, 1
    metrics.last_success = 1_773_309_600.0
    registry = build_registry(worker(metrics), FakeQueue(4), logged_in)  # type: ignore[arg-type]
    samples = read(render_metrics(registry))
    kind, age = samples.pop("wikiledger_last_success_age_seconds")
    assert kind == "gauge" and age > 0  # the wall clock: exact ages are tested below
    assert samples == {
        "wikiledger_queue_depth": ("gauge", 4),
        "wikiledger_syncs_total": ("counter", 3),
        "wikiledger_sync_seconds_total": ("counter", 1.234568),
        "wikiledger_edits_total": ("counter", 5),
        "wikiledger_failures_total": ("counter", 2),
        "wikiledger_webhooks_accepted_total": ("counter", 7),
        "wikiledger_webhooks_refused_total": ("counter", 1),
        "wikiledger_last_success_timestamp_seconds": ("gauge", 1_773_309_600.0),
        # a new Health: the first sync has not finished yet
        "wikiledger_healthy": ("gauge", 0),
        "wikiledger_bot_logged_in": ("gauge", 1),
        "wikiledger_wiki_unreachable": ("gauge", 0),
        "wikiledger_login_refused": ("gauge", 0),
        "wikiledger_page_refused": ("gauge", 0),
        "wikiledger_databases_recovered": ("gauge", 0),
    }


def test_the_health_gauges_follow_the_worker_health_and_the_bot_session() -> None:
    health, session = Health(), {"on": True}
    registry = build_registry(worker(Metrics(), health), FakeQueue(0), lambda: session["on"])  # type: ignore[arg-type]
    health.succeeded()
    samples = read(render_metrics(registry))
    assert samples["wikiledger_healthy"] == ("gauge", 1)
    health.failed(LoginRefused("bot password revoked"))
    session["on"] = False
    samples = read(render_metrics(registry))
    assert samples["wikiledger_healthy"] == ("gauge", 0)
    assert samples["wikiledger_login_refused"] == ("gauge", 1)
    assert samples["wikiledger_bot_logged_in"] == ("gauge", 0)
    assert samples["wikiledger_wiki_unreachable"] == ("gauge", 0)


def test_the_age_of_the_last_success_follows_the_clock_and_is_minus_one_before_any() -> None:
    metrics = Metrics(last_success=1_773_309_600.0)
    collector = ServiceCollector(
        worker(metrics), FakeQueue(0), logged_in, clock=lambda: 1_773_309_642.5
    )  # type: ignore[arg-type]
    (age,) = [f for f in collector.collect() if f.name == "wikiledger_last_success_age_seconds"]
    assert age.samples[0].value == 42.5
    never = ServiceCollector(worker(Metrics()), FakeQueue(0), logged_in)  # type: ignore[arg-type]
    (age,) = [f for f in never.collect() if f.name == "wikiledger_last_success_age_seconds"]
    assert age.samples[0].value == -1


def test_numbers_are_read_at_each_scrape_and_apps_do_not_share_a_registry() -> None:
    metrics = Metrics()
    first, second = (
        build_registry(worker(metrics), FakeQueue(0), logged_in),
        build_registry(worker(Metrics()), FakeQueue(0), logged_in),
    )  # type: ignore[arg-type]
    metrics.syncs = 9
    assert read(render_metrics(first))["wikiledger_syncs_total"] == ("counter", 9)
    assert read(render_metrics(second))["wikiledger_syncs_total"] == ("counter", 0)


def test_the_content_type_is_the_classic_text_format() -> None:
    assert CONTENT_TYPE == "text/plain; version=0.0.4; charset=utf-8"
