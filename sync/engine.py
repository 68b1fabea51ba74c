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
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ledger.record import Problem, Records
from parsers.marker import extract_generated, splice_generated
from parsers.page import parse_page
from sync.compute import Computation, compute_all
from sync.config import SyncConfig
from sync.output import OutputPage, plan_outputs
from sync.render import without_timestamp
from sync.state import ParsedPage, StateStore, WrittenPage
from sync.wiki import EditConflict, PageInfo, PageText, WikiClient

log = logging.getLogger(__name__)

_PARSER_FILES = sorted((Path(__file__).resolve().parents[1] / "parsers").glob("*.py"))


def parser_fingerprint(config: SyncConfig, aliases: dict[str, str]) -> str:
    """Changes when the parser code, the template names or the redirects change."""
    digest = hashlib.sha256()
    for path in _PARSER_FILES:
        digest.update(path.read_bytes())
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

    # -- public operations ------------------------------------------------------------------

    def full_sync(self, *, dry_run: bool = False, write: bool = True) -> SyncResult:
        """Read every changed source page, recompute, write the changed summary pages."""
        with self.lock:
            return self._full_sync(dry_run=dry_run, write=write)

    def _full_sync(self, *, dry_run: bool, write: bool) -> SyncResult:
        result = SyncResult("dry-run" if dry_run else "full", time.time())
        start_requests = self.wiki.requests
        self._aliases = self._template_aliases()
        fingerprint = parser_fingerprint(self.config, self._aliases)
        listed = self._list_sources()
        cached = self.state.revisions(fingerprint)
        changed = {pid for pid, info in listed.items() if cached.get(pid) != info.rev_id}
        removed = self.state.all_page_ids() - set(listed)
        self.state.delete_pages(removed)
        texts = self.wiki.fetch_texts(changed) if changed else []
        self._store_parsed(texts, fingerprint)
        result.pages_listed, result.pages_read = len(listed), len(texts)
        result.pages_removed = len(removed)
        self._finish(result, dry_run=dry_run, write=write, start_requests=start_requests)
        return result

    def sync_pages(self, titles: set[str]) -> SyncResult:
        """Re-read only the named pages (from webhook events), then recompute and write.

        A deleted page is simply not found: its declarations leave the ledger. A moved page
        keeps its page id, so its declarations follow it to the new title.
        """
        with self.lock:
            if self._aliases is None or any(self._is_template(t) for t in titles):
                self._aliases = self._template_aliases()
            fingerprint = parser_fingerprint(self.config, self._aliases)
            if set(self.state.revisions(fingerprint)) != self.state.all_page_ids():
                return self._full_sync(dry_run=False, write=True)  # parser or redirects changed
            result = SyncResult("pages", time.time())
            start_requests = self.wiki.requests
            wanted = {t for t in titles if not self.config.pages.is_output(t)}
            found = self.wiki.fetch_titles(wanted) if wanted else {}
            by_title = self.state.page_ids_by_title()
            gone = {by_title[t] for t in wanted if t not in found and t in by_title}
            self.state.delete_pages(gone)
            self._store_parsed(list(found.values()), fingerprint)
            result.pages_read, result.pages_removed = len(found), len(gone)
            self._finish(result, dry_run=False, write=True, start_requests=start_requests)
            return result

    def compute(self) -> Computation:
        """Compute from the cached pages only (no wiki access)."""
        pages = self.state.load_pages()
        records = Records()
        problems: list[Problem] = []
        for page in pages:
            records.extend(page.records)
            problems.extend(page.problems)
        computation = compute_all(records, problems, self.config, today=self.today())
        self.last = computation
        return computation

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

    def _finish(
        self, result: SyncResult, *, dry_run: bool, write: bool, start_requests: int
    ) -> None:
        computation = self.compute()
        result.problems = len(computation.problems)
        result.errors = sum(1 for p in computation.problems if p.severity == "error")
        if write:
            outputs = plan_outputs(computation, self.config)
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
            if page is not None and output.must_exist:
                # the parser never reads the generated part: the page's records are unchanged
                self.state.advance_revision(page.page_id, page.rev_id, saved.rev_id)
            self.state.save_written(
                WrittenPage(output.title, saved.rev_id, output.generated, output.digest)
            )
            return Edit(output.title, summary, saved.rev_id)
        log.warning("gave up writing %s after repeated edit conflicts", output.title)
        return None


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
