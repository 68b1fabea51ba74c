"""The objects one running service holds: engine, queue, worker, secrets, metrics registry."""

from __future__ import annotations

from dataclasses import dataclass

from prometheus_client import CollectorRegistry

from service.queue import JobQueue
from service.settings import Settings
from service.worker import Worker
from sync.engine import SyncEngine


@dataclass
class Runtime:
    settings: Settings
    engine: SyncEngine
    queue: JobQueue
    worker: Worker
    webhook_secret: bytes
    api_token: str  # empty: POST /api/sync is disabled
    metrics: CollectorRegistry  # what /metrics exposes (service.metrics)
    read_token: str = ""  # empty: the API, exports, metrics and status page are open
