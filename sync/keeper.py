"""The sync's side of issue 12: keep the history current and judge the records with it.

`HistoryKeeper` loads the history from the state (or builds it from every revision of the
source pages on a first sync or a rebuild), folds in each page a sync reads (with the revision
it read: no request more, unless revisions were missed), judges the declarations by the
`[governance]` rules, applies the co-budget rounds' dates to the pledges, and saves what
changed. The wiki is reached through `HistoryWiki`, a part of the wiki port.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from types import MappingProxyType
from typing import Protocol

from ledger.governance import Governance, GovernanceSettings, Governed, govern
from ledger.history import RevisionRef
from ledger.matching import CLOSING
from ledger.record import Closing, Pledge, Problem, Records, Source
from ledger.trail import History, PageRevision
from ledger.window import Window, apply_window
from render.compute import Computation, compute_all
from render.config import SyncConfig
from render.incremental import SourcePage
from sync.history import HistoryStore, Parse, parsed
from sync.judging import Judgement, PageJudge
from sync.port import PageInfo, PageText
from sync.revisions import RevisionText

log = logging.getLogger(__name__)

# The history's own format, beside the parser's fingerprint: another one means a rebuild.
# 2: closings are followed too (when each decision first appeared).
HISTORY_FORMAT = "history-2"


class HistoryWiki(Protocol):
    """What the history needs of the wiki (implemented by the wiki adapter)."""

    def read_histories(self, pages: Mapping[int, int]) -> list[RevisionText]:
        """Every revision of the pages ({page id: namespace}), each once."""
        ...

    def missed_revisions(self, page_id: int, after: int, before: int) -> list[RevisionText]:
        """The revisions of one page strictly between two revision ids, oldest first."""
        ...

    def group_members(self, group: str) -> frozenset[str]:
        """The members of a wiki user group."""
        ...

    def renamed_users(self) -> dict[str, str]:
        """{old name: new name} of the users renamed on the wiki."""
        ...


@dataclass(slots=True)
class Judged:
    """Records as counted (declarations' statuses, pledges within their rounds' dates), and
    the findings of governance and of the rounds' dates (listed apart on the anomalies page)."""

    records: Records
    governed: Governed
    window: Window
    problems: list[Problem]  # governance findings, then the rounds' dates'

    def governance_by_year(self) -> dict[int, list[Problem]]:
        """The governance findings by the year of the declaration they concern (for the
        contributions JSON of that year)."""
        found: dict[int, list[Problem]] = {}
        contributions = self.governed.records.contributions
        for declaration, verdict in zip(contributions, self.governed.verdicts, strict=True):
            if verdict is not None and verdict.problems:
                found.setdefault(declaration.date.year, []).extend(verdict.problems)
        return found


