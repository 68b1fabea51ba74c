"""The objects one running service holds: engine, queue, worker, secrets."""

from __future__ import annotations

from dataclasses import dataclass

from sync.engine import SyncEngine

from service.queue import JobQueue
from service.settings import Settings
from service.worker import Worker


@dataclass
class Runtime:
    settings: Settings
    engine: SyncEngine
    queue: JobQueue
    worker: Worker
    webhook_secret: bytes
    api_token: str  # empty: POST /api/sync is disabled
