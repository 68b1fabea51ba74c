"""The sync engine: the flow of one sync, over a wiki port, a parse cache and a writer.

One sync: resolve redirects to our templates -> list the pages that transclude them (revision
ids only, one query for all the templates) -> read and parse only pages whose revision is not
in the cache -> compute the ledgers (pure) -> plan and render the summary pages -> write only
the pages whose generated part changed (`sync.publish`, `sync.writer`) -> the circles
`{{Contribution}}`'s form suggests, when they changed (`sync.suggestions`).

Summary pages are computed only from a complete view: a sync of named pages on a state that
never finished a full sync of this wiki, that was deleted or replaced while the service runs,
or that holds revisions newer than the wiki's, is a full sync instead.

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
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from zoneinfo import ZoneInfo

from render.compute import Computation
from render.config import SyncConfig
from render.incremental import IncrementalComputer
from render.plan import RenderMemo
from sync.batches import read_batches
from sync.cache import ParseCache
from sync.card_refresh import newest_revision, purge_cards
from sync.keeper import HistoryKeeper
from sync.pipeline import compute_pages, older
from sync.port import PageText, WikiPort
from sync.progress import LISTED, READ, Progress, no_progress
from sync.publish import stored_holds, with_holds, write_outputs
from sync.result import Edit, SyncResult
from sync.sources import Sources
from sync.state import COMPLETE_KEY, GENERATION_KEY, ParsedPage, StateStore, WrittenPage
from sync.suggestions import CircleSuggestions

__all__ = ["Edit", "SyncEngine", "SyncResult"]

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
        self.holds = stored_holds(self)  # pages held back by the last sync (sync.hold)
        self.keeper = HistoryKeeper(wiki, state.path, config.governance, ZoneInfo(config.timezone))
        self.sources = Sources(wiki, config)  # which pages are sources, and their parse
        self.render_memo: RenderMemo = {}  # unchanged pages are not rendered again
        self._incremental = IncrementalComputer(config)  # the pieces of the last computation
        self.known: dict[str, WrittenPage] | None = None  # the writer's, kept between syncs
        # {title: generated text} the wiki is known to hold since our last write or check
        self.settled: dict[str, str] = {}
        # Told how far a full sync is (the CLI draws a bar on a terminal); no-op by default.
        self.progress: Progress = no_progress
        self.newest_source: float | None = None  # newest source revision read (render.card)
        self.suggestions = CircleSuggestions(wiki, config)  # the form's circles (TemplateData)

    # -- public operations ------------------------------------------------------------------

    def full_sync(
        self, *, dry_run: bool = False, write: bool = True, rebuild: bool = False
    ) -> SyncResult:
        """Read every changed source page, recompute, write the changed summary pages.

        `rebuild`: read the whole revision history of the source pages again (it is read on a
        first sync anyway, and kept afterwards)."""
        with self.lock:
            self._check_state()
            return self._full_sync(dry_run=dry_run, write=write, rebuild=rebuild)

    @property
    def complete(self) -> bool:
        """Whether the parse cache holds every source page of this wiki (a full sync read them
        into this state store), so that summary pages may be computed from it."""
        identity = str(getattr(self.wiki, "url", ""))
        return self.state.complete_for() == identity and bool(self.cache.pages())

    @property
    def generation(self) -> str:
        """Changes at every sync (`StateStore.renew_generation`); "" for a new state."""
        return self.state.get_meta(GENERATION_KEY) or ""

    def _check_state(self) -> None:
        """The state file deleted or replaced while the service runs: open what is there now
        (the next sync is then a full one, see `complete`)."""
        if not self.state.replaced():
            return
        log.warning("the state database %s was deleted or replaced: reopened", self.state.path)
        self.state.reopen()
        self.cache = ParseCache(self.state)
        self.last, self.sources.aliases, self.render_memo = None, None, {}
        self._incremental, self.known, self.settled = IncrementalComputer(self.config), None, {}
        self.holds = stored_holds(self)
        self.keeper = HistoryKeeper(
            self.wiki, self.state.path, self.config.governance, ZoneInfo(self.config.timezone)
        )

    def sync_pages(self, titles: set[str]) -> SyncResult:
        """Re-read only the named pages (from webhook events), then recompute and write.

        A deleted page is simply not found: its declarations leave the ledger. A moved page
        keeps its page id, so its declarations follow it to the new title.
        """
        with self.lock:
            self._check_state()
            if not self.complete:  # a new, emptied or replaced state: never publish from it
                log.warning("the state holds no complete view of the wiki: a full sync first")
                return self._full_sync(dry_run=False, write=True)
            self.sources.follow(titles)
            fingerprint = self.sources.fingerprint()
            cached = set(self.cache.revisions(fingerprint))
            # parser or redirects changed, or no history stored: a full sync reads it all
            if cached != set(self.cache.pages()) or not self.keeper.load(fingerprint):
                return self._full_sync(dry_run=False, write=True)
            result = SyncResult("pages", time.time())
            start_requests = self.wiki.requests
            wanted = {t for t in titles if not self.config.pages.is_output(t)}
            with result.phase("fetch"):
                found = self.wiki.fetch_titles(wanted) if wanted else {}
            if older(found.values(), self.cache.pages()):  # a state from another time or wiki
                log.warning("the state holds revisions the wiki does not: a full sync first")
                self.state.set_meta(COMPLETE_KEY, None)
                return self._full_sync(dry_run=False, write=True)
            by_title = {page.title: page_id for page_id, page in self.cache.pages().items()}
            gone = {by_title[t] for t in wanted if t not in found and t in by_title}
            self.cache.delete(gone)
            self.keeper.forget(gone)
            with result.phase("parse"):
                self._store_parsed(list(found.values()), fingerprint)
            result.pages_read, result.pages_removed = len(found), len(gone)
            self._finish(
                result, dry_run=False, write=True, start_requests=start_requests, live=True
            )
            if any(self.config.pages.is_card_data(edit.title) for edit in result.edits):
                purge_cards(self.wiki, found.values(), self.cache.pages())
            return result

    def compute(self, *, defer: bool = False) -> Computation:
        """Compute from the parsed pages only (no wiki access): `sync.pipeline.compute_pages`
        (the records judged with their history, or kept incrementally when there is none).
        `defer`: the cards and statements are left for `Computation.complete`."""
        pages = self.cache.ordered()
        computation = compute_pages(
            self.keeper, self._incremental, pages, today=self.today(), defer=defer
        )
        with_holds(computation, {}, self.holds)  # the pages the last sync could not write
        self.last = computation
        self.cache.changed = False
        return computation

    # -- the steps of a sync ----------------------------------------------------------------

    def _full_sync(self, *, dry_run: bool, write: bool, rebuild: bool = False) -> SyncResult:
        result = SyncResult("dry-run" if dry_run else "full", time.time())
        start_requests = self.wiki.requests
        with result.phase("list"):
            listed = self.sources.list(first=not self.cache.pages())
            fingerprint = self.sources.fingerprint()
            cached = self.cache.revisions(fingerprint)
        self.progress(LISTED, len(listed), len(listed))
        changed = sorted(pid for pid, info in listed.items() if cached.get(pid) != info.rev_id)
        removed = set(self.cache.pages()) - set(listed)
        self.cache.delete(removed)
        self.keeper.forget(removed)
        self.keeper.refresh_group()
        with result.phase("history"):  # a first sync or a rebuild: every revision, read once
            latest = self.keeper.first_read(
                listed, fingerprint, self.sources.records, rebuild=rebuild
            )
        if latest:  # each page's latest revision came with it: not read again
            with result.phase("parse"):
                self._store_parsed(list(latest.values()), fingerprint)
            result.pages_read = len(latest)
            changed = [page_id for page_id in changed if page_id not in latest]
            self.progress(READ, len(latest), len(latest) + len(changed))
        result.pages_read += self._fetch_and_parse(
            changed, fingerprint, result, done=result.pages_read
        )
        result.pages_listed, result.pages_removed = len(listed), len(removed)
        self._finish(result, dry_run=dry_run, write=write, start_requests=start_requests)
        identity = str(getattr(self.wiki, "url", ""))
        if self.state.complete_for() != identity:  # every source page is in the cache now
            self.state.set_meta(COMPLETE_KEY, identity)
        return result

    def _fetch_and_parse(
        self, page_ids: list[int], fingerprint: str, result: SyncResult, *, done: int = 0
    ) -> int:
        """Read pages batch by batch, parsing one batch while the wiki serves the next (`done`:
        pages already read by this sync, for the progress)."""
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
                self.progress(READ, done + read, done + len(page_ids))
        return read

    def _store_parsed(self, texts: list[PageText], fingerprint: str) -> None:
        """Parse pages into the cache, and follow their records' history."""
        parsed = []
        newest = newest_revision(page.timestamp for page in texts)
        if newest is not None:
            self.newest_source = max(newest, self.newest_source or newest)
        for page in texts:
            records, problems, cards = self.sources.parse(page.title, page.namespace, page.text)
            parsed.append(
                ParsedPage(page.page_id, page.title, page.rev_id, records, problems, cards)
            )
            self.keeper.advance(
                page.page_id,
                page.revision(),
                records,
                self.sources.records,
                parent_id=page.parent_id,
            )
        self.sources.forget_parses()
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
                computation = last if reuse and last is not None else self.compute(defer=live)
            result.problems = len(computation.problems)
            result.errors = sum(1 for p in computation.problems if p.severity == "error")
            if write:
                result.edits = write_outputs(self, computation, result, dry_run=dry_run, live=live)
        finally:
            self.cache.flush()  # when no write phase did it, or it stopped early
            self.keeper.save()
        if not dry_run:
            self.state.renew_generation()
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
