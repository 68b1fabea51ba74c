"""`compute_all` kept up to date from one sync to the next (issue 16): a live sync recomputes
only what its changed pages touch, and the result equals a full recompute.

What each piece reads, and so when it is recomputed:

- the contribution ledger (`ledger.incremental.LedgerState`): the changed pages' declarations
  and the circle-years they are counted in; everything when a circle, an envelope or a closing
  changed;
- the co-budget: every campaign, when a `{{Cobudget}}`, a project or a pledge changed (a
  member's pledges are judged together, across pages), else the same reports;
- the cards' feedback, page by page: a page's entries when its declarations or pledges were
  judged again or its problems changed; a shard of card data when one of its pages changed;
- the requested statements: those of the members who declared in a recomputed circle-year
  (their shares of a split change with the others' declarations), all of them when the
  co-budget or the context was recomputed;
- the problems (few) are merged and sorted again on each computation.

`tests/unit/test_incremental.py` checks on random sequences of edits that every computed
result and every rendered page equals `compute_all`'s.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import fields
from itertools import chain
from typing import Protocol

from ledger.budget import compute_campaigns
from ledger.incremental import LedgerState, context_records, merged_context
from ledger.record import Problem, Records
from ledger.report import CampaignReport, ContributionReport, CountedPledge
from ledger.statement import (
    CampaignIndex,
    Statement,
    StatementIndex,
    YearIndex,
    YearLines,
    index_campaign,
    index_year,
    normalise_member,
)
from ledger.window import Window
from parsers.card import CardCall
from render.card import (
    CARD_SHARDS,
    Feedback,
    contribution_feedback,
    page_entries,
    pledge_feedback,
    shard_of,
)
from render.compute import (
    Computation,
    SortedProblems,
    _wiki_names,
    assemble_years,
    finish_problems,
    judge_campaigns,
    parse_families,
)
from render.config import SyncConfig
from render.statement import requested_statements


class SourcePage(Protocol):
    """A parsed source page (`sync.state.ParsedPage`); a new object whenever it changed."""

    @property
    def page_id(self) -> int: ...
    @property
    def title(self) -> str: ...
    @property
    def records(self) -> Records: ...
    @property
    def problems(self) -> list[Problem]: ...
    @property
    def cards(self) -> tuple[CardCall, ...]: ...


def _budget(records: Records) -> tuple[object, ...]:
    return (records.campaigns, records.projects, records.pledges)


class _RecordsOf(Mapping[int, Records]):
    """The records of the pages by id, read from the pages themselves (nothing copied)."""

    __slots__ = ("_pages",)

    def __init__(self, pages: Mapping[int, SourcePage]) -> None:
        self._pages = pages

    def __getitem__(self, page_id: int) -> Records:
        return self._pages[page_id].records

    def __iter__(self) -> Iterator[int]:
        return iter(self._pages)

    def __len__(self) -> int:
        return len(self._pages)


class IncrementalComputer:
    """The pieces of the last computation, for one engine; `compute` is called in a sync."""

    def __init__(self, config: SyncConfig) -> None:
        self.config = config
        self._ledger = LedgerState(
            default_rate=config.default_rate, floor=config.closing_floor, limits=config.limits
        )
        self._pages: dict[int, SourcePage] = {}
        self._cards: dict[str, tuple[int, tuple[CardCall, ...]]] = {}  # computation.cards
        self._records: Records | None = None  # the last merged records
        self._started = False
        self._campaigns: tuple[dict[str, CampaignReport], list[Problem]] = ({}, [])
        # the campaigns as the computation holds them (problems, the rounds' window), and the
        # late changes the window found; kept while their inputs are the same objects
        self._judged_campaigns: tuple[tuple[object, ...], dict[str, CampaignReport], list[Problem]]
        self._judged_campaigns = ((), {}, [])
        self._pledges: dict[str, list[CountedPledge]] = {}  # by page title, judged order
        self._campaigns_fresh = False  # whether the last `_campaigns_judged` worked them out
        self._entries: dict[int, tuple[int, dict[str, Feedback]]] = {}  # page id: shard, entries
        self._page_problems: dict[str, list[Problem]] = {}
        self._shards: dict[int, tuple[tuple[str, Feedback], ...]] = {}
        self._statements: dict[str, Statement] = {}
        self._year_indexes: dict[int, tuple[tuple[object, ...], YearIndex]] = {}
        self._campaign_indexes: dict[str, tuple[CampaignReport, CampaignIndex]] = {}
        self._lines: YearLines = {}
        self._spellings: dict[str, str] = {}  # member names as written -> normalised
        self._sorts = SortedProblems()  # each year's problems, the governance findings, all
        self.recomputed: dict[str, int] = {}  # what the last computation did again, for tests
        self._deferred: Computation | None = None  # the last one, while `defer` left it

    def compute(
        self,
        pages: Sequence[SourcePage],
        today: datetime.date,
        *,
        governance: Mapping[int, list[Problem]] | None = None,
        window: Window | None = None,
        defer: bool = False,
    ) -> Computation:
        """What `compute_all` returns for the merged records of `pages` (in merge order) and
        the same `governance` and `window`, with `cards`, `card_shards` and `statements`
        filled in.

        `defer`: the cards' entries and the statements are left for `Computation.complete`,
        so that a live sync can save the registre first and work them out meanwhile (issue
        16); until then `card_shards` and `statements` are None. The next `compute` completes
        a computation left incomplete."""
        if self._deferred is not None:
            self._deferred.complete()  # its sync stopped early: the pieces must follow it
            self._deferred = None
        current = {page.page_id: page for page in pages}
        old = self._pages
        changed = {pid for pid, page in current.items() if old.get(pid) is not page}
        changed |= old.keys() - current.keys()
        empty = Records()

        def before(pid: int) -> Records:
            return old[pid].records if pid in old else empty

        def after(pid: int) -> Records:
            return current[pid].records if pid in current else empty

        restart = not self._started
        context = restart or any(
            context_records(before(pid)) != context_records(after(pid)) for pid in changed
        )
        budget = restart or any(_budget(before(pid)) != _budget(after(pid)) for pid in changed)
        moved_members = {
            normalise_member(item.contributor)
            for pid in changed
            for item in self._ledger.page_counted(pid)
        }
        records = self._merge(pages, changed, before, after)
        reports, ledger_problems, implausible = self._ledger.update(
            [page.page_id for page in pages],
            _RecordsOf(current),
            changed,
            merged_context(page.records for page in pages) if context else None,
        )
        if budget:
            self._campaigns = compute_campaigns(records)
        computation = self._assemble(
            pages, records, reports, ledger_problems, implausible, today, governance or {}, window
        )
        # the campaigns as counted changed: their pledges, the rounds' window, their problems
        campaigns_changed = budget or self._campaigns_fresh
        if campaigns_changed:
            self._pledges = defaultdict(list)
            for campaign in computation.campaigns.values():
                for pledge in campaign.pledges:
                    self._pledges[pledge.source.page].append(pledge)
        every = context or campaigns_changed
        members = moved_members | {
            normalise_member(item.contributor)
            for pid in changed
            for item in self._ledger.page_counted(pid)
        }
        for key in self._ledger.dirty:
            members |= {normalise_member(name) for name in self._ledger.group_members(key)}
        circle_years = len(self._ledger.dirty)
        problems = computation.problems  # as computed: the engine may add held pages later

        computation.cards = self._cards_of(current, old, changed, restart)

        def rest() -> None:
            cards = self._update_cards(
                pages, computation, problems, changed, every, campaigns_changed
            )
            statements = self._update_statements(computation, None if every else members)
            self.recomputed = {
                "context": int(context),
                "budget": int(budget),
                "circle_years": circle_years,
                "card_pages": cards,
                "statements": statements,
            }

        self._pages = current
        self._started = True
        computation.defer(rest)
        if defer:
            self._deferred = computation
        else:
            computation.complete()
        return computation

    def _cards_of(
        self,
        current: dict[int, SourcePage],
        old: dict[int, SourcePage],
        changed: set[int],
        restart: bool,
    ) -> dict[str, tuple[int, tuple[CardCall, ...]]]:
        """{title: (page id, card calls)} of every page, the changed pages' entries replaced
        (a copy: a computation already handed out may be read while the next one is made)."""
        cards = self._cards
        if restart:
            cards = self._cards = {p.title: (p.page_id, p.cards) for p in current.values()}
        else:
            for pid in changed:
                was = old.get(pid)
                if was is not None and cards.get(was.title, (None,))[0] == pid:
                    del cards[was.title]  # gone, or renamed: its old title first
            for pid in changed & current.keys():
                page = current[pid]
                cards[page.title] = (pid, page.cards)
        return dict(cards)

    def _merge(
        self,
        pages: Sequence[SourcePage],
        changed: set[int],
        before: Callable[[int], Records],
        after: Callable[[int], Records],
    ) -> Records:
        """The merged records; a kind no changed page holds (before or after) keeps its list."""
        previous = self._records
        merged = Records()
        for kind in (f.name for f in fields(Records)):
            held = any(getattr(before(pid), kind) or getattr(after(pid), kind) for pid in changed)
            if previous is None or held:
                setattr(
                    merged, kind, list(chain.from_iterable(getattr(p.records, kind) for p in pages))
                )
            else:
                setattr(merged, kind, getattr(previous, kind))
        self._records = merged
        return merged

    def _assemble(
        self,
        pages: Sequence[SourcePage],
        records: Records,
        reports: dict[int, ContributionReport],
        ledger_problems: list[Problem],
        implausible: list[tuple[int, Problem]],
        today: datetime.date,
        governance: Mapping[int, list[Problem]],
        window: Window | None,
    ) -> Computation:
        """The end of `compute_all`, on the pieces: problems renamed, merged and sorted."""
        config = self.config
        parse_problems = [problem for page in pages for problem in page.problems]
        contribution_parse, budget_parse = parse_families(parse_problems, config)
        computation = Computation(records, parse_problems, today=today)
        rename = _wiki_names(config)
        sorts = self._sorts
        contribution_problems = assemble_years(
            computation,
            reports,
            ledger_problems,
            implausible,
            governance,
            rename,
            contribution_parse,
            sorts.sort,
        )
        campaigns, campaign_problems = self._campaigns
        judged, late = self._campaigns_judged(campaigns, budget_parse, window)
        computation.campaigns.update(judged)
        finish_problems(
            computation,
            config,
            rename(campaign_problems),
            contribution_problems,
            late,
            sorts.sort,
        )
        sorts.keep({*reports, "governance", "all"})
        return computation

    def _campaigns_judged(
        self,
        campaigns: dict[str, CampaignReport],
        budget_parse: list[Problem],
        window: Window | None,
    ) -> tuple[dict[str, CampaignReport], list[Problem]]:
        """`render.compute.judge_campaigns`, kept: the same objects while the campaigns, the
        parse problems and the window are."""
        key = (campaigns, window, budget_parse)
        held_key, held, held_late = self._judged_campaigns
        if (
            len(held_key) == 3
            and held_key[0] is campaigns
            and held_key[1] is window
            and held_key[2] == budget_parse
        ):
            self._campaigns_fresh = False
            return dict(held), held_late
        self._campaigns_fresh = True
        judged, late = judge_campaigns(campaigns, budget_parse, window, _wiki_names(self.config))
        self._judged_campaigns = (key, judged, late)
        return dict(judged), late

    def _update_cards(
        self,
        pages: Sequence[SourcePage],
        computation: Computation,
        problems: list[Problem],
        changed: set[int],
        every: bool,
        budget: bool,
    ) -> int:
        """Bring the cards' entries up to date; returns how many pages were judged again."""
        by_page: dict[str, list[Problem]] = defaultdict(list)
        for problem in problems:
            by_page[problem.source.page].append(problem)
        dirty = set(changed)
        current = {page.page_id: page for page in pages}
        if every:
            dirty |= current.keys()
        ids: dict[str, list[int]] = defaultdict(list)
        for page in pages:
            ids[page.title].append(page.page_id)
        for title in by_page.keys() | self._page_problems.keys():
            if by_page.get(title, []) != self._page_problems.get(title, []):
                dirty.update(ids.get(title, ()))  # a page whose title changed is in `changed`
        if budget:
            for title in self._pledges:
                dirty.update(ids.get(title, ()))
        self._page_problems = dict(by_page)
        shards: set[int] = set()
        for pid in dirty:
            held = self._entries.pop(pid, None)
            if held is not None:
                shards.add(held[0])
            found = current.get(pid)
            if found is not None:
                shard = shard_of(pid)
                shards.add(shard)
                self._entries[pid] = (shard, self._page_entries(found, by_page))
        if not self._shards:
            shards = set(range(CARD_SHARDS))
        members: dict[int, list[int]] = defaultdict(list)
        for pid, (shard, _) in self._entries.items():
            if shard in shards:
                members[shard].append(pid)
        for shard in shards:
            merged: dict[str, Feedback] = {}
            for pid in members.get(shard, ()):
                merged.update(self._entries[pid][1])
            self._shards[shard] = tuple(sorted(merged.items()))
        computation.card_shards = dict(self._shards)
        return len(dirty)

    def _page_entries(
        self, page: SourcePage, by_page: dict[str, list[Problem]]
    ) -> dict[str, Feedback]:
        if not page.cards:
            return {}
        title = page.title
        judged: dict[tuple[str, int], Feedback] = {}
        # as `render.card._feedbacks` meets them: by year and date, then the pledges
        for item in sorted(self._ledger.page_counted(page.page_id), key=lambda c: c.date):
            judged[(item.source.page, item.source.line)] = contribution_feedback(item)
        for pledge in self._pledges.get(title, ()):
            judged[(pledge.source.page, pledge.source.line)] = pledge_feedback(pledge)
        problems: dict[tuple[str, int], list[Problem]] = defaultdict(list)
        for problem in by_page.get(title, ()):
            problems[(problem.source.page, problem.source.line)].append(problem)
        return page_entries(title, page.page_id, page.cards, judged, problems, {})

    def _statement_index(self, computation: Computation) -> StatementIndex:
        """The reports read by member; a year whose declarations and circles are the same
        objects as last time, and an unchanged campaign, are not read again."""
        years: dict[int, tuple[tuple[object, ...], YearIndex]] = {}
        for year, report in sorted(computation.contributions.items()):
            key = (report.contributions, *report.circles)
            held = self._year_indexes.get(year)
            if (
                held is None
                or len(held[0]) != len(key)
                or any(a is not b for a, b in zip(held[0], key, strict=True))
            ):
                if len(self._spellings) > 100_000:
                    self._spellings.clear()  # spellings of names nobody writes any more
                held = (key, index_year(report, self._spellings))
            years[year] = held
        campaigns: dict[str, tuple[CampaignReport, CampaignIndex]] = {}
        for name, raw in sorted(computation.campaigns.items()):
            found = self._campaign_indexes.get(name)
            campaigns[name] = found if found and found[0] is raw else (raw, index_campaign(raw))
        self._year_indexes, self._campaign_indexes = years, campaigns
        alive = {id(index) for _, index in years.values()}
        self._lines = {key: line for key, line in self._lines.items() if key[0] in alive}
        return StatementIndex.from_parts(
            [index for _, index in years.values()], [index for _, index in campaigns.values()]
        )

    def _update_statements(self, computation: Computation, members: set[str] | None) -> int:
        """The requested statements, computed again for `members` (None: for everyone)."""
        config = self.config
        requested = requested_statements(computation.records.statements, config.user_namespaces)
        wanted = {m for title, m in requested.items() if not config.pages.is_output(title)}
        kept = {
            member: statement
            for member, statement in self._statements.items()
            if member in wanted and members is not None and normalise_member(member) not in members
        }
        missing = wanted - kept.keys()
        if missing:
            index = self._statement_index(computation)
            kept.update({m: index.statement(m, self._lines) for m in missing})
        self._statements = kept
        computation.statements = dict(kept)
        return len(missing)
