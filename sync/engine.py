"""The sync engine: list source pages, parse what changed, compute, write what changed.

One sync: resolve redirects to our templates -> list the pages that transclude them (revision
ids only, one query for all the templates) -> read and parse only pages whose revision is not
in the cache -> compute the ledgers (pure) -> render the summary pages -> write only the pages
whose generated part changed, each as a bot edit based on the revision it was read at.

Waiting for the wiki is overlapped with work: a batch of pages is parsed while the wiki serves
the next one, and a summary page is rendered while the wiki saves the previous one (the cache
of parsed pages is saved then too). The first sync, with nothing cached, lists pages without
their revision ids: the content read right after brings them.
"""

from __future__ import annotations

import datetime
import difflib
import gc
import hashlib
import logging
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path

from ledger.record import Problem, Records
from parsers.card import CardCall
from parsers.marker import extract_generated, splice_generated
from parsers.page import parse_page_cards
from sync.card import newest_revision, purge_titles, wait_for_rendered_sources
from sync.compute import Computation, compute_all
from sync.config import SyncConfig
from sync.output import OutputPage, PlannedPage, RenderMemo, plan_pages, plan_retired
from sync.render import without_timestamp
from sync.state import ParsedPage, StateStore, WrittenPage
from sync.wiki import EditConflict, PageInfo, PageText, WikiClient, WikiError

log = logging.getLogger(__name__)

_PARSERS = Path(__file__).resolve().parents[1] / "parsers"
# While a sync overlaps I/O with parsing or rendering, the thread that waits for the wiki must get
# the GIL back quickly each time data arrives; with Python's default 5 ms switch interval it
# waits behind the busy thread for every chunk of a response (the "convoy effect").
_SWITCH_INTERVAL = 0.0005


@cache
def _parser_code_digest() -> bytes:
    """The parser's source, hashed once per process: it cannot change while we run."""
    digest = hashlib.sha256()
    for path in sorted(_PARSERS.glob("*.py")):
        digest.update(path.read_bytes())
    return digest.digest()


def parser_fingerprint(config: SyncConfig, aliases: dict[str, str]) -> str:
    """Changes when the parser code, the template names or the redirects change."""
    digest = hashlib.sha256(_parser_code_digest())
    digest.update(repr(config.templates).encode())
    digest.update(repr(sorted(aliases.items())).encode())
    return digest.hexdigest()[:16]


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


