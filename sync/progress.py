"""How a sync tells who runs it how far it is: a callback the engine calls at each step."""

from __future__ import annotations

from typing import Protocol

# The steps of a full sync, in order: source pages listed, read (and parsed), summary pages
# written (compared with the wiki, and saved when they changed).
LISTED = "listed"
READ = "read"
WRITTEN = "written"


class Progress(Protocol):
    """Called with a step, how many of its items are done, and how many there are in all."""

    def __call__(self, step: str, done: int, total: int) -> None: ...


def no_progress(step: str, done: int, total: int) -> None:
    """The engine's default: tell nobody (services, logs, tests)."""
