"""The dev wiki's error-log check leaves out SQLite write contention, and only that."""

from __future__ import annotations

from devwiki.mediawiki import _without_lock_contention

LOCKED = (
    "2026-12-03 13:28:15 vm wiki: [a1] /index.php/P   Wikimedia\\Rdbms\\DBQueryError: "
    "Error 5: database is locked\nFunction: LinksUpdate::updateLinksTimestamp\n#0 x\n"
)
PAGE_LOCK = (
    "2026-12-03 13:28:17 vm wiki: [c3] /api.php   RuntimeException: Could not acquire lock "
    "for page ID '102'.\n#0 z\n"
)
OTHER = "2026-12-03 13:28:16 vm wiki: [b2] /api.php   RuntimeException: boom\n#0 y\n"


def test_contention_entries_are_left_out_and_every_other_entry_is_kept() -> None:
    assert _without_lock_contention(LOCKED + OTHER + PAGE_LOCK) == OTHER
    assert _without_lock_contention(LOCKED + PAGE_LOCK) == ""
    assert _without_lock_contention(OTHER) == OTHER


def test_a_contention_message_deeper_in_an_entry_does_not_hide_it() -> None:
    # only the entry's first line (the exception itself) decides
    hidden = (
        "2026-12-03 13:28:18 vm wiki: [d4] /api.php   TypeError: oops\n"
        "#0 Error 5: database is locked in a comment\n"
    )
    assert _without_lock_contention(hidden) == hidden
