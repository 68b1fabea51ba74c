"""What one sync did: its edits, counts and the time spent in each of its steps."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from sync.hold import Held


@dataclass(slots=True)
class Edit:
    title: str
    summary: str
    rev_id: int = 0
    diff: str = ""


@dataclass(slots=True)
class SyncResult:
    kind: str  # "full" | "pages" | "dry-run"
    started: float
    duration: float = 0.0
    pages_listed: int = 0
    pages_read: int = 0
    pages_removed: int = 0
    edits: list[Edit] = field(default_factory=list)
    requests: int = 0
    problems: int = 0
    errors: int = 0
    phases: dict[str, float] = field(default_factory=dict)  # seconds per step, for benchmarks
    held: list[Held] = field(default_factory=list)  # pages not written, and why (sync.hold)

    @property
    def refused(self) -> list[Held]:
        """The pages the wiki refused to save (retried with backoff by the worker)."""
        return [held for held in self.held if held.kind == "refused"]

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        """Add the time spent in the block to the phase `name` (a phase may run many times,
        e.g. once per batch of pages; each thread times its own phases)."""
        started = time.perf_counter()
        try:
            yield
        finally:
            self.phases[name] = self.phases.get(name, 0.0) + time.perf_counter() - started
