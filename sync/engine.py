"""The sync engine: the flow of one sync, over a wiki port, a parse cache and a writer.

One sync: resolve redirects to our templates -> list the pages that transclude them (revision
ids only, one query for all the templates) -> read and parse only pages whose revision is not
in the cache -> compute the ledgers (pure) -> plan and render the summary pages -> write only
the pages whose generated part changed (`sync.writer`).

Waiting for the wiki is overlapped with work: a batch of pages is parsed while the wiki serves
the next one, and a summary page is rendered while the wiki saves the previous one (the cache
of parsed pages is saved then too). The first sync, with nothing cached, lists pages without
their revision ids: the content read right after brings them. A sync changes no setting of the
interpreter: the service's other threads share them.
"""

from __future__ import annotations

import datetime
import logging
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor

from ledger.record import Problem, Records
from parsers.card import CardCall
from parsers.page import parse_page_cards
from render.compute import Computation
from render.config import SyncConfig
from render.incremental import IncrementalComputer
from render.plan import RenderMemo, plan_pages, plan_retired, unsettled
from sync.cache import ParseCache, parser_fingerprint
from sync.card_refresh import newest_revision, purge_titles, wait_for_rendered_sources
from sync.pipeline import aliases_of as _aliases
from sync.pipeline import read_batches, timed_render
from sync.port import PageInfo, PageText, WikiError, WikiPort
from sync.progress import LISTED, READ, WRITTEN, Progress, no_progress
from sync.result import Edit, SyncResult
from sync.state import ParsedPage, StateStore, WrittenPage
from sync.writer import Writer

__all__ = ["Edit", "SyncEngine", "SyncResult", "read_batches"]

log = logging.getLogger(__name__)


