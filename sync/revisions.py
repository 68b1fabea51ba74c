"""Reading the revision history of source pages (`prop=revisions`), each revision once.

MediaWiki lists many revisions of one page per request, but only the latest revision of many
pages, or given revisions (`revids`) of any pages. Each revision names its parent, so the
history is read backwards by generations: the latest revision of every page in batches
(content included), then their parents in batches of `revids`, and so on; when only a few
pages still have older revisions, each of them is read on its own, many revisions a request.
Every revision is read once, its content with it; continuation is followed throughout.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from ledger.history import RevisionRef

Query = Callable[..., Iterator[dict[str, Any]]]  # runs one query, following continuation
PROPS = "ids|timestamp|user|flags|content"


@dataclass(frozen=True, slots=True)
class RevisionText:
    """One revision of a page: who saved it and when, and its text (None when hidden)."""

    page_id: int
    title: str
    revision: RevisionRef
    parent_id: int
    text: str | None


def parse_timestamp(text: str) -> datetime.datetime:
    """`2026-03-12T09:00:00Z` -> an aware UTC datetime."""
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(datetime.UTC)


def revision_ref(revision: dict[str, Any]) -> RevisionRef:
    """A RevisionRef from one revision of the API (formatversion 2)."""
    hidden = bool(revision.get("userhidden"))
    return RevisionRef(
        rev_id=int(revision["revid"]),
        user="" if hidden else str(revision.get("user", "")),
        timestamp=parse_timestamp(str(revision["timestamp"])),
        anonymous=bool(revision.get("anon")),
        user_hidden=hidden,
    )


def _texts(query_result: dict[str, Any]) -> Iterator[RevisionText]:
    for page in query_result.get("pages", []):
        if "missing" in page or "invalid" in page:
            continue
        for revision in page.get("revisions", []):
            main = revision.get("slots", {}).get("main", {})
            hidden = "texthidden" in main or "content" not in main
            yield RevisionText(
                page_id=int(page["pageid"]),
                title=str(page["title"]),
                revision=revision_ref(revision),
                parent_id=int(revision.get("parentid", 0)),
                text=None if hidden else str(main["content"]),
            )


def _batches(items: list[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def read_histories(query: Query, page_ids: Iterable[int], batch: int) -> Iterator[RevisionText]:
    """Every revision of the pages, newest first within a page (see the module docstring).

    `batch` is how many pages or revisions one request may name (50, or 500 for bots).
    """
    common = {"prop": "revisions", "rvprop": PROPS, "rvslots": "main"}
    pending: dict[int, int] = {}  # page id -> id of the next older revision to read
    seen: set[int] = set()

    def take(result: dict[str, Any]) -> Iterator[RevisionText]:
        for text in _texts(result):
            if text.revision.rev_id in seen:
                continue
            seen.add(text.revision.rev_id)
            pending.pop(text.page_id, None)
            if text.parent_id and text.parent_id not in seen:
                pending[text.page_id] = text.parent_id
            yield text

    for ids in _batches(sorted(set(page_ids)), batch):
        for result in query(pageids="|".join(map(str, ids)), **common):
            yield from take(result)
    # A generation in one request per `batch` pages while many pages have older revisions;
    # a page's whole remaining history in one request per `batch` revisions otherwise.
    few = max(1, batch // 50)
    while pending:
        if len(pending) <= few:
            for page_id, parent in sorted(pending.items()):
                del pending[page_id]
                for result in query(
                    pageids=str(page_id), rvstartid=parent, rvdir="older", rvlimit=batch, **common
                ):
                    for text in _texts(result):
                        if text.revision.rev_id not in seen:
                            seen.add(text.revision.rev_id)
                            yield text
            return
        generation = sorted(pending.values())
        pending.clear()
        for ids in _batches(generation, batch):
            for result in query(revids="|".join(map(str, ids)), **common):
                yield from take(result)


def group_members(query: Query, group: str) -> frozenset[str]:
    """The users in a wiki user group (`list=allusers`), e.g. the treasury's."""
    members: set[str] = set()
    for result in query(list="allusers", augroup=group, aulimit="max"):
        members.update(str(user["name"]) for user in result.get("allusers", []))
    return frozenset(members)
