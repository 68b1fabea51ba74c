"""What the sync needs of a wiki (`WikiPort`), and the values that cross that boundary.

`sync.wiki.WikiClient` implements the port over MediaWiki's API (mwclient); the tests' in-memory
`FakeWiki` implements it too, so the engine's rules can be checked without a wiki.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol

from ledger.history import RevisionRef
from sync.revisions import RevisionText, parse_timestamp

EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)  # a revision of unknown time


class WikiError(Exception):
    """The wiki cannot be used (unreachable, wrong URL, wrong credentials, missing rights), or
    it refused a save (a protected page).

    `reason` is the short, stable cause given by `/healthz` (`wiki unreachable`, …).
    """

    reason = "wiki error"


class WikiUnreachable(WikiError):
    """No answer from the wiki (stopped, network down, timeouts, lagged beyond patience)."""

    reason = "wiki unreachable"


class LoginRefused(WikiError):
    """The wiki refused the bot's login (wrong or revoked bot password, wrong user name)."""

    reason = "login refused"


class PageRefused(WikiError):
    """The wiki refused to save one page (protected, invalid title, too big, …)."""

    def __init__(self, title: str, code: str, info: str) -> None:
        super().__init__(f"the wiki refused to save {title!r}: {code} {info}")
        self.title, self.code, self.info = title, code, info
        self.reason = f"page refused: {title} ({code})"


class EditConflict(Exception):
    """Someone else saved the page since it was read: re-read and try again."""


@dataclass(frozen=True, slots=True)
class PageInfo:
    page_id: int
    title: str
    namespace: int
    rev_id: int  # 0 when listed without revisions
    timestamp: str = ""  # of that revision, when asked for (`page_infos`)
    sha1: str = ""  # of that revision's content, when asked for (`page_infos`)


@dataclass(frozen=True, slots=True)
class PageText:
    page_id: int
    title: str
    namespace: int
    rev_id: int
    timestamp: str
    text: str
    # who saved that revision, and the one before it (for the history of declarations)
    user: str = ""  # "" when hidden
    anonymous: bool = False
    user_hidden: bool = False
    parent_id: int = 0

    def revision(self) -> RevisionRef:
        """This revision as the history knows it (who saved it and when)."""
        moment = parse_timestamp(self.timestamp) if self.timestamp else EPOCH
        return RevisionRef(self.rev_id, self.user, moment, self.anonymous, self.user_hidden)


@dataclass(frozen=True, slots=True)
class Saved:
    """The outcome of a save: the new revision and the one it replaced (0 for a creation)."""

    rev_id: int
    old_rev_id: int
    timestamp: str


@dataclass(frozen=True, slots=True)
class RecentChange:
    rc_id: int
    type: str  # edit, new, log
    title: str
    page_id: int
    rev_id: int
    timestamp: str
    log_type: str = ""
    log_action: str = ""
    new_title: str = ""


class WikiPort(Protocol):
    """Every call the engine (and the worker's catch-up, through the engine) makes to the wiki.

    Titles are prefixed (`Template:Contribution` works on every language); missing or deleted
    pages are simply absent from what a read returns. Infrastructure failures raise `WikiError`.
    """

    @property
    def requests(self) -> int:
        """API requests made so far (for the sync result and the benchmarks)."""
        ...

    @property
    def batch_size(self) -> int:
        """How many pages one read request may ask for."""
        ...

    def template_redirects(self, template_titles: Iterable[str]) -> dict[str, str]:
        """{redirect title: template title} for the redirects to each template."""
        ...

    def list_transclusions(self, template_titles: Iterable[str]) -> dict[int, PageInfo]:
        """Every page that transcludes any of the templates, with its current revision id."""
        ...

    def template_sources(
        self, template_titles: Iterable[str]
    ) -> tuple[dict[str, str], dict[int, PageInfo]]:
        """The redirects and the transcluding pages together, without revision ids (`rev_id`
        0): a first sync reads every page, and their content brings the revisions."""
        ...

    def transcluding_templates(self, template_titles: Iterable[str]) -> set[str]:
        """The titles of the templates (namespace 10) that transclude any of these."""
        ...

    def fetch_texts(self, page_ids: Iterable[int]) -> list[PageText]:
        """The current text of these pages."""
        ...

    def fetch_titles(self, titles: Iterable[str]) -> dict[str, PageText]:
        """The current text of pages by title, keyed by the wiki's spelling of the title."""
        ...

    def page_infos(self, titles: Iterable[str]) -> dict[str, PageInfo]:
        """The current revision of pages by title (id, timestamp, SHA-1), without content."""
        ...

    def fetch_revision(self, rev_id: int) -> PageText | None:
        """One revision's text by its id (None when it is gone)."""
        ...

    def read_histories(self, pages: Mapping[int, int]) -> list[RevisionText]:
        """Every revision of the pages ({page id: namespace}), each once, authors included."""
        ...

    def missed_revisions(self, page_id: int, after: int, before: int) -> list[RevisionText]:
        """The revisions of one page strictly between two revision ids, oldest first."""
        ...

    def group_members(self, group: str) -> frozenset[str]:
        """The members of a wiki user group (the treasury's)."""
        ...

    def renamed_users(self) -> dict[str, str]:
        """{old name: new name} of the users renamed on the wiki."""
        ...

    def edit(self, title: str, text: str, summary: str, *, base: PageText | None) -> Saved:
        """Save `text` as a bot edit based on `base` (None: the page must not exist yet).

        Raises `EditConflict` when the page changed since `base` was read, was created
        meanwhile or deleted; `WikiError` when the wiki refuses the save.
        """
        ...

    def purge(self, titles: list[str]) -> None:
        """Have the wiki render these pages again now (their cards show new feedback)."""
        ...

    def recent_changes(self, since: str, *, limit: int = 5000) -> list[RecentChange]:
        """Changes after `since` (ISO timestamp), oldest first, edits and page logs."""
        ...
