"""The sync engine: list source pages, parse what changed, compute, write what changed.

One sync: resolve redirects to our templates -> list the pages that transclude them (revision
ids only) -> read and parse only pages whose revision is not in the cache -> compute the ledgers
(pure) -> render the summary pages -> write only the pages whose generated part changed, each
as a bot edit based on the revision it was read at.
"""

from __future__ import annotations

import datetime
import difflib
import hashlib
import logging
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path

from ledger.record import Problem, Records
from parsers.marker import extract_generated, splice_generated
from parsers.page import parse_page
from sync.compute import Computation, compute_all
from sync.config import SyncConfig
from sync.output import OutputPage, RenderMemo, plan_outputs
from sync.render import without_timestamp
from sync.state import ParsedPage, StateStore, WrittenPage
from sync.wiki import EditConflict, PageInfo, PageText, WikiClient

log = logging.getLogger(__name__)

_PARSERS = Path(__file__).resolve().parents[1] / "parsers"


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

    # -- public operations ------------------------------------------------------------------

    def full_sync(self, *, dry_run: bool = False, write: bool = True) -> SyncResult:
        """Read every changed source page, recompute, write the changed summary pages."""
        with self.lock:
            return self._full_sync(dry_run=dry_run, write=write)

    def _full_sync(self, *, dry_run: bool, write: bool) -> SyncResult:
        result = SyncResult("dry-run" if dry_run else "full", time.time())
        start_requests = self.wiki.requests
        with _phase(result, "list"):
            self._aliases = self._template_aliases()
            fingerprint = parser_fingerprint(self.config, self._aliases)
            listed = self._list_sources()
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
        size = self.wiki.batch_size
        batches = [page_ids[i : i + size] for i in range(0, len(page_ids), size)]
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
        with self.lock:
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
            return result

    def compute(self) -> Computation:
        """Compute from the parsed pages only (no wiki access)."""
        records = Records()
        problems: list[Problem] = []
        for page in sorted(self._memory().values(), key=lambda p: (p.title, p.page_id)):
            records.extend(page.records)
            problems.extend(page.problems)
        computation = compute_all(records, problems, self.config, today=self.today())
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
        titles = self.config.template_titles()
        redirects = self.wiki.template_redirects(titles)
        aliases: dict[str, str] = {}
        for alias, target in redirects.items():
            aliases[alias.split(":", 1)[1]] = target.split(":", 1)[1]
        return aliases

    def _list_sources(self) -> dict[int, PageInfo]:
        listed: dict[int, PageInfo] = {}
        for title in self.config.template_titles():
            for page_id, info in self.wiki.list_transclusions(title).items():
                if info.namespace == 10 or self.config.pages.is_output(info.title):
                    continue  # template pages document calls; our own pages are never sources
                listed[page_id] = info
        return listed

    def _store_parsed(self, texts: list[PageText], fingerprint: str) -> None:
        parsed = []
        for page in texts:
            if self.config.pages.is_output(page.title) or page.namespace == 10:
                records, problems = Records(), list[Problem]()
            else:
                records, problems = parse_page(
                    page.title, page.text, self.config.templates, self._aliases or {}
                )
            parsed.append(ParsedPage(page.page_id, page.title, page.rev_id, records, problems))
        if parsed:
            self.state.save_pages(parsed, fingerprint)
            memory = self._memory()
            for item in parsed:
                old = memory.get(item.page_id)
                if old is None or (old.title, old.records, old.problems) != (
                    item.title,
                    item.records,
                    item.problems,
                ):
                    self._dirty = True
                memory[item.page_id] = item

    def _finish(
        self, result: SyncResult, *, dry_run: bool, write: bool, start_requests: int
    ) -> None:
        with _phase(result, "compute"):
            reuse = self.last is not None and not self._dirty and self.last.today == self.today()
            computation = self.last if reuse and self.last is not None else self.compute()
        result.problems = len(computation.problems)
        result.errors = sum(1 for p in computation.problems if p.severity == "error")
        if write:
            with _phase(result, "render"):
                outputs = plan_outputs(computation, self.config, self._render_memo)
            with _phase(result, "write"):
                result.edits = self._write_outputs(outputs, dry_run=dry_run)
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

    def _write_outputs(self, outputs: list[OutputPage], *, dry_run: bool) -> list[Edit]:
        """Write each output page whose generated part changed; no null edits."""
        known = self.state.all_written()
        infos = self.wiki.page_infos([o.title for o in outputs]) if outputs else {}
        to_check = []
        for output in outputs:
            memo, info = known.get(output.title), infos.get(output.title)
            if (
                memo
                and info
                and memo.rev_id == info.rev_id
                and same(memo.generated, output.generated)
            ):
                continue  # unchanged on both sides: nothing to read, nothing to write
            if output.must_exist and info is None:
                continue  # a statement page was deleted meanwhile: never recreate it
            to_check.append(output)
        current = self.wiki.fetch_titles([o.title for o in to_check]) if to_check else {}
        edits = []
        for output in to_check:
            edit = self._write_one(output, current.get(output.title), known, dry_run=dry_run)
            if edit is not None:
                edits.append(edit)
        return edits

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
                        WrittenPage(output.title, page.rev_id, output.generated, output.digest)
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
                WrittenPage(output.title, saved.rev_id, output.generated, output.digest)
            )
            return Edit(output.title, summary, saved.rev_id)
        log.warning("gave up writing %s after repeated edit conflicts", output.title)
        return None


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
