"""Writing the summary pages of one sync, one page at a time, without harm to the wiki.

Only the part between the markers is ours: the rest of a page is kept byte for byte. A page
is saved only when its generated part changed (no null edits), as a bot edit based on the
revision it was read at, so that a concurrent human edit is never overwritten: on a conflict
the page is read again, and an edit MediaWiki let our save replace is put back. A page the
bot wrote that someone deleted is not created again for that.

A page is held, not written, when the wiki refuses the save, when its markers are missing,
doubled or out of order (splicing then could delete human text: a page holding only what the
bot wrote is restored instead), or when `{{nobots}}` keeps the bot off (`sync.hold`); the other
pages are written all the same. A page over the wiki's maximum size is shortened with a notice.
"""

from __future__ import annotations

import difflib
import hashlib
import logging
from collections.abc import Callable
from dataclasses import replace

from parsers.bots import bots_denied
from parsers.marker import (
    MARKER_END,
    MARKER_START,
    extract_generated,
    marker_fault,
    splice_generated,
    without_markers,
)
from render.pages import without_timestamp
from render.plan import OutputPage
from render.shorten import shorten_generated
from sync.hold import Held, bots_refused, markers_broken, refused
from sync.port import EditConflict, PageInfo, PageRefused, PageText, WikiPort
from sync.result import Edit
from sync.state import StateStore, WrittenPage

log = logging.getLogger(__name__)

# (page id, revision read, revision saved): our save changed only the generated part of a page
Advance = Callable[[int, int, int], None]


class _Skip:
    """The page needs neither reading nor writing."""


_SKIP = _Skip()


