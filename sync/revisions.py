"""Reading the revision history of source pages (`prop=revisions`), each revision once.

MediaWiki lists many revisions of one page per request, but only the latest revision of many
pages, or given revisions (`revids`) of any pages. So the ids of every revision of the source
pages are listed first (`list=allrevisions` over their namespaces, ids only, 5,000 a request
for a bot), then the revisions are read by `revids` in the largest batches the account allows,
authors and content included: each revision is read once, in as few requests as the content
allows. Continuation is followed throughout (a batch whose content exceeds the API's result
size comes in several parts).
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


def list_revisions(query: Query, page_ids: Iterable[int], namespaces: Iterable[int]) -> list[int]:
    """The ids of every revision of the pages, oldest first (`list=allrevisions`, ids only:
    5,000 a request for a bot, pages of the same namespaces that are not ours skipped)."""
    wanted = set(page_ids)
    found: list[int] = []
    for result in query(
        list="allrevisions",
        arvprop="ids",
        arvlimit="max",
        arvnamespace="|".join(str(n) for n in sorted(set(namespaces))),
    ):
        for page in result.get("allrevisions", []):
            if int(page["pageid"]) in wanted:
                found.extend(int(revision["revid"]) for revision in page.get("revisions", []))
    return sorted(found)


def read_revisions(query: Query, revision_ids: Iterable[int], batch: int) -> Iterator[RevisionText]:
    """These revisions with their authors and content, `batch` ids a request."""
    common = {"prop": "revisions", "rvprop": PROPS, "rvslots": "main"}
    for ids in _batches(sorted(set(revision_ids)), batch):
        for result in query(revids="|".join(map(str, ids)), **common):
            yield from _texts(result)


def read_histories(
    query: Query, page_ids: Iterable[int], namespaces: Iterable[int], batch: int
) -> Iterator[RevisionText]:
    """Every revision of the pages, each once, oldest first (see the module docstring).

    `namespaces` are those of the pages; `batch` is how many revisions one request may name
    (50, or 500 for bots).
    """
    yield from read_revisions(query, list_revisions(query, page_ids, namespaces), batch)


def missed_revisions(
    query: Query, page_id: int, after: int, before: int, batch: int
) -> list[RevisionText]:
    """The revisions of one page strictly between `after` and `before` (oldest first)."""
    found: list[RevisionText] = []
    for result in query(
        pageids=str(page_id),
        prop="revisions",
        rvprop=PROPS,
        rvslots="main",
        rvstartid=after,
        rvendid=before,
        rvdir="newer",
        rvlimit=batch,
    ):
        for page in result.get("pages", []):
            for revision in page.get("revisions", []):
                rev_id = int(revision["revid"])
                if after < rev_id < before:
                    main = revision.get("slots", {}).get("main", {})
                    text = None if "texthidden" in main else main.get("content")
                    found.append(
                        RevisionText(
                            page_id,
                            str(page["title"]),
                            revision_ref(revision),
                            int(revision.get("parentid", 0)),
                            None if text is None else str(text),
                        )
                    )
    return found


def group_members(query: Query, group: str) -> frozenset[str]:
    """The users in a wiki user group (`list=allusers`), e.g. the treasury's."""
    members: set[str] = set()
    for result in query(list="allusers", augroup=group, aulimit="max"):
        members.update(str(user["name"]) for user in result.get("allusers", []))
    return frozenset(members)


def renamed_users(query: Query) -> dict[str, str]:
    """{old name: new name} of every user renamed on the wiki (the rename log)."""
    renamed: dict[str, str] = {}
    for result in query(
        list="logevents", letype="renameuser", leprop="details", lelimit="max", ledir="newer"
    ):
        for event in result.get("logevents", []):
            params = event.get("params", {})
            old, new = params.get("olduser"), params.get("newuser")
            if old and new:
                renamed[str(old)] = str(new)
    return renamed
