"""A progress bar for long syncs, drawn on a terminal only: silent in logs, pipes and services.

The CLI gives one to the engine (`engine.progress`); each call redraws a single stderr line
with `\\r`: what the sync is doing, how far it is and a bar. Redraws are limited to ten a
second, and the line is cleared when the sync is over, so what the command prints after it
(or a log line) starts on a clean line.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TextIO

from sync.progress import LISTED, READ, WRITTEN

LABELS = {
    LISTED: "source pages listed",
    READ: "pages read",
    WRITTEN: "summary pages written",
}
BAR_WIDTH = 24
REDRAW_SECONDS = 0.1


class TerminalProgress:
    """Draws the engine's progress on STREAM when it is a terminal; does nothing otherwise."""

    def __init__(
        self,
        stream: TextIO,
        *,
        enabled: bool = True,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.stream = stream
        self.enabled = enabled and _is_terminal(stream)
        self.clock = clock
        self._last_draw = float("-inf")
        self._width = 0

    def __call__(self, step: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        now = self.clock()
        finished = done >= total
        if not finished and now - self._last_draw < REDRAW_SECONDS:
            return
        self._last_draw = now
        self._draw(render_line(step, done, total))

    def close(self) -> None:
        """Clear the line (once a sync is over, before the command prints its result)."""
        if self.enabled and self._width:
            self.stream.write("\r" + " " * self._width + "\r")
            self.stream.flush()
            self._width = 0

    def _draw(self, line: str) -> None:
        padding = " " * max(0, self._width - len(line))
        self.stream.write("\r" + line + padding)
        self.stream.flush()
        self._width = len(line)


def render_line(step: str, done: int, total: int) -> str:
    """One line: `pages read     1200/2000 [##############----------]  60 %`."""
    label = LABELS.get(step, step)
    if total <= 0:
        return f"{label:<22} {done}"
    share = min(done, total) / total
    filled = int(share * BAR_WIDTH)
    bar = "#" * filled + "-" * (BAR_WIDTH - filled)
    count = f"{done}/{total}"
    return f"{label:<22} {count:>11} [{bar}] {share:4.0%}"


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # closed or not a real stream
        return False
