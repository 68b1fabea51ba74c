"""The cache of parsed pages: in memory for the life of the engine, in the state store across
restarts, keyed by page and revision, and tied to everything that shapes a parsed page.

A cached page is only as good as the code that made it, so each one carries a fingerprint
`FORMAT:CONFIG`. FORMAT (`cache_format`) hashes the source of the parsers and of the record
classes (`ledger/record.py`: every class a parsed page holds comes from there, a test checks
it), with `STORAGE`, the version of what is pickled: a cache written by any other code is
discarded unread and rebuilt. CONFIG hashes the template names and the wiki's redirects to
them: when those change, pages are parsed again.
"""

from __future__ import annotations

import hashlib
import sys
import threading
from collections.abc import Iterable
from dataclasses import replace
from functools import cache
from pathlib import Path

from render.config import SyncConfig
from sync.state import ParsedPage, StateStore

STORAGE = 1  # bump when what is stored for a page changes (the pickled tuple, its order)

_ROOT = Path(__file__).resolve().parents[1]


def shaping_sources(root: Path = _ROOT) -> list[Path]:
    """The source files whose code shapes a parsed page: the parsers and the record classes."""
    return [*sorted((root / "parsers").glob("*.py")), root / "ledger" / "record.py"]


def source_digest(paths: Iterable[Path]) -> str:
    digest = hashlib.sha256(f"{STORAGE}|{sys.version_info[:2]}".encode())
    for path in paths:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


@cache
def cache_format() -> str:
    """The format of this code's parsed pages, hashed once per process: it cannot change
    while we run."""
    return source_digest(shaping_sources())


def parser_fingerprint(
    config: SyncConfig, aliases: dict[str, str], bearers: frozenset[str] = frozenset()
) -> str:
    """Changes when the parser code, the record classes, the template names, the user
    namespaces, the redirects or the other templates that hold declarations change."""
    digest = hashlib.sha256(repr((config.templates, config.user_namespaces)).encode())
    digest.update(repr(sorted(aliases.items())).encode())
    if bearers:
        digest.update(repr(sorted(bearers)).encode())
    return f"{cache_format()}:{digest.hexdigest()[:16]}"


class ParseCache:
    """The parsed pages by page id. Pages parsed during a sync are in memory at once and reach
    the state store when `flush` is called (from any thread), so that saving them overlaps
    with the wiki's work."""

    def __init__(self, state: StateStore) -> None:
        self.state = state
        self.changed = True  # records changed since the engine last computed
        self._pages: dict[int, ParsedPage] | None = None  # loaded on first use
        # `ordered`'s list and each page's place in it (None: to sort again)
        self._order: list[ParsedPage] | None = None
        self._places: dict[int, int] = {}
        self._unsaved: list[tuple[ParsedPage, str]] = []
        self._lock = threading.Lock()

    def pages(self) -> dict[int, ParsedPage]:
        if self._pages is None:
            loaded = self.state.load_pages(cache_format())
            self._pages = {page.page_id: page for page in loaded}
        return self._pages

    def ordered(self) -> list[ParsedPage]:
        """The pages by title (then id): the order their records are merged in. Kept from
        one call to the next and sorted again only when a page came, went or was renamed (a
        live sync at 5× the benchmark's size sorted 10,000 pages each time)."""
        if self._order is None:
            self._order = sorted(self.pages().values(), key=lambda p: (p.title, p.page_id))
            self._places = {page.page_id: place for place, page in enumerate(self._order)}
        return list(self._order)

    def _replaced(self, page: ParsedPage, old: ParsedPage | None) -> None:
        """Keep `ordered` up to date: PAGE took OLD's place (OLD None: a new page)."""
        if self._order is None:
            return
        if old is None or old.title != page.title:
            self._order = None
        else:
            self._order[self._places[page.page_id]] = page

    def revisions(self, fingerprint: str) -> dict[int, int]:
        """{page id: revision id} of the stored pages parsed with this fingerprint."""
        return self.state.revisions(fingerprint)

    def put(self, parsed: list[ParsedPage], fingerprint: str) -> None:
        """Hold newly parsed pages (in memory now, in the store at the next `flush`)."""
        pages = self.pages()
        for page in parsed:
            old = pages.get(page.page_id)
            if old is None or (old.title, old.records, old.problems, old.cards) != (
                page.title,
                page.records,
                page.problems,
                page.cards,
            ):
                self.changed = True
            pages[page.page_id] = page
            self._replaced(page, old)
        with self._lock:
            self._unsaved.extend((page, fingerprint) for page in parsed)

    def delete(self, page_ids: set[int]) -> None:
        if page_ids:
            self.state.delete_pages(page_ids)
            pages = self.pages()
            for page_id in page_ids:
                pages.pop(page_id, None)
            self._order = None
            self.changed = True

    def flush(self) -> None:
        """Save the pages parsed since the last call to the state store (any thread)."""
        with self._lock:  # held while saving, so that `advance` cannot slip in between
            unsaved, self._unsaved = self._unsaved, []
            by_fingerprint: dict[str, list[ParsedPage]] = {}
            for page, fingerprint in unsaved:
                by_fingerprint.setdefault(fingerprint, []).append(page)
            for fingerprint, pages in by_fingerprint.items():
                self.state.save_pages(pages, fingerprint)

    def advance(self, page_id: int, old_rev_id: int, new_rev_id: int) -> None:
        """Our own save changed only the generated part of a source page (a statement page),
        which the parser never reads: its records stay, at the new revision (in memory, in
        the store, and in what is still to be saved)."""
        with self._lock:
            self._unsaved = [
                (replace(page, rev_id=new_rev_id), fingerprint)
                if (page.page_id, page.rev_id) == (page_id, old_rev_id)
                else (page, fingerprint)
                for page, fingerprint in self._unsaved
            ]
            self.state.advance_revision(page_id, old_rev_id, new_rev_id)
        pages = self.pages()
        page = pages.get(page_id)
        if page is not None and page.rev_id == old_rev_id:
            pages[page_id] = replace(page, rev_id=new_rev_id)
            self._replaced(pages[page_id], page)