class SyncEngine:
    """Owns one wiki connection and one state store; never runs two syncs at once."""

    def __init__(
        self,
        wiki: WikiClient,
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
        self._aliases: dict[str, str] | None = None
        self._pages: dict[int, ParsedPage] | None = None  # the parsed pages, loaded once
        self._dirty = True  # records changed since `last` was computed
        self._render_memo: RenderMemo = {}  # unchanged pages are not rendered again
        self._unsaved: list[tuple[ParsedPage, str]] = []  # parsed, not yet in the state store
        self._save_lock = threading.Lock()
        self._newest_source: float | None = None  # newest source revision read (sync.card)

    # -- public operations ------------------------------------------------------------------

    def full_sync(self, *, dry_run: bool = False, write: bool = True) -> SyncResult:
        """Read every changed source page, recompute, write the changed summary pages."""
        with self.lock, _sync_runtime():
            return self._full_sync(dry_run=dry_run, write=write)

    def _full_sync(self, *, dry_run: bool, write: bool) -> SyncResult:
        result = SyncResult("dry-run" if dry_run else "full", time.time())
        start_requests = self.wiki.requests
        with _phase(result, "list"):
            titles = self.config.template_titles()
            if self._memory():
                self._aliases = self._template_aliases()
                listed = self._sources(self.wiki.list_transclusions(titles))
            else:  # nothing to compare yet: page ids only, their content brings the revisions
                redirects, pages = self.wiki.template_sources(titles)
                self._aliases = _aliases(redirects)
                listed = self._sources(pages)
            fingerprint = parser_fingerprint(self.config, self._aliases)
            cached = self.state.revisions(fingerprint)
        changed = sorted(pid for pid, info in listed.items() if cached.get(pid) != info.rev_id)
        removed = set(self._memory()) - set(listed)
        self._delete(removed)
        result.pages_read = self._fetch_and_parse(changed, fingerprint, result)
        result.pages_listed, result.pages_removed = len(listed), len(removed)
        self._finish(result, dry_run=dry_run, write=write, start_requests=start_requests)
        return result

    def _fetch_and_parse(self, page_ids: list[int], fingerprint: str, result: SyncResult) -> int:
        """Read pages batch by batch, parsing one batch while the wiki serves the next."""
        if not page_ids:
            return 0
        batches = read_batches(page_ids, self.wiki.batch_size)
        read = 0
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="wikiledger-fetch") as pool:
            pending = pool.submit(self.wiki.fetch_texts, batches[0])
            for index in range(len(batches)):
                with _phase(result, "fetch"):  # only the time spent waiting for the wiki
                    texts = pending.result()
                if index + 1 < len(batches):
                    pending = pool.submit(self.wiki.fetch_texts, batches[index + 1])
                with _phase(result, "parse"):
                    self._store_parsed(texts, fingerprint)
                read += len(texts)
        return read

    def sync_pages(self, titles: set[str]) -> SyncResult:
        """Re-read only the named pages (from webhook events), then recompute and write.

        A deleted page is simply not found: its declarations leave the ledger. A moved page
        keeps its page id, so its declarations follow it to the new title.
        """
        with self.lock, _sync_runtime():
            if self._aliases is None or any(self._is_template(t) for t in titles):
                self._aliases = self._template_aliases()
            fingerprint = parser_fingerprint(self.config, self._aliases)
            if set(self.state.revisions(fingerprint)) != set(self._memory()):
                return self._full_sync(dry_run=False, write=True)  # parser or redirects changed
            result = SyncResult("pages", time.time())
            start_requests = self.wiki.requests
            wanted = {t for t in titles if not self.config.pages.is_output(t)}
            with _phase(result, "fetch"):
                found = self.wiki.fetch_titles(wanted) if wanted else {}
            by_title = {page.title: page_id for page_id, page in self._memory().items()}
            gone = {by_title[t] for t in wanted if t not in found and t in by_title}
            self._delete(gone)
            with _phase(result, "parse"):
                self._store_parsed(list(found.values()), fingerprint)
            result.pages_read, result.pages_removed = len(found), len(gone)
            self._finish(result, dry_run=False, write=True, start_requests=start_requests)
            if any(self.config.pages.is_card_data(edit.title) for edit in result.edits):
                self._purge_cards(found)
            return result

    def _purge_cards(self, found: dict[str, PageText]) -> None:
        """Re-render the pages just read whose cards got new feedback (sync.card.purge_titles)."""
        titles = purge_titles(found.values(), self._memory())
        if not titles:
            return
        try:
            self.wiki.purge(titles)
        except WikiError as error:  # the data is written: the cards follow with the job queue
            log.warning("could not purge %d pages with cards: %s", len(titles), error)

    def compute(self) -> Computation:
        """Compute from the parsed pages only (no wiki access)."""
        records = Records()
        problems: list[Problem] = []
        for page in sorted(self._memory().values(), key=lambda p: (p.title, p.page_id)):
            records.extend(page.records)
            problems.extend(page.problems)
        computation = compute_all(records, problems, self.config, today=self.today())
        computation.cards = {p.title: (p.page_id, p.cards) for p in self._memory().values()}
        self.last = computation
        self._dirty = False
        return computation

    def _memory(self) -> dict[int, ParsedPage]:
        if self._pages is None:
            self._pages = {page.page_id: page for page in self.state.load_pages()}
        return self._pages

    def _delete(self, page_ids: set[int]) -> None:
        if page_ids:
            self.state.delete_pages(page_ids)
            for page_id in page_ids:
                self._memory().pop(page_id, None)
            self._dirty = True

    # -- steps --------------------------------------------------------------------------

    def _is_template(self, title: str) -> bool:
        return title.startswith(("Modèle:", "Template:"))

    def _template_aliases(self) -> dict[str, str]:
        """{alias template name: our template name} from the wiki's redirects."""
        return _aliases(self.wiki.template_redirects(self.config.template_titles()))

    def _sources(self, listed: dict[int, PageInfo]) -> dict[int, PageInfo]:
        """The listed pages that are sources: not template pages (they document calls), not
        our own pages."""
        return {
            page_id: info
            for page_id, info in listed.items()
            if info.namespace != 10 and not self.config.pages.is_output(info.title)
        }

    def _store_parsed(self, texts: list[PageText], fingerprint: str) -> None:
        """Parse pages into memory; they reach the state store in `_save_parsed`."""
        memory = self._memory()
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
                    page.title, page.text, self.config.templates, self._aliases or {}
                )
            item = ParsedPage(page.page_id, page.title, page.rev_id, records, problems, cards)
            old = memory.get(item.page_id)
            if old is None or (old.title, old.records, old.problems, old.cards) != (
                item.title,
                item.records,
                item.problems,
                item.cards,
            ):
                self._dirty = True
            memory[item.page_id] = item
            parsed.append((item, fingerprint))
        with self._save_lock:
            self._unsaved.extend(parsed)

    def _save_parsed(self) -> None:
        """Save the pages parsed since the last call to the state store (any thread)."""
        with self._save_lock:
            unsaved, self._unsaved = self._unsaved, []
        by_fingerprint: dict[str, list[ParsedPage]] = {}
        for page, fingerprint in unsaved:
            by_fingerprint.setdefault(fingerprint, []).append(page)
        for fingerprint, pages in by_fingerprint.items():
            self.state.save_pages(pages, fingerprint)

    def _finish(
        self, result: SyncResult, *, dry_run: bool, write: bool, start_requests: int
    ) -> None:
        try:
            with _phase(result, "compute"):
                last = self.last
                reuse = last is not None and not self._dirty and last.today == self.today()
                computation = last if reuse and last is not None else self.compute()
            result.problems = len(computation.problems)
            result.errors = sum(1 for p in computation.problems if p.severity == "error")
            if write:
                known = self.state.all_written()
                planned = plan_pages(computation, self.config, self._render_memo)
                gone = known.keys() - {page.title for page in planned}
                planned += plan_retired(gone, computation, self.config)
                with _phase(result, "write"):
                    result.edits = self._write_outputs(planned, known, result, dry_run=dry_run)
        finally:
            self._save_parsed()  # when no write phase did it, or it stopped early
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
        self,
        planned: list[PlannedPage],
        known: dict[str, WrittenPage],
        result: SyncResult,
        *,
        dry_run: bool,
    ) -> list[Edit]:
        """Write each output page whose generated part changed; no null edits.

        A second thread renders the pages in order, then saves the cache of parsed pages,
        while this one reads the current pages and saves each rendered page in turn.
        """
        edits: list[Edit] = []
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="wikiledger-render") as pool:
            rendered = [pool.submit(_timed_render, page, result) for page in planned]
            saving = pool.submit(self._save_parsed)
            try:
                infos = self.wiki.page_infos([p.title for p in planned]) if planned else {}
                # pages whose current revision is not one we saved: read them all at once
                theirs = [
                    title
                    for title, info in infos.items()
                    if title not in known or known[title].rev_id != info.rev_id
                ]
                current = self.wiki.fetch_titles(theirs) if theirs else {}
                for future in rendered:
                    output = _wait(future, result)
                    page = self._current_page(output, infos, known, current)
                    if isinstance(page, _Skip):
                        continue
                    if not dry_run and self.config.pages.is_card_data(output.title):
                        wait_for_rendered_sources(self._newest_source)
                    edit = self._write_one(output, page, known, dry_run=dry_run)
                    if edit is not None:
                        edits.append(edit)
            finally:
                for future in rendered:
                    future.cancel()  # after an error, render no further
        saving.result()  # raises if the cache could not be saved
        return edits

    def _current_page(
        self,
        output: OutputPage,
        infos: dict[str, PageInfo],
        known: dict[str, WrittenPage],
        current: dict[str, PageText],
    ) -> PageText | _Skip | None:
        """The page as it is on the wiki (None: it does not exist), or _SKIP: nothing to do."""
        memo, info = known.get(output.title), infos.get(output.title)
        if memo and info and memo.rev_id == info.rev_id and same(memo.generated, output.generated):
            return _SKIP  # unchanged on both sides: nothing to read, nothing to write
        if info is None:
            return (
                _SKIP if output.must_exist else None
            )  # never recreate a deleted statement, or a retired page
        page = current.get(output.title)
        if page is None:
            page = self._our_text(info) or self.wiki.fetch_titles([output.title]).get(output.title)
        if page is None and output.must_exist:
            return _SKIP  # deleted meanwhile
        return page

    def _our_text(self, info: PageInfo) -> PageText | None:
        """The page's current text without reading it, when its revision is one we saved."""
        text = self.state.written_text(info.title)
        if text is None or not info.sha1:
            return None
        if hashlib.sha1(text.encode("utf-8")).hexdigest() != info.sha1:
            return None  # MediaWiki transformed what we sent: read it
        return PageText(info.page_id, info.title, info.namespace, info.rev_id, info.timestamp, text)

    def _write_one(
        self,
        output: OutputPage,
        page: PageText | None,
        known: dict[str, WrittenPage],
        *,
        dry_run: bool,
    ) -> Edit | None:
        restoring = False  # True while putting back an edit our save went over
        for _attempt in range(self.config.edit_retries + 1):
            old_generated = extract_generated(page.text) if page else None
            unchanged = old_generated is not None and same(old_generated, output.generated)
            if page is not None and unchanged and not restoring:
                if not dry_run:
                    self.state.save_written(
                        WrittenPage(output.title, page.rev_id, output.generated, output.digest),
                        page.text,
                    )
                return None
            new_text = splice_generated(page.text if page else "", output.generated)
            memo = known.get(output.title)
            summary = summarize(output, memo.digest if memo else None, page is None)
            if dry_run:
                return Edit(output.title, summary, 0, _diff(output, old_generated))
            try:
                saved = self.wiki.edit(output.title, new_text, summary, base=page)
            except EditConflict:
                log.info("edit conflict on %s: re-reading and trying again", output.title)
                page = self.wiki.fetch_titles([output.title]).get(output.title)
                if output.must_exist and page is None:
                    return None
                restoring = False
                continue
            if page is not None and saved.old_rev_id not in (0, page.rev_id):
                # Someone saved between our read and our save, and MediaWiki let ours replace
                # theirs (it suppresses conflicts within the same second). Put theirs back
                # with our generated part, on top of our revision.
                between = self.wiki.fetch_revision(saved.old_rev_id)
                if between is not None:
                    log.warning("%s was edited during the sync: keeping that edit", output.title)
                    page = PageText(
                        between.page_id,
                        between.title,
                        between.namespace,
                        saved.rev_id,
                        saved.timestamp,
                        between.text,
                    )
                    restoring = True
                    continue
            # the parser never reads the generated part: a statement page's records stay
            if (
                page is not None
                and output.must_exist
                and self.state.advance_revision(page.page_id, page.rev_id, saved.rev_id)
                and page.page_id in self._memory()
            ):
                memory = self._memory()
                memory[page.page_id] = replace(memory[page.page_id], rev_id=saved.rev_id)
            self.state.save_written(
                WrittenPage(output.title, saved.rev_id, output.generated, output.digest),
                as_saved(new_text),
            )
            return Edit(output.title, summary, saved.rev_id)
        log.warning("gave up writing %s after repeated edit conflicts", output.title)
        return None


