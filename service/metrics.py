"""`/metrics`: the worker's counters and the queue depth, exposed through `prometheus-client`.

The numbers live where they are kept (the worker's `Metrics`, the queue file); a collector reads
them at each scrape into a registry of the app's own, made by `create_app()` (the package's
global registry is never used, so that two apps in one process, as in the tests, never mix).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

from prometheus_client import CollectorRegistry
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4, generate_latest

from service.queue import JobQueue
from service.worker import Worker

CONTENT_TYPE = CONTENT_TYPE_PLAIN_0_0_4  # the text format every Prometheus version reads


class ServiceCollector:
    """Reads the service's numbers at each scrape."""

    def __init__(
        self,
        worker: Worker,
        queue: JobQueue,
        logged_in: Callable[[], bool],
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.worker = worker
        self.queue = queue
        self.logged_in = logged_in
        self.clock = clock

    def collect(self) -> Iterator[Metric]:
        m, health = self.worker.metrics, self.worker.health
        bot_logged_in = self.logged_in()
        healthy, reason = health.check(bot_logged_in)
        yield GaugeMetricFamily(
            "wikiledger_queue_depth", "Jobs waiting in the durable queue.", self.queue.depth()
        )
        yield CounterMetricFamily("wikiledger_syncs", "Syncs completed.", m.syncs)
        yield CounterMetricFamily(
            "wikiledger_sync_seconds", "Time spent in syncs.", round(m.sync_seconds, 6)
        )
        yield CounterMetricFamily("wikiledger_edits", "Pages saved on the wiki.", m.edits)
        yield CounterMetricFamily(
            "wikiledger_failures", "Syncs or catch-ups that failed.", m.failures
        )
        yield CounterMetricFamily(
            "wikiledger_webhooks_accepted", "Webhooks accepted.", m.webhooks_accepted
        )
        yield CounterMetricFamily(
            "wikiledger_webhooks_refused", "Webhooks refused.", m.webhooks_refused
        )
        yield GaugeMetricFamily(
            "wikiledger_last_success_timestamp_seconds",
            "Unix time of the last successful sync.",
            round(m.last_success, 3),
        )
        age = round(self.clock() - m.last_success, 3) if m.last_success else -1
        yield GaugeMetricFamily(
            "wikiledger_last_success_age_seconds",
            "Seconds since the last successful sync (-1: none yet).",
            age,
        )
        yield GaugeMetricFamily("wikiledger_healthy", "1 when /healthz answers 200.", int(healthy))
        yield GaugeMetricFamily(
            "wikiledger_bot_logged_in", "1 while the bot holds a session.", int(bot_logged_in)
        )
        yield GaugeMetricFamily(
            "wikiledger_wiki_unreachable",
            "1 while the wiki does not answer.",
            int(reason == "wiki unreachable"),
        )
        yield GaugeMetricFamily(
            "wikiledger_login_refused",
            "1 while the wiki refuses the bot's login.",
            int(reason == "login refused"),
        )
        yield GaugeMetricFamily(
            "wikiledger_page_refused",
            "1 while the last sync failed on a page the wiki refused.",
            int(reason.startswith("page refused")),
        )
        yield GaugeMetricFamily(
            "wikiledger_databases_recovered",
            "Corrupted database files moved aside at start.",
            len(health.recovered),
        )


def build_registry(
    worker: Worker, queue: JobQueue, logged_in: Callable[[], bool]
) -> CollectorRegistry:
    """A registry of the app's own, holding the service's collector."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(ServiceCollector(worker, queue, logged_in))
    return registry


def render_metrics(registry: CollectorRegistry) -> bytes:
    """The Prometheus text exposition of the registry."""
    return generate_latest(registry)
