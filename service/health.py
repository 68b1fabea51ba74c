"""What the service says about itself (`/healthz`, `/metrics`, the status page): the outcome of
the last attempt to reach the wiki, why it failed, and the database files moved aside at start.

The worker reports every sync and catch-up here. A failure is current until the next success:
a catch-up that reached the wiki ends an outage (`wiki unreachable`, `login refused`) but not a
failing sync (`page refused: …`), which only a successful sync ends.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from sync.wiki import WikiError

STARTING = "first sync in progress"
SYNC_FAILED = "sync failed"
# Reasons a catch-up that reached the wiki puts an end to.
_OUTAGES = ("wiki unreachable", "login refused", "wiki error")

# The French words of the status page for each reason.
FRENCH_REASONS = {
    STARTING: "première synchronisation en cours",
    "wiki unreachable": "wiki injoignable",
    "login refused": "connexion du robot refusée",
    "wiki error": "le wiki répond par une erreur",
    SYNC_FAILED: "échec de la synchronisation",
    "not logged in": "robot non connecté",
}


def french_reason(reason: str) -> str:
    if reason.startswith("page refused: "):
        return "page refusée : " + reason.removeprefix("page refused: ")
    return FRENCH_REASONS.get(reason, reason)


def logged_in(engine: object) -> bool:
    """Whether the engine's wiki client holds a session (a fake wiki without the notion: no)."""
    return bool(getattr(getattr(engine, "wiki", None), "logged_in", False))


@dataclass
class Health:
    """Current state; written by the worker thread, read by request handlers."""

    ok: bool = False  # the last attempt succeeded
    reason: str = STARTING  # why not ok; "" when ok
    error: str = ""  # the current failure's message (what to fix); "" when ok
    since: float = field(default_factory=time.time)  # when the current state began
    recovered: list[Path] = field(default_factory=list)  # corrupted files moved aside at start
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def succeeded(self) -> None:
        """A sync succeeded: every failure is over."""
        with self._lock:
            if not self.ok:
                self.ok, self.reason, self.error, self.since = True, "", "", time.time()

    def reached_wiki(self) -> None:
        """A catch-up reached the wiki: an outage is over, a failing sync is not."""
        with self._lock:
            if not self.ok and self.reason in _OUTAGES:
                self.ok, self.reason, self.error, self.since = True, "", "", time.time()

    def failed(self, err: BaseException) -> None:
        reason = err.reason if isinstance(err, WikiError) else SYNC_FAILED
        with self._lock:
            if self.ok or self.reason != reason:
                self.since = time.time()
            self.ok, self.reason, self.error = False, str(reason), str(err) or type(err).__name__

    def check(self, logged_in: bool) -> tuple[bool, str]:
        """(healthy, reason): healthy when the last attempt succeeded and the bot is logged in."""
        with self._lock:
            if not self.ok:
                return False, self.reason
        if not logged_in:
            return False, "not logged in"
        return True, ""