class Writer:
    """Writes the pages of one sync: `look` at all of them first, then `write` each in turn."""

    def __init__(
        self,
        wiki: WikiPort,
        state: StateStore,
        *,
        retries: int,
        advance: Advance,
        known: dict[str, WrittenPage] | None = None,
    ) -> None:
        self.wiki = wiki
        self.state = state
        self.retries = retries
        self.advance = advance
        # {title: what we last wrote there}; a caller may keep it from one sync to the next
        self.known = state.all_written() if known is None else known
        self._infos: dict[str, PageInfo] = {}
        self._current: dict[str, PageText] = {}
        self._trusting: set[str] = set()  # pages `look` did not ask about (`trusting`)
        self._unasked: dict[str, None] = {}  # pages `look` has yet to ask about (in order)
        self.held: dict[str, Held] = {}  # pages not written this sync, and why
        self.bot = str(getattr(wiki, "user_name", ""))  # for {{bots|deny=…}}
        self.max_bytes = int(getattr(wiki, "max_page_bytes", 0) or 0)  # 0: no known limit

    def look(self, titles: list[str], *, trusting: bool = False) -> None:
        """The current revision of every page to write, and in one read the text of those
        whose current revision is not one we saved.

        `trusting` (live syncs): a page whose revision this process saw the wiki return for
        our last save or check is not asked about: it is saved on that revision with the text
        we sent, and anything done to it since (an edit, a deletion, a move, a protection)
        comes back from the save as an edit conflict or a refusal, after which it is read and
        handled as when looked at. The other pages are asked about when the first of them is
        written: a live sync saves the registre, trusted, before any request (issue 16)."""
        trusted = {t: seen for t in titles if trusting and (seen := self._seen(t)) is not None}
        self._trusting = set(trusted)
        self._infos, self._current = dict(trusted), {}
        self._unasked = {title: None for title in titles if title not in trusted}
        if not trusting:
            self._ask()

    def _ask(self) -> None:
        """Look at the pages `look` left unasked, all of them in one request."""
        asked, self._unasked = list(self._unasked), {}
        if not asked:
            return
        infos = self.wiki.page_infos(asked)
        self._infos.update(infos)
        for title in asked:  # seen now: the pages the bot created, a state read back
            memo, info = self.known.get(title), infos.get(title)
            if memo is not None and info is not None and memo.rev_id == info.rev_id:
                self.known[title] = replace(memo, seen=info)
        theirs = [
            title
            for title, info in infos.items()
            if title not in self.known or self.known[title].rev_id != info.rev_id
        ]
        if theirs:
            self._current.update(self.wiki.fetch_titles(theirs))

    def _seen(self, title: str) -> PageInfo | None:
        """The page's revision as the wiki returned it for our last save or check."""
        memo = self.known.get(title)
        if memo is None or memo.seen is None or memo.seen.rev_id != memo.rev_id:
            return None
        return memo.seen

    def _distrust(self, title: str) -> None:
        """The page changed since we saw it: the next sync looks at it again."""
        memo = self.known.get(title)
        if memo is not None and memo.seen is not None:
            self.known[title] = replace(memo, seen=None)

    def write(self, output: OutputPage, *, dry_run: bool) -> Edit | None:
        """Save the page when its generated part changed; the edit made, if any."""
        if output.title in self._unasked:
            self._ask()
        page = self._current_page(output)
        if isinstance(page, _Skip):
            return None
        try:
            return self._write(output, page, dry_run=dry_run)
        except PageRefused as error:
            log.warning("%s (the other pages are written)", error)
            self.held[output.title] = refused(output.title, error.code, error.info)
            return None

    def _hold(self, output: OutputPage, page: PageText) -> Held | None:
        """Why the page must not be written now (None: it may)."""
        call = bots_denied(page.text, self.bot) if self.bot else None
        if call is not None:
            return bots_refused(output.title, call)
        fault = marker_fault(page.text)
        if fault is None or not page.text.strip() or self._only_ours(output.title, page.text):
            return None  # whole markers, a blanked page, or nothing but what the bot wrote
        if without_markers(page.text) and output.title not in self.known:
            return None  # a page new to the bot: the markers are added after its text
        return markers_broken(output.title, fault)

    def _only_ours(self, title: str, text: str) -> bool:
        """Whether every line of the page is a line the bot last wrote there (markers
        included): restoring the page then destroys nothing a person wrote."""
        memo = self.known.get(title)
        if memo is None:
            return False
        ours = {line.strip() for line in memo.generated.splitlines()}
        ours |= {MARKER_START, MARKER_END}
        return all(line.strip() in ours for line in text.splitlines() if line.strip())

    def _new_text(self, output: OutputPage, page: PageText | None) -> str:
        """The page with the new generated part; cut to the wiki's size limit if need be."""
        base = "" if page is None else page.text
        if page is not None and marker_fault(base) and self._only_ours(output.title, base):
            base = ""  # restored: the markers were broken on a page only the bot wrote
        text = splice_generated(base, output.generated)
        if self.max_bytes and len(text.encode()) > self.max_bytes:
            rest = len(text.encode()) - len(output.generated.encode())
            short = shorten_generated(output.generated, self.max_bytes - rest, self.max_bytes)
            log.warning("%s exceeds the wiki's maximum page size: shortened", output.title)
            text = splice_generated(base, short)
        return text

    def _current_page(self, output: OutputPage) -> PageText | _Skip | None:
        """The page as it is on the wiki (None: it does not exist), or _SKIP: nothing to do."""
        memo, info = self.known.get(output.title), self._infos.get(output.title)
        if memo and info and memo.rev_id == info.rev_id and same(memo.generated, output.generated):
            return _SKIP  # unchanged on both sides: nothing to read, nothing to write
        if info is None:
            # never recreate a deleted statement, or a retired page
            return _SKIP if output.must_exist else None
        page = self._current.get(output.title)
        if page is None:
            page = self._our_text(info) or self.wiki.fetch_titles([output.title]).get(output.title)
        if page is None and output.must_exist:
            return _SKIP  # deleted meanwhile
        return page

    def _our_text(self, info: PageInfo) -> PageText | None:
        """The page's current text without reading it, when its revision is one we saved."""
        text = self.state.written_text(info.title)
        if text is None:
            return None
        # trusted: what we sent, which the wiki transforms again as it did on that save
        trusted = info.title in self._trusting
        if not trusted and hashlib.sha1(text.encode("utf-8")).hexdigest() != info.sha1:
            return None  # MediaWiki transformed what we sent (or no SHA-1 came): read it
        return PageText(info.page_id, info.title, info.namespace, info.rev_id, info.timestamp, text)

    def _write(self, output: OutputPage, page: PageText | None, *, dry_run: bool) -> Edit | None:
        restoring = False  # True while putting back an edit our save went over
        for _attempt in range(self.retries + 1):
            if page is not None and (held := self._hold(output, page)) is not None:
                log.warning("%s not written: %s", output.title, held.code)
                self.held[output.title] = held
                return None
            old_generated = extract_generated(page.text) if page else None
            unchanged = old_generated is not None and same(old_generated, output.generated)
            if page is not None and unchanged and not restoring and not marker_fault(page.text):
                if not dry_run:
                    seen = _seen(page, page.rev_id, page.timestamp)
                    self._remember(output, page.rev_id, page.text, seen)
                return None
            new_text = self._new_text(output, page)
            memo = self.known.get(output.title)
            summary = summarize(output, memo.digest if memo else None, page is None)
            if dry_run:
                return Edit(output.title, summary, 0, _diff(output, old_generated))
            try:
                saved = self.wiki.edit(output.title, new_text, summary, base=page)
            except EditConflict:
                log.info("edit conflict on %s: re-reading and trying again", output.title)
                self._distrust(output.title)
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
                self.advance(page.page_id, page.rev_id, saved.rev_id)
            seen = _seen(page, saved.rev_id, saved.timestamp)
            self._remember(output, saved.rev_id, as_saved(new_text), seen)
            return Edit(output.title, summary, saved.rev_id)
        log.warning("gave up writing %s after repeated edit conflicts", output.title)
        return None

    def _remember(
        self, output: OutputPage, rev_id: int, text: str, seen: PageInfo | None = None
    ) -> None:
        written = WrittenPage(output.title, rev_id, output.generated, output.digest, seen)
        self.state.save_written(written, text)
        self.known[output.title] = written


def _seen(page: PageText | None, rev_id: int, timestamp: str) -> PageInfo | None:
    """Revision REV_ID of PAGE, as `Writer.look` would have found it (None: a page we
    created, whose id is not known yet)."""
    if page is None:
        return None
    return PageInfo(page.page_id, page.title, page.namespace, rev_id, timestamp)


def as_saved(text: str) -> str:
    """The text MediaWiki stores for `text` (line ends unified, trailing whitespace cut),
    so that its SHA-1 can be compared with the revision's."""
    return text.replace("\r\n", "\n").replace("\r", "\n").rstrip(" \t\n\r\0\x0b")


def same(old_generated: str, new_generated: str) -> bool:
    """Whether two generated parts differ only by their generation time (or not at all)."""
    if old_generated == new_generated:
        return True  # most pages of a live sync: their text was taken from the render memo
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


def _diff(output: OutputPage, old_generated: str | None) -> str:
    return "".join(
        difflib.unified_diff(
            (old_generated or "").splitlines(keepends=True),
            output.generated.splitlines(keepends=True),
            fromfile=f"{output.title} (wiki)",
            tofile=f"{output.title} (wikiledger)",
        )
    )