def _aliases(redirects: dict[str, str]) -> dict[str, str]:
    """{alias template name: our template name} from {redirect title: template title}."""
    return {alias.split(":", 1)[1]: target.split(":", 1)[1] for alias, target in redirects.items()}


_SPLIT_FROM = 50  # fewer pages are read in one request: a second one would cost more


def read_batches(page_ids: list[int], size: int) -> list[list[int]]:
    """Batches of at most `size` pages, the last one holding a fifth of a batch: the engine
    parses a batch while the wiki serves the next, so once the wiki has served everything
    only that small last batch remains to parse."""
    if len(page_ids) < _SPLIT_FROM:
        return [page_ids]
    tail = max(1, min(len(page_ids), size) // 5)
    body, last = page_ids[:-tail], page_ids[-tail:]
    return [body[i : i + size] for i in range(0, len(body), size)] + [last]


class _Skip:
    """The page needs neither reading nor writing."""


_SKIP = _Skip()


def _timed_render(page: PlannedPage, result: SyncResult) -> OutputPage:
    with _phase(result, "render"):  # only the render thread adds to this phase
        return page.render()


def _wait(future: Future[OutputPage], result: SyncResult) -> OutputPage:
    with _phase(result, "render_wait"):  # the writes waiting for the render thread
        return future.result()


def as_saved(text: str) -> str:
    """The text MediaWiki stores for `text` (line ends unified, trailing whitespace cut),
    so that its SHA-1 can be compared with the revision's."""
    return text.replace("\r\n", "\n").replace("\r", "\n").rstrip(" \t\n\r\0\x0b")


@contextmanager
def _sync_runtime() -> Iterator[None]:
    """The interpreter settings of a sync, restored after it.

    The GIL switch interval is shortened (see `_SWITCH_INTERVAL`), and the cyclic garbage
    collector paused: a sync allocates hundreds of thousands of long-lived objects (records,
    reports), each allocation burst triggering collections that walk them all for nothing.
    The few cycles made meanwhile are collected once the collector runs again.
    """
    previous = sys.getswitchinterval()
    collecting = gc.isenabled()
    sys.setswitchinterval(min(previous, _SWITCH_INTERVAL))
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()
        sys.setswitchinterval(previous)


@contextmanager
def _phase(result: SyncResult, name: str) -> Iterator[None]:
    started = time.perf_counter()
    try:
        yield
    finally:
        result.phases[name] = result.phases.get(name, 0.0) + time.perf_counter() - started


def _diff(output: OutputPage, old_generated: str | None) -> str:
    return "".join(
        difflib.unified_diff(
            (old_generated or "").splitlines(keepends=True),
            output.generated.splitlines(keepends=True),
            fromfile=f"{output.title} (wiki)",
            tofile=f"{output.title} (wikiledger)",
        )
    )


def same(old_generated: str, new_generated: str) -> bool:
    """Whether two generated parts differ only by their generation time (or not at all)."""
    return without_timestamp(old_generated).strip("\n") == without_timestamp(new_generated).strip(
        "\n"
    )


def summarize(output: OutputPage, old_digest: str | None, created: bool) -> str:
    """A French edit summary that says what changed."""
    if created:
        return f"wikiledger : création — {output.digest}"
    if old_digest and old_digest != output.digest:
        return f"wikiledger : mise à jour — {old_digest} → {output.digest}"
    return f"wikiledger : mise à jour — {output.digest}"
