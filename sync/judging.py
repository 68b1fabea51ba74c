"""Judging the records with their history page by page, kept from one sync to the next
(issue 16): a live sync judges again only the pages it read and those whose trails it changed,
so that the incremental computer (`render.incremental`) gets the records as counted and
recomputes only what they touch.

A judged page is its source page with its declarations as counted (`ledger.governance`), its
closings timed and no pledges: the pledges are judged together by the rounds' dates
(`ledger.window`, across pages, removed ones included) and carried by one page of their own,
`PLEDGES`, last in the merge order. The result is what `HistoryKeeper.compute` gives on the
same pages (`tests/unit/test_incremental.py` checks it on random edits).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from ledger.governance import Governance, Verdict, govern
from ledger.history import Trail
from ledger.record import Closing, Pledge, Problem, Records, Source
from ledger.trail import History
from ledger.window import Window, apply_window
from parsers.card import CardCall
from render.incremental import SourcePage

PLEDGES = -1  # the page id of the page that carries every pledge as counted


@dataclass(frozen=True, slots=True)
class JudgedPage:
    """A source page as counted (a `render.incremental.SourcePage`)."""

    page_id: int
    title: str
    records: Records
    problems: list[Problem]
    cards: tuple[CardCall, ...] = ()
    governance: tuple[tuple[int, Problem], ...] = ()  # (year, finding) of its declarations


@dataclass(slots=True)
class Judgement:
    """The pages as counted (in merge order, `PLEDGES` last) and what the full path's
    `Judged` holds besides: the governance findings by year, and the rounds' window."""

    pages: list[JudgedPage]
    governance: dict[int, list[Problem]]
    window: Window


TimedClosings = Callable[[list[Closing], History], list[Closing]]
CountedPledges = Callable[[Records, Window], list[Pledge]]


@dataclass(slots=True)
class _Held:
    source: SourcePage  # the page judged (the object: a page read again is a new one)
    judged: JudgedPage


@dataclass(slots=True)
class PageJudge:
    """The judged pages of the last sync, for one history and one set of rules."""

    timed_closings: TimedClosings
    counted_pledges: CountedPledges
    timezone: datetime.tzinfo
    _history: History | None = None  # the object itself: an id could be a new one's
    _key: tuple[object, ...] = ()
    _held: dict[int, _Held] = field(default_factory=dict)
    _governance: dict[int, list[Problem]] | None = None
    _everywhere: dict[Source, list[Trail]] | None = None  # every trail, during one call
    _window: Window | None = None
    _pledge_page: JudgedPage | None = None
    rejudged: int = 0  # pages judged again by the last call, for tests

    def judge(self, pages: Sequence[SourcePage], history: History, rules: Governance) -> Judgement:
        """Every page as counted; only the pages that changed, or whose trails changed, are
        judged again (all of them with other rules, another history or new référent·es)."""
        key = (rules, history.referents_serial)
        touched = history.take_touched()
        if history is not self._history or key != self._key:
            self._history, self._key, self._held, self._window = history, key, {}, None
            self._governance = None
        held, current = self._held, {page.page_id: page for page in pages}
        stale = {
            pid
            for pid, page in current.items()
            if pid in touched or pid not in held or held[pid].source is not page
        }
        gone = held.keys() - current.keys()
        # the rounds' window reads every pledge's trail and the campaigns' dates
        budget = self._window is None or any(
            _has_budget(held[pid].source.records) for pid in (stale | gone) & held.keys()
        )
        # the findings by year are gathered again only when a page's findings changed, or a
        # page with findings came, went or moved in the merge order (a rename)
        findings = self._governance is None
        for pid in gone:
            findings = findings or bool(held[pid].judged.governance)
            del held[pid]
        self._everywhere = None
        for pid in sorted(stale):
            page = current[pid]
            budget = budget or _has_budget(page.records)
            judged_page = self._judge_page(page, history, rules)
            before = held.get(pid)
            findings = findings or (
                bool(judged_page.governance)
                if before is None
                else before.judged.governance != judged_page.governance
                or (bool(judged_page.governance) and before.source.title != page.title)
            )
            held[pid] = _Held(page, judged_page)
        self._everywhere = None
        self.rejudged = len(stale)
        if budget or self._window is None or self._pledge_page is None:
            records = Records()
            for page in pages:
                records.campaigns.extend(page.records.campaigns)
                records.pledges.extend(page.records.pledges)
            window = apply_window(history.trails.values(), records.campaigns, self.timezone)
            self._window = window
            self._pledge_page = JudgedPage(
                PLEDGES, "", Records(pledges=self.counted_pledges(records, window)), []
            )
        judged = [held[page.page_id].judged for page in pages]
        governance = self._governance
        if findings or governance is None:
            governance = self._governance = {}
            for page in judged:
                for year, problem in page.governance:
                    governance.setdefault(year, []).append(problem)
        return Judgement([*judged, self._pledge_page], governance, self._window)

    def _judge_page(self, page: SourcePage, history: History, rules: Governance) -> JudgedPage:
        records = page.records
        trails: dict[Source, list[Trail]] = defaultdict(list)
        for number in history.pages.get(page.page_id, {}).get("contribution", ()):
            trail = history.trails[number]
            source = getattr(trail.record, "source", None)
            if isinstance(source, Source):
                trails[source].append(trail)
        wanted: dict[Source, int] = defaultdict(int)
        for declaration in records.contributions:
            wanted[declaration.source] += 1
        if any(len(trails.get(source, ())) < n for source, n in wanted.items()):
            if self._everywhere is None:  # a declaration moved: look wider, once per call
                self._everywhere = history.by_source("contribution")
            trails = defaultdict(list, self._everywhere)
        governed = govern(records, history, rules, trails)
        findings = tuple(
            (declaration.date.year, problem)
            for declaration, verdict in zip(
                governed.records.contributions, governed.verdicts, strict=True
            )
            if isinstance(verdict, Verdict)
            for problem in verdict.problems
        )
        counted = replace(
            records,
            contributions=governed.records.contributions,
            pledges=[],
            closings=self.timed_closings(records.closings, history) if records.closings else [],
        )
        return JudgedPage(page.page_id, page.title, counted, page.problems, page.cards, findings)


def _has_budget(records: Records) -> bool:
    return bool(records.pledges or records.campaigns)
