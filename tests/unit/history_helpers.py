"""Shared builders of the history tests: revisions of hand-written wikitext, parsed for real."""

from __future__ import annotations

import datetime

from ledger.history import RevisionRef
from ledger.trail import History, PageRevision
from parsers.page import parse_page
from sync.revisions import RevisionText

START = datetime.datetime(2026, 3, 12, 9, 0, tzinfo=datetime.UTC)


def revision(
    rev_id: int, user: str, *, anonymous: bool = False, hidden: bool = False
) -> RevisionRef:
    """Revision `rev_id`, saved `rev_id` hours after START (so a day every 24 revisions)."""
    moment = START + datetime.timedelta(hours=rev_id)
    return RevisionRef(rev_id, "" if hidden else user, moment, anonymous, hidden)


def declaration(
    who: str = "Alice Martin",
    *,
    circle: str = "Numérique",
    day: str = "12/03/2026",
    amount: str = "120 €",
    status: str = "",
    mission: str = "Accueil",
) -> str:
    """One `{{Contribution}}` call on one line."""
    text = f"{{{{Contribution|contributeur={who}|cercle={circle}|date={day}|montant={amount}"
    if status:
        text += f"|statut={status}"
    return text + f"|mission={mission}}}}}"


CIRCLE_PAGE = 1
CIRCLE_TITLE = "Cercle Numérique"


def circle(*referents: str, name: str = "Numérique") -> str:
    return f"{{{{Cercle|nom={name}|référents={', '.join(referents)}}}}}"


class Wiki:
    """A little wiki of pages edited in turn: each edit is folded into a `History` at once."""

    def __init__(self) -> None:
        self.history = History()
        self.log: list[PageRevision] = []
        self.titles: dict[int, str] = {}
        self.texts: list[RevisionText] = []  # every revision as the wiki would give it
        self.next_rev = 1

    def edit(
        self,
        page_id: int,
        text: str,
        user: str = "Alice Martin",
        *,
        title: str | None = None,
        anonymous: bool = False,
        hidden: bool = False,
    ) -> RevisionRef:
        title = title or self.titles.get(page_id) or f"Page {page_id}"
        self.titles[page_id] = title
        ref = revision(self.next_rev, user, anonymous=anonymous, hidden=hidden)
        self.next_rev += 1
        parent = max((t.revision.rev_id for t in self.texts if t.page_id == page_id), default=0)
        self.texts.append(RevisionText(page_id, title, ref, parent, text))
        records, problems = parse_page(title, text)
        assert not [p for p in problems if p.severity == "error"], problems
        change = PageRevision(page_id, ref, records)
        self.log.append(change)
        self.history.apply(change)
        return ref

    def delete(self, page_id: int, user: str = "Admin") -> None:
        ref = revision(self.next_rev, user)
        self.next_rev += 1
        change = PageRevision(page_id, ref, None)
        self.log.append(change)
        self.history.apply(change)


def snapshot(history: History) -> list[object]:
    """Everything the history holds, values as written included (pickles may share objects
    differently, so their bytes can differ for equal histories)."""

    def record(item: object) -> object:
        return (repr(item), getattr(item, "written", None))

    return [
        [
            (
                t.number,
                t.kind,
                t.page_id,
                record(t.record),
                [(v.revision, v.page_id, record(v.record)) for v in t.versions],
            )
            for t in history.trails.values()
        ],
        history.pages,
        history.last_rev,
        history.referents,
        history._live,
        history._gone,
    ]