class SyncEngine:
    """Owns one wiki connection and one state store; never runs two syncs at once."""

    def __init__(
        self,
        wiki: WikiPort,
        state: StateStore,
        config: SyncConfig,
        *,
        today: Callable[[], datetime.date] = datetime.date.today,
    ) -> None:
        self.wiki = wiki
        self.state = state
        self.config = config
        self.today = today
        self.lock = threading.Lock()
        self.last: Computation | None = None
        self.cache = ParseCache(state)
        self._aliases: dict[str, str] | None = None
        # other templates that call ours (listed as transcluding them): reported where used
        self._bearers: frozenset[str] = frozenset()
        self._render_memo: RenderMemo = {}  # unchanged pages are not rendered again
        self._incremental = IncrementalComputer(config)  # the pieces of the last computation
        self._known: dict[str, WrittenPage] | None = None  # the writer's, kept between syncs
        # {title: generated text} the wiki is known to hold since our last write or check
        self._settled: dict[str, str] = {}
        # Told how far a full sync is (the CLI draws a bar on a terminal); no-op by default.
        self.progress: Progress = no_progress
        self._newest_source: float | None = None  # newest source revision read (render.card)

    # -- public operations ------------------------------------------------------------------

    def full_sync(self, *, dry_run: bool = False, write: bool = True) -> SyncResult:
        """Read every changed source page, recompute, write the changed summary pages."""
        with self.lock:
            return self._full_sync(dry_run=dry_run, write=write)

    def sync_pages(self, titles: set[str]) -> SyncResult:
        """Re-read only the named pages (from webhook events), then recompute and write.

        A deleted page is simply not found: its declarations leave the ledger. A moved page
        keeps its page id, so its declarations follow it to the new title.
        """
        with self.lock:
            if self._aliases is None or any(self._is_template(t) for t in titles):
                self._aliases = self._template_aliases()
                # a template that calls ours may have been made: its callers are then
                # parsed again (the fingerprint changes)
                self._bearers = self._other_templates(
                    self.wiki.transcluding_templates(self.config.template_titles())
                )
            fingerprint = parser_fingerprint(self.config, self._aliases, self._bearers)
            if set(self.cache.revisions(fingerprint)) != set(self.cache.pages()):
                return self._full_sync(dry_run=False, write=True)  # parser or redirects changed
            result = SyncResult("pages", time.time())
            start_requests = self.wiki.requests
            wanted = {t for t in titles if not self.config.pages.is_output(t)}
            with result.phase("fetch"):
                found = self.wiki.fetch_titles(wanted) if wanted else {}
            by_title = {page.title: page_id for page_id, page in self.cache.pages().items()}
            gone = {by_title[t] for t in wanted if t not in found and t in by_title}
            self.cache.delete(gone)
            with result.phase("parse"):
                self._store_parsed(list(found.values()), fingerprint)
            result.pages_read, result.pages_removed = len(found), len(gone)
            self._finish(
                result, dry_run=False, write=True, start_requests=start_requests, live=True
            )
            if any(self.config.pages.is_card_data(edit.title) for edit in result.edits):
                self._purge_cards(found)
            return result

    def _purge_cards(self, found: dict[str, PageText]) -> None:
        """Re-render the pages just read whose cards got new feedback (render.card.purge_titles)."""
        titles = purge_titles(found.values(), self.cache.pages())
        if not titles:
            return
        try:
            self.wiki.purge(titles)
        except WikiError as error:  # the data is written: the cards follow with the job queue
            log.warning("could not purge %d pages with cards: %s", len(titles), error)

    def compute(self) -> Computation:
        """Compute from the parsed pages only (no wiki access): what `compute_all` gives,
        recomputing only what the pages changed since the last time touch."""
        pages = sorted(self.cache.pages().values(), key=lambda p: (p.title, p.page_id))
        computation = self._incremental.compute(pages, self.today())
        self.last = computation
        self.cache.changed = False
        return computation

    # -- the steps of a sync ----------------------------------------------------------------

    def _full_sync(self, *, dry_run: bool, write: bool) -> SyncResult:
        result = SyncResult("dry-run" if dry_run else "full", time.time())
        start_requests = self.wiki.requests
        with result.phase("list"):
            listed = self._list()
            fingerprint = parser_fingerprint(self.config, self._aliases or {}, self._bearers)
            cached = self.cache.revisions(fingerprint)
        self.progress(LISTED, len(listed), len(listed))
        changed = sorted(pid for pid, info in listed.items() if cached.get(pid) != info.rev_id)
        removed = set(self.cache.pages()) - set(listed)
        self.cache.delete(removed)
        result.pages_read = self._fetch_and_parse(changed, fingerprint, result)
        result.pages_listed, result.pages_removed = len(listed), len(removed)
        self._finish(result, dry_run=dry_run, write=write, start_requests=start_requests)
        return result

    def _list(self) -> dict[int, PageInfo]:
        """The source pages and their revisions; the redirects to our templates on the way."""
        titles = self.config.template_titles()
        if self.cache.pages():
            self._aliases = self._template_aliases()
            return self._sources(self.wiki.list_transclusions(titles))
        # nothing to compare yet: page ids only, their content brings the revisions
        redirects, pages = self.wiki.template_sources(titles)
        self._aliases = _aliases(redirects)
        return self._sources(pages)

    def _is_template(self, title: str) -> bool:
        return title.startswith(("Modèle:", "Template:"))

    def _template_aliases(self) -> dict[str, str]:
        """{alias template name: our template name} from the wiki's redirects."""
        return _aliases(self.wiki.template_redirects(self.config.template_titles()))

    def _sources(self, listed: dict[int, PageInfo]) -> dict[int, PageInfo]:
        """The listed pages that are sources: not template pages (they document calls), not
        our own pages. Other templates listed are remembered: their calls are reported."""
        self._bearers = self._other_templates(
            info.title for info in listed.values() if info.namespace == 10
        )
        return {
            page_id: info
            for page_id, info in listed.items()
            if info.namespace != 10 and not self.config.pages.is_output(info.title)
        }

    def _fetch_and_parse(self, page_ids: list[int], fingerprint: str, result: SyncResult) -> int:
        """Read pages batch by batch, parsing one batch while the wiki serves the next."""
        if not page_ids:
            return 0
        batches = read_batches(page_ids, self.wiki.batch_size)
        read = 0
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="wikiledger-fetch") as pool:
            pending = pool.submit(self.wiki.fetch_texts, batches[0])
            for index in range(len(batches)):
                with result.phase("fetch"):  # only the time spent waiting for the wiki
                    texts = pending.result()
                if index + 1 < len(batches):
                    pending = pool.submit(self.wiki.fetch_texts, batches[index + 1])
                with result.phase("parse"):
                    self._store_parsed(texts, fingerprint)
                read += len(texts)
                self.progress(READ, read, len(page_ids))
        return read

    def _other_templates(self, template_titles: Iterable[str]) -> frozenset[str]:
        """Names of the templates among these titles that are neither ours nor redirects to
        ours: templates that hold declarations of their own."""
        ours = {t.split(":", 1)[1] for t in self.config.template_titles()}
        ours |= set(self._aliases or {})
        names = (title.split(":", 1)[1] for title in template_titles)
        return frozenset(name for name in names if name not in ours)

    def _store_parsed(self, texts: list[PageText], fingerprint: str) -> None:
        """Parse pages into the cache (our own pages and template pages hold no records)."""
        parsed = []
        newest = newest_revision(page.timestamp for page in texts)
        if newest is not None:
            self._newest_source = max(newest, self._newest_source or newest)
        for page in texts:
            cards: tuple[CardCall, ...] = ()
            if self.config.pages.is_output(page.title) or page.namespace == 10:
                records, problems = Records(), list[Problem]()
            else:
                records, problems, cards = parse_page_cards(
                    page.title,
                    page.text,
                    self.config.templates,
                    self._aliases or {},
                    self._bearers,
                )
            parsed.append(
                ParsedPage(page.page_id, page.title, page.rev_id, records, problems, cards)
            )
        self.cache.put(parsed, fingerprint)

    def _finish(
        self,
        result: SyncResult,
        *,
        dry_run: bool,
        write: bool,
        start_requests: int,
        live: bool = False,
    ) -> None:
        try:
            with result.phase("compute"):
                last = self.last
                reuse = last is not None and not self.cache.changed and last.today == self.today()
                computation = last if reuse and last is not None else self.compute()
            result.problems = len(computation.problems)
            result.errors = sum(1 for p in computation.problems if p.severity == "error")
            if write:
                result.edits = self._write_outputs(computation, result, dry_run=dry_run, live=live)
        finally:
            self.cache.flush()  # when no write phase did it, or it stopped early
        result.requests = self.wiki.requests - start_requests
        result.duration = time.time() - result.started
        log.info(
            "sync %s: %d listed, %d read, %d removed, %d edits, %d problems, %d requests, %.2fs",
            result.kind,
            result.pages_listed,
            result.pages_read,
            result.pages_removed,
            len(result.edits),
            result.problems,
            result.requests,
            result.duration,
        )

    def _write_outputs(
        self, computation: Computation, result: SyncResult, *, dry_run: bool, live: bool = False
    ) -> list[Edit]:
        """Write each output page whose generated part changed, and retire the pages we wrote
        that have nothing left to show.

        A second thread renders the pages in order, then saves the cache of parsed pages,
        while this one reads the current pages and saves each rendered page in turn. A live
        sync leaves alone the pages whose data did not change and whose text the wiki got
        from us (a full sync looks at every page, and puts back what people changed there).
        """
        writer = Writer(
            self.wiki,
            self.state,
            retries=self.config.edit_retries,
            advance=self.cache.advance,
            known=None if dry_run else self._known,
        )
        if not dry_run:
            self._known = writer.known
        planned = plan_pages(computation, self.config, self._render_memo)
        gone = writer.known.keys() - {page.title for page in planned}
        planned += plan_retired(gone, computation, self.config)
        if live:
            planned = unsettled(planned, self._settled)
        else:  # a full sync saves the cards' data last: each shard saved makes MediaWiki
            # render again every page filed in it, work that slows the saves after it
            planned.sort(key=lambda page: self.config.pages.is_card_data(page.title))
        edits: list[Edit] = []
        with (
            result.phase("write"),
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="wikiledger-render") as pool,
        ):
            rendered = [pool.submit(timed_render, page, result) for page in planned]
            saving = pool.submit(self.cache.flush)
            try:
                writer.look([page.title for page in planned])
                for done, future in enumerate(rendered, 1):
                    with result.phase("render_wait"):  # the writes waiting for the render thread
                        output = future.result()
                    if not dry_run and self.config.pages.is_card_data(output.title):
                        wait_for_rendered_sources(self._newest_source)
                    self._settled.pop(output.title, None)
                    edit = writer.write(output, dry_run=dry_run)
                    if not dry_run:
                        self._settled[output.title] = output.generated
                    if edit is not None:
                        edits.append(edit)
                    self.progress(WRITTEN, done, len(rendered))
            finally:
                for future in rendered:
                    future.cancel()  # after an error, render no further
            saving.result()  # raises if the cache could not be saved
        return edits
