"""The objects one running service holds: engine, queue, worker, secrets."""

from __future__ import annotations

from dataclasses import dataclass

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
    read_token: str = ""  # empty: the API, exports, metrics and status page are open
