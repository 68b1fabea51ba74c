"""An in-memory MediaWiki implementing `WikiPort`, for fast tests of the engine's rules.

It behaves like MediaWiki where the engine relies on it: page and revision ids that only grow,
the SHA-1 of each revision, titles normalised (`_` is a space, the first letter is a capital,
`Template:` is `Modèle:`), the pages that transclude a template read from their text (calls
through a redirect to the template count, as in MediaWiki's templatelinks), text stored as
MediaWiki stores it (line ends unified, trailing whitespace cut), no revision for a save that
changes nothing, and the base revision of a save checked: a page changed, created or deleted
since it was read is an edit conflict. A protected page refuses the bot's saves, and so
does a page over `max_page_bytes`. With
`lost_update`, a save over a newer revision goes through and reports the revision it replaced,
as MediaWiki does for two saves in the same second. Tests against the real wiki stay the
reference; this is for the engine's rules, in milliseconds.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from sync.port import (
    EditConflict,
    PageInfo,
    PageRefused,
    PageText,
    RecentChange,
    Saved,
)
from sync.revisions import RevisionText
from sync.writer import as_saved

_NAMESPACES = {
    "modèle": (10, "Modèle"),
    "template": (10, "Modèle"),
    "utilisateur": (2, "Utilisateur"),
    "utilisatrice": (2, "Utilisateur"),
    "user": (2, "Utilisateur"),
}
_CALL = re.compile(r"\{\{\s*([^{}|#<>\[\]\n]+?)\s*(?:\||\}\})")
_REDIRECT = re.compile(r"^\s*#(?:REDIRECT|REDIRECTION)\s*\[\[([^\]|]+)", re.IGNORECASE)
BOT = "WikiLedgerBot"


def normalize(title: str) -> str:
    """A title as MediaWiki spells it."""
    title = " ".join(title.replace("_", " ").split())
    prefix, colon, name = title.partition(":")
    if colon and prefix.lower() in _NAMESPACES:
        name = name.strip()
        return f"{_NAMESPACES[prefix.lower()][1]}:{name[:1].upper()}{name[1:]}"
    return title[:1].upper() + title[1:]


def namespace(title: str) -> int:
    prefix, colon, _ = title.partition(":")
    return _NAMESPACES[prefix.lower()][0] if colon and prefix.lower() in _NAMESPACES else 0


@dataclass(frozen=True, slots=True)
class Revision:
    rev_id: int
    text: str
    timestamp: str
    user: str
    summary: str

    @property
    def sha1(self) -> str:
        return hashlib.sha1(self.text.encode("utf-8")).hexdigest()


@dataclass(slots=True)
class Page:
    page_id: int
    title: str
    revisions: list[Revision] = field(default_factory=list)

    @property
    def current(self) -> Revision:
        return self.revisions[-1]


class FakeWiki:
    """The pages of one wiki in memory; counts calls as `requests`."""

    def __init__(self, *, batch_size: int = 50) -> None:
        self.purged: list[str] = []  # titles purged, in order
        self.pages: dict[str, Page] = {}  # live pages by title
        self.deleted: list[Page] = []
        self.protected: set[str] = set()
        self.lost_update = False
        self.user_name = BOT  # whom {{bots|deny=…}} names
        self.max_page_bytes = 0  # the wiki's maximum page size ($wgMaxArticleSize); 0: none
        self.before_save: Callable[[str], None] | None = None  # runs as a bot save starts
        self.requests = 0
        self._batch_size = batch_size
        self._ids = 0
        self._revisions: dict[int, tuple[Page, Revision]] = {}
        self._changes: list[RecentChange] = []
        self.groups: dict[str, set[str]] = {}  # wiki user groups: name -> members
        self.renamed: dict[str, str] = {}  # users renamed: old name -> new name

    # -- what people do -------------------------------------------------------------------

    def save(self, title: str, text: str, *, user: str = "Zoé Blanc", summary: str = "") -> int:
        """A person's save, with no conflict check (it happens between the bot's calls)."""
        title = normalize(title)
        page = self.pages.get(title)
        if page is None:
            page = self.pages[title] = Page(self._next_id(), title)
        return self._add_revision(page, as_saved(text), user, summary).rev_id

    def delete(self, title: str) -> None:
        page = self.pages.pop(normalize(title))
        self.deleted.append(page)
        self._log(page, "log", "delete")

    def text(self, title: str) -> str | None:
        page = self.pages.get(normalize(title))
        return None if page is None else page.current.text

    def history(self, title: str) -> list[Revision]:
        page = self.pages.get(normalize(title))
        return [] if page is None else list(page.revisions)

    def revision_count(self) -> int:
        return len(self._revisions)

    # -- WikiPort: reading ----------------------------------------------------------------

    @property
    def batch_size(self) -> int:
        return self._batch_size

    def template_redirects(self, template_titles: Iterable[str]) -> dict[str, str]:
        self.requests += 1
        targets = {normalize(t) for t in template_titles}
        return {
            title: target
            for title, page in self.pages.items()
            if (target := self._redirect_target(page)) in targets
        }

    def list_transclusions(self, template_titles: Iterable[str]) -> dict[int, PageInfo]:
        self.requests += 1
        return {
            page.page_id: PageInfo(page.page_id, page.title, namespace(page.title), rev_id)
            for page, rev_id in self._transcluding(template_titles)
        }

    def transcluding_templates(self, template_titles: Iterable[str]) -> set[str]:
        self.requests += 1
        return {
            page.title
            for page, _ in self._transcluding(template_titles)
            if namespace(page.title) == 10
        }

    def template_sources(
        self, template_titles: Iterable[str]
    ) -> tuple[dict[str, str], dict[int, PageInfo]]:
        titles = list(template_titles)
        redirects = self.template_redirects(titles)
        pages = {
            page.page_id: PageInfo(page.page_id, page.title, namespace(page.title), 0)
            for page, _ in self._transcluding(titles)
        }
        return redirects, pages

    def fetch_texts(self, page_ids: Iterable[int]) -> list[PageText]:
        self.requests += 1
        wanted = set(page_ids)
        return [self._text(page) for page in self.pages.values() if page.page_id in wanted]

    def fetch_titles(self, titles: Iterable[str]) -> dict[str, PageText]:
        self.requests += 1
        found = (self.pages.get(normalize(title)) for title in titles)
        return {page.title: self._text(page) for page in found if page is not None}

    def page_infos(self, titles: Iterable[str]) -> dict[str, PageInfo]:
        self.requests += 1
        infos = {}
        for title in titles:
            page = self.pages.get(normalize(title))
            if page is not None:
                rev = page.current
                infos[page.title] = PageInfo(
                    page.page_id,
                    page.title,
                    namespace(page.title),
                    rev.rev_id,
                    rev.timestamp,
                    rev.sha1,
                )
        return infos

    def fetch_revision(self, rev_id: int) -> PageText | None:
        self.requests += 1
        found = self._revisions.get(rev_id)
        if found is None or found[0].title not in self.pages:
            return None
        return self._page_text(*found)

    def read_histories(self, pages: Mapping[int, int]) -> list[RevisionText]:
        self.requests += 2  # the revision ids, then their content
        return [
            self._revision_text(page, rev)
            for page in self.pages.values()
            if page.page_id in pages
            for rev in page.revisions
        ]

    def missed_revisions(self, page_id: int, after: int, before: int) -> list[RevisionText]:
        self.requests += 1
        return [
            self._revision_text(page, rev)
            for page in self.pages.values()
            if page.page_id == page_id
            for rev in page.revisions
            if after < rev.rev_id < before
        ]

    def group_members(self, group: str) -> frozenset[str]:
        self.requests += 1
        return frozenset(self.groups.get(group, ()))

    def renamed_users(self) -> dict[str, str]:
        self.requests += 1
        return dict(self.renamed)

    def purge(self, titles: list[str]) -> None:
        self.requests += 1
        self.purged.extend(titles)

    def recent_changes(self, since: str, *, limit: int = 5000) -> list[RecentChange]:
        self.requests += 1
        return [c for c in self._changes if c.timestamp > since][:limit]

    # -- WikiPort: writing ----------------------------------------------------------------

    def edit(self, title: str, text: str, summary: str, *, base: PageText | None) -> Saved:
        self.requests += 1
        if self.before_save is not None:
            self.before_save(title)
        title = normalize(title)
        if title in self.protected:
            raise PageRefused(title, "protectedpage", "This page has been protected.")
        if self.max_page_bytes and len(text.encode()) > self.max_page_bytes:
            raise PageRefused(title, "contenttoobig", "The content is too big.")
        page = self.pages.get(title)
        if base is None:
            if page is not None:
                raise EditConflict(f"{title}: articleexists")
            page = self.pages[title] = Page(self._next_id(), title)
            return Saved(self._add_revision(page, as_saved(text), BOT, summary).rev_id, 0, "")
        if page is None or page.page_id != base.page_id:
            raise EditConflict(f"{title}: pagedeleted")
        replaced = page.current
        if replaced.rev_id != base.rev_id and not self.lost_update:
            raise EditConflict(f"{title}: editconflict")
        if as_saved(text) == replaced.text:
            return Saved(base.rev_id, base.rev_id, base.timestamp)  # no revision: nochange
        rev = self._add_revision(page, as_saved(text), BOT, summary)
        return Saved(rev.rev_id, replaced.rev_id, rev.timestamp)

    # -- inside ---------------------------------------------------------------------------

    def _next_id(self) -> int:
        self._ids += 1
        return self._ids

    def _add_revision(self, page: Page, text: str, user: str, summary: str) -> Revision:
        rev_id = self._next_id()  # page and revision ids both only grow
        stamp = f"2026-03-01T{rev_id // 3600 % 24:02}:{rev_id // 60 % 60:02}:{rev_id % 60:02}Z"
        rev = Revision(rev_id, text, stamp, user, summary)
        page.revisions.append(rev)
        self._revisions[rev_id] = (page, rev)
        self._log(page, "new" if len(page.revisions) == 1 else "edit")
        return rev

    def _log(self, page: Page, kind: str, action: str = "") -> None:
        rev = page.current
        self._changes.append(
            RecentChange(
                len(self._changes) + 1,
                kind,
                page.title,
                page.page_id,
                rev.rev_id if kind != "log" else 0,
                rev.timestamp,
                "delete" if action else "",
                action,
            )
        )

    def _text(self, page: Page) -> PageText:
        return self._page_text(page, page.current)

    def _page_text(self, page: Page, rev: Revision) -> PageText:
        index = page.revisions.index(rev)
        parent = page.revisions[index - 1].rev_id if index else 0
        return PageText(
            page.page_id, page.title, namespace(page.title), rev.rev_id, rev.timestamp, rev.text,
            user=rev.user, parent_id=parent,
        )  # fmt: skip

    def _revision_text(self, page: Page, rev: Revision) -> RevisionText:
        text = self._page_text(page, rev)
        return RevisionText(page.page_id, page.title, text.revision(), text.parent_id, rev.text)

    def _redirect_target(self, page: Page) -> str | None:
        match = _REDIRECT.match(page.current.text)
        return normalize(match[1]) if match else None

    def _templates(self, page: Page) -> set[str]:
        """The templates the page transcludes, redirects followed (both are recorded)."""
        called = {normalize(f"Modèle:{name}") for name in _CALL.findall(page.current.text)}
        for title in list(called):
            redirect = self.pages.get(title)
            target = self._redirect_target(redirect) if redirect else None
            if target:
                called.add(target)
        return called

    def _transcluding(self, template_titles: Iterable[str]) -> list[tuple[Page, int]]:
        wanted = {normalize(t) for t in template_titles}
        return [
            (page, page.current.rev_id)
            for page in self.pages.values()
            if self._templates(page) & wanted
        ]