class HistoryKeeper:
    def __init__(
        self,
        wiki: HistoryWiki,
        state_path: Path,
        settings: GovernanceSettings,
        timezone: datetime.tzinfo,
    ) -> None:
        self.wiki = wiki
        self.store = HistoryStore(state_path)
        self.settings = settings
        self.timezone = timezone
        self.history: History | None = None
        self.fingerprint = ""
        self.revisions_read = 0  # by the last build
        self._rules: Governance | None = None
        self.pages = PageJudge(_timed_closings, _pledges, timezone)  # judged page by page

    def close(self) -> None:
        self.store.close()

    # -- keeping the history current ------------------------------------------------------------

    def load(self, fingerprint: str) -> bool:
        """Load the stored history of this parser; False when it must be built."""
        fingerprint = f"{fingerprint}/{HISTORY_FORMAT}"
        if self.history is None or fingerprint != self.fingerprint:
            self.history = self.store.load(fingerprint)
            self.fingerprint = fingerprint
        return self.history is not None

    def build(
        self, pages: Mapping[int, int], fingerprint: str, parse: Parse
    ) -> dict[int, RevisionText]:
        """Read every revision of the source pages and fold them; each page's latest revision
        (so that a first sync reads no page twice)."""
        texts = self.wiki.read_histories(pages)
        self.history = History.rebuild(parsed(texts, parse))
        self.fingerprint = f"{fingerprint}/{HISTORY_FORMAT}"
        self.revisions_read = len(texts)
        latest: dict[int, RevisionText] = {}
        for text in texts:
            if text.text is None:
                continue  # hidden: the sync reads that page as usual
            known = latest.get(text.page_id)
            if known is None or known.revision.rev_id < text.revision.rev_id:
                latest[text.page_id] = text
        return latest

    def advance(
        self,
        page_id: int,
        revision: RevisionRef,
        records: Records | None,
        parse: Parse,
        *,
        parent_id: int | None = None,
    ) -> None:
        """Fold one page's new parse; the revisions missed since the last one are read first."""
        history = self.history
        if history is None:
            return
        last = history.last_rev.get(page_id, 0)
        if last and parent_id is not None and parent_id > last:
            missed = self.wiki.missed_revisions(page_id, last, revision.rev_id)
            for change in parsed(missed, parse):
                history.apply(change)
        history.apply(PageRevision(page_id, revision, records))

    def remove(self, page_ids: Iterable[int], revision: RevisionRef) -> None:
        """Pages that are sources no more (deleted, or their calls removed)."""
        if self.history is not None:
            for page_id in sorted(page_ids):
                self.history.apply(PageRevision(page_id, revision, None))

    def forget(self, page_ids: Iterable[int]) -> None:
        """Pages that are sources no more: their records leave the history's present."""
        history = self.history
        if history is None:
            return
        moment = datetime.datetime.now(datetime.UTC)
        for page_id in sorted(page_ids):
            self.remove([page_id], RevisionRef(history.last_rev.get(page_id, 0), "", moment))

    def first_read(
        self, listed: Mapping[int, PageInfo], fingerprint: str, parse: Parse, *, rebuild: bool
    ) -> dict[int, PageText]:
        """On a first sync (no history stored for this parser) or a rebuild: every revision of
        the source pages read and folded, and each page's latest revision as a page read (so
        that no page is read twice). Empty when the stored history is loaded."""
        if not rebuild and self.load(fingerprint):
            return {}
        pages = {page_id: info.namespace for page_id, info in listed.items()}
        latest = self.build(pages, fingerprint, parse)
        return {page_id: page_text(text, listed) for page_id, text in latest.items()}

    def save(self) -> None:
        if self.history is not None:
            self.store.save(self.history, self.fingerprint)

    # -- judging ---------------------------------------------------------------------------------

    def rules(self) -> Governance:
        """The rules; the renames read once per process, the treasurer group's members too
        (and again at each full sync: `refresh_group`)."""
        if self._rules is None:
            settings = self.settings
            members = (
                self.wiki.group_members(settings.treasurer_group)
                if settings.treasurer_group
                else frozenset()
            )
            self._rules = Governance(
                mode=settings.mode,
                validators=frozenset(settings.validators),
                treasurers=frozenset(settings.treasurers),
                group_members=members,
                bots=frozenset(settings.bots),
                renamed=MappingProxyType(self.wiki.renamed_users()),
                timezone=self.timezone,
            )
        return self._rules

    def refresh_group(self) -> None:
        """Read the treasurer group's members again (each full sync does: a treasurer added
        to the group is one from the next full sync on). The rules, and the verdicts worked out
        with them, are kept when the members did not change."""
        rules, group = self._rules, self.settings.treasurer_group
        if rules is None or not group:
            return
        members = self.wiki.group_members(group)
        if members != rules.group_members:
            self._rules = replace(rules, group_members=members)

    def compute(
        self, records: Records, problems: list[Problem], config: SyncConfig, *, today: datetime.date
    ) -> Computation:
        """Every computed result, the records judged by the history first (when it is read)."""
        judged = self.judge(records)
        if judged is None:
            return compute_all(records, problems, config, today=today)
        return compute_all(
            judged.records,
            problems,
            config,
            today=today,
            governance=judged.governance_by_year(),
            window=judged.window,
        )

    def judge_pages(self, pages: Sequence[SourcePage]) -> Judgement | None:
        """The pages as counted, judged again only where they or their trails changed (what
        `judge` gives on their merged records, page by page); None while there is no history."""
        if self.history is None:
            return None
        return self.pages.judge(pages, self.history, self.rules())

    def judge(self, records: Records) -> Judged | None:
        """The records as counted with their findings; None while there is no history."""
        history = self.history
        if history is None:
            return None
        governed = govern(records, history, self.rules())
        window = apply_window(history.trails.values(), records.campaigns, self.timezone)
        counted = replace(
            records,
            contributions=governed.records.contributions,
            pledges=_pledges(records, window),
            closings=_timed_closings(records.closings, history),
        )
        return Judged(counted, governed, window, governed.problems + window.problems)


def _timed_closings(closings: list[Closing], history: History) -> list[Closing]:
    """Each closing with the revision time of the decision: when it first appeared (issue 13).
    One the history does not know yet (not folded, or changed since) keeps no time."""
    trails = history.by_source("closing")
    seen: dict[Source, int] = {}
    timed = []
    for closing in closings:
        occurrence = seen.get(closing.source, 0)
        seen[closing.source] = occurrence + 1
        found = trails.get(closing.source, [])
        trail = found[occurrence] if occurrence < len(found) else None
        if trail is not None and CLOSING.values(trail.record) == CLOSING.values(closing):
            closing = replace(closing, timestamp=trail.created.timestamp)
        timed.append(closing)
    return timed


def _pledges(records: Records, window: Window) -> list[Pledge]:
    """The pledges as the rounds' dates count them; one the history does not know yet (no
    verdict at its place) counts as written."""
    judged = {verdict.pledge.source for verdict in window.verdicts}
    return window.pledges + [p for p in records.pledges if p.source not in judged]


def page_text(text: RevisionText, listed: Mapping[int, PageInfo]) -> PageText:
    """A page's latest revision, read with the history, as a page read."""
    info = listed.get(text.page_id)
    revision = text.revision
    return PageText(
        text.page_id,
        text.title,
        info.namespace if info is not None else 0,
        revision.rev_id,
        revision.timestamp.strftime("%Y-%m-%dT%H:%M:%SZ"),
        text.text or "",
        user=revision.user,
        anonymous=revision.anonymous,
        user_hidden=revision.user_hidden,
        parent_id=text.parent_id,
    )
