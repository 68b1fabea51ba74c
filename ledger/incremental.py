"""The contribution ledger kept up to date page by page (issue 16): the reports and problems of
`compute_ledger` (with `check_plausibility`), recomputing only what changed pages touch.

`compute_ledger` splits into pieces that each read few records:

- the context: every circle, envelope and closing, with their problems and the name hints
  (few records; when one of them changes, every piece is recomputed);
- each page's declarations checked against the context: counted declarations (`_counted`),
  unknown circles, amounts over the ceiling, implausible values, circle-years used;
- each circle-year's totals from its declarations in chronological order;
- each year, assembled from its circle-years: contributors and months are sums of cents, the
  same in any order; the chronological list of declarations is the previous one with the
  changed pages' declarations taken out and put back in place (`bisect`).

A page that did not change keeps its checked declarations (the same objects), a circle-year
none of whose declarations changed keeps its totals. Problems are gathered in the order
`compute_ledger` gathers them before the same stable sort. The closings by revision time are
applied as `compute_ledger` applies them without `changed_at`: from each declaration's verdict
(the times given apart, `changed_at` and `paid_at`, are not covered).
"""

from __future__ import annotations

from bisect import bisect_left, insort_right
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from ledger.closing import Closure, index_closings
from ledger.contribution import (
    _CHRONOLOGICAL,
    TEMPLATE_CIRCLE,
    TEMPLATE_CONTRIBUTION,
    TEMPLATE_ENVELOPE,
    _circle_key,
    _circle_name,
    _circle_totals,
    _counted,
    _index_circles,
    _index_envelopes,
    _resolve,
    _Sums,
)
from ledger.name import NameHints
from ledger.plausibility import Limits, check_plausibility
from ledger.record import (
    Circle,
    Closing,
    Envelope,
    Problem,
    Records,
    Severity,
    Source,
)
from ledger.report import (
    CircleTotals,
    ContributionReport,
    ContributorTotals,
    CountedContribution,
    MonthTotals,
)
from ledger.split import name_order

GroupKey = tuple[str, int]  # (circle name, year)
_YearParts = tuple[tuple[CircleTotals, ...], tuple[ContributorTotals, ...], tuple[MonthTotals, ...]]
ContextRecords = tuple[list[Circle], list[Envelope], list[Closing]]


def context_records(records: Records) -> ContextRecords:
    """The records of a page that every declaration is checked against."""
    return records.circles, records.envelopes, records.closings


@dataclass(slots=True)
class _Context:
    """Circles, envelopes and closings indexed once, with their problems (tagged by year)."""

    known: dict[str, Circle]
    hints: NameHints
    envelopes: dict[GroupKey, Envelope]
    closings: dict[GroupKey, Closing]
    problems: list[tuple[int | None, Problem]]
    years: set[int]  # of envelopes and closings, even erroneous ones
    resolved: dict[tuple[str, int], tuple[str, Decimal] | None] = field(default_factory=dict)
    _timed: bool | None = None

    @property
    def timed(self) -> bool:
        """Whether a closing has a revision time (without one nothing is after it)."""
        if self._timed is None:
            self._timed = any(c.timestamp is not None for c in self.closings.values())
        return self._timed


def _context(records: ContextRecords) -> _Context:
    circles, envelopes, closings = records
    known, circle_problems = _index_circles(circles)
    hints = NameHints([circle.name for circle in known.values()])
    problems: list[tuple[int | None, Problem]] = [(None, p) for p in circle_problems]
    indexed = _index_envelopes(envelopes, known, hints, problems)
    found = index_closings(closings, lambda name: _circle_name(known, name), hints, problems)
    years = {e.year for e in envelopes} | {c.year for c in closings}
    return _Context(known, hints, indexed, found, problems, years)


@dataclass(frozen=True, slots=True)
class PageCheck:
    """One page's declarations checked against the context."""

    counted: tuple[CountedContribution, ...]  # in the page's order
    problems: tuple[tuple[int, Problem], ...]  # unknown circles, amounts over the ceiling
    implausible: tuple[tuple[int, Problem], ...]
    used: frozenset[GroupKey]  # circle-years of its counted declarations
    years: tuple[int, ...]  # of every declaration, counted or not
    # left out, changed after their circle-year's closing: (circle-year, where)
    late: tuple[tuple[GroupKey, Source], ...] = ()
    paid_after: frozenset[Source] = frozenset()  # counted, set `versée` after the closing


_EMPTY = PageCheck((), (), (), frozenset(), ())
_SPLICE_LIMIT = 50  # more changed pages than this: the years' lists are sorted again


def _check_page(records: Records, context: _Context, rate: Decimal, limits: Limits) -> PageCheck:
    """`ledger.contribution._check`'s loop over one page's declarations (the closings' times
    and the declarations' from their verdicts, as `compute_ledger` without `changed_at`)."""
    if not records.contributions:
        return _EMPTY
    counted: list[CountedContribution] = []
    problems: list[tuple[int, Problem]] = []
    used: set[GroupKey] = set()
    late: list[tuple[GroupKey, Source]] = []
    paid_after: set[Source] = set()
    resolved = context.resolved
    closings = context.closings if context.timed else {}
    for declaration in records.contributions:
        year = declaration.date.year
        key = (declaration.circle, year)
        if key in resolved:
            target = resolved[key]
        else:
            target = resolved[key] = _resolve(
                declaration.circle, year, context.known, context.envelopes, rate
            )
        if target is None:
            message = context.hints.unknown_message("cercle", declaration.circle)
            problem = Problem(declaration.source, TEMPLATE_CONTRIBUTION, Severity.ERROR, message)
            problems.append((year, problem))
            continue
        group = (target[0], year)
        used.add(group)
        item, found, left_out, paid = _counted(declaration, target, closings.get(group))
        if found is not None:
            problems.append((year, found))
        if left_out:
            late.append((group, item.source))
            continue
        if paid:
            paid_after.add(item.source)
        counted.append(item)
    return PageCheck(
        tuple(counted),
        tuple(problems),
        tuple(check_plausibility(records.contributions, limits)),
        frozenset(used),
        tuple(c.date.year for c in records.contributions),
        tuple(late),
        frozenset(paid_after),
    )


@dataclass(frozen=True, slots=True)
class _Group:
    """One circle-year: its declarations in chronological order and what they add up to."""

    items: tuple[CountedContribution, ...]
    people: dict[str, _Sums]  # by contributor, in order of first declaration
    months: dict[int, _Sums]
    totals: CircleTotals


class LedgerState:
    """The pieces of the last computation; `update` brings them to the given pages."""

    def __init__(self, *, default_rate: Decimal, floor: Decimal | None, limits: Limits) -> None:
        self.default_rate = default_rate
        self.floor = floor
        self.limits = limits
        self._context: _Context | None = None
        self.checks: dict[int, PageCheck] = {}  # by page id
        self._groups: dict[GroupKey, _Group] = {}
        self._members: dict[GroupKey, dict[int, list[CountedContribution]]] = defaultdict(dict)
        self._late: dict[GroupKey, dict[int, list[Source]]] = defaultdict(dict)
        self._used: Counter[GroupKey] = Counter()
        self._years: Counter[int] = Counter()  # of declarations
        self._by_year: dict[int, list[CountedContribution]] = {}  # chronological
        self._parts: dict[int, _YearParts] = {}  # each year's circles, contributors, months
        self.dirty: set[GroupKey] = set()  # the circle-years the last update recomputed

    def update(
        self,
        order: Sequence[int],
        records_of: Mapping[int, Records],
        changed: set[int],
        context: ContextRecords | None,
    ) -> tuple[dict[int, ContributionReport], list[Problem], list[tuple[int, Problem]]]:
        """The reports by year, every cross-reference problem and every implausible value
        (year, problem), for the pages `order` names (the order their records are merged in),
        whose records `records_of` holds.
        The problems (the list, each report's) are in `compute_ledger`'s order but not sorted:
        the caller merges them with others and sorts them once (`render.incremental`; a stable
        sort of the whole gives the same order either way). `changed`: the page ids added,
        removed or changed since the last update; `context`: the merged context records when
        one of them changed (all start again)."""
        if context is not None or self._context is None:
            self._restart(context)
            changed = set(order)
        assert self._context is not None
        touched: set[GroupKey] = set()
        # many pages changed (a first computation, a restart): the years' lists are sorted
        # again; otherwise each is copied once (the reports keep theirs) and spliced
        resort = len(changed) > _SPLICE_LIMIT
        lists: dict[int, list[CountedContribution]] | None = None if resort else {}
        for page_id in changed:
            old = self.checks.pop(page_id, _EMPTY)
            records = records_of.get(page_id)
            new = _EMPTY if records is None else self._check(records)
            if new is not _EMPTY:
                self.checks[page_id] = new
            self._replace(page_id, old, new, touched, lists)
        if lists is None:
            self._resort(order)
        else:
            self._by_year.update(lists)
        self.dirty = touched
        for key in touched:
            self._regroup(key)
            self._parts.pop(key[1], None)
        return self._assemble(order)

    def page_counted(self, page_id: int) -> tuple[CountedContribution, ...]:
        return self.checks.get(page_id, _EMPTY).counted

    def group_members(self, key: GroupKey) -> set[str]:
        """The contributors (as written) of a circle-year's declarations."""
        group = self._groups.get(key)
        return set() if group is None else set(group.people)

    # -- inside -------------------------------------------------------------------------------

    def _restart(self, context: ContextRecords | None) -> None:
        self._context = _context(context if context is not None else ([], [], []))
        self.checks.clear()
        self._groups.clear()
        self._members.clear()
        self._late.clear()
        self._used.clear()
        self._years.clear()
        self._by_year.clear()
        self._parts.clear()

    def _check(self, records: Records) -> PageCheck:
        assert self._context is not None
        return _check_page(records, self._context, self.default_rate, self.limits)

    def _replace(
        self,
        page_id: int,
        old: PageCheck,
        new: PageCheck,
        touched: set[GroupKey],
        lists: dict[int, list[CountedContribution]] | None,
    ) -> None:
        """Take a page's old declarations out of every piece and put its new ones in."""
        self._used.subtract(old.used)
        self._used.update(new.used)
        self._years.subtract(old.years)
        self._years.update(new.years)
        for item in old.counted:
            key = (item.circle, item.date.year)
            touched.add(key)
            self._members[key].pop(page_id, None)
            if lists is not None:
                _remove(self._year_list(lists, key[1]), item)
        for key, _ in old.late:
            touched.add(key)
            self._late[key].pop(page_id, None)
        for key, source in new.late:
            touched.add(key)
            self._late[key].setdefault(page_id, []).append(source)
        for item in new.counted:
            key = (item.circle, item.date.year)
            touched.add(key)
            self._members[key].setdefault(page_id, []).append(item)
            if lists is not None:
                # after equal keys: ties are declarations of one page, kept in its order
                insort_right(self._year_list(lists, key[1]), item, key=_CHRONOLOGICAL)

    def _year_list(
        self, lists: dict[int, list[CountedContribution]], year: int
    ) -> list[CountedContribution]:
        listed = lists.get(year)
        if listed is None:
            listed = lists[year] = list(self._by_year.get(year, ()))
        return listed

    def _resort(self, order: Sequence[int]) -> None:
        by_year: dict[int, list[CountedContribution]] = defaultdict(list)
        for page_id in order:
            check = self.checks.get(page_id)
            if check is not None:
                for item in check.counted:
                    by_year[item.date.year].append(item)
        for listed in by_year.values():
            listed.sort(key=_CHRONOLOGICAL)
        self._by_year = dict(by_year)

    def _regroup(self, key: GroupKey) -> None:
        assert self._context is not None
        members = self._members.get(key)
        if not members:
            self._members.pop(key, None)
            self._groups.pop(key, None)
            return
        # Ties in the chronological order are declarations of one page: a stable sort of any
        # concatenation of pages keeps each page's order, as the sort of all the year's does.
        items = sorted((item for part in members.values() for item in part), key=_CHRONOLOGICAL)
        self._groups[key] = self._group(key, items)

    def _group(self, key: GroupKey, items: list[CountedContribution]) -> _Group:
        assert self._context is not None
        name = key[0]
        people: dict[str, _Sums] = {}
        months: dict[int, _Sums] = defaultdict(_Sums)
        for item in items:
            sums = people.get(item.contributor)
            if sums is None:
                sums = people[item.contributor] = _Sums()
            sums.add(item)
            months[item.date.month].add(item)
        pages = self._members.get(key, {}).keys()
        paid_after = frozenset(s for pid in pages for s in self.checks[pid].paid_after)
        late = [source for sources in self._late.get(key, {}).values() for source in sources]
        closure = Closure(self.floor, self._context.closings.get(key), items, paid_after, late)
        envelope = self._context.envelopes.get(key)
        totals = _circle_totals(name, envelope, people, self.default_rate, closure)
        return _Group(tuple(items), people, dict(months), totals)

    def _assemble(
        self, order: Sequence[int]
    ) -> tuple[dict[int, ContributionReport], list[Problem], list[tuple[int, Problem]]]:
        context = self._context
        assert context is not None
        # the problems in `_check`'s order: context, each declaration in turn, missing envelopes
        tagged: list[tuple[int | None, Problem]] = list(context.problems)
        implausible: list[tuple[int, Problem]] = []
        checks = self.checks
        for page_id in order:
            check = checks.get(page_id)
            if check is not None and (check.problems or check.implausible):
                tagged.extend(check.problems)
                implausible.extend(check.implausible)
        used = {key for key, count in self._used.items() if count > 0}
        for name, year in sorted(used - context.envelopes.keys()):
            circle = context.known[_circle_key(name)]
            tagged.append((year, _missing_envelope(circle, name, year)))
        years = {year for year, count in self._years.items() if count > 0} | context.years
        by_year: dict[int, list[GroupKey]] = defaultdict(list)
        for key in self._groups:
            by_year[key[1]].append(key)
        reports = {year: self._report(year, by_year[year], tagged) for year in sorted(years)}
        return reports, [problem for _, problem in tagged], implausible

    def _report(
        self, year: int, keys: list[GroupKey], tagged: list[tuple[int | None, Problem]]
    ) -> ContributionReport:
        parts = self._parts.get(year)
        if parts is None:  # a year none of whose circle-years changed keeps its totals
            parts = self._parts[year] = self._totals(year, keys)
        circles, contributors, months = parts
        return ContributionReport(
            year=year,
            circles=list(circles),
            contributors=list(contributors),
            months=list(months),
            contributions=self._by_year.get(year, []),
            problems=[p for y, p in tagged if y is None or y == year],
            by_circle={name: self._groups[(name, y)].items for name, y in keys},
        )

    def _totals(self, year: int, keys: list[GroupKey]) -> _YearParts:
        context = self._context
        assert context is not None
        names = {name for name, y in context.envelopes if y == year} | {name for name, _ in keys}
        names |= {name for name, y in context.closings if y == year}
        circles = []
        for name in sorted(names, key=name_order):
            group = self._groups.get((name, year))
            if group is None:  # an envelope or a closing without declarations
                group = self._group((name, year), [])
            circles.append(group.totals)
        by_person: dict[str, _Sums] = defaultdict(_Sums)
        by_month: dict[int, _Sums] = defaultdict(_Sums)
        for key in keys:
            group = self._groups[key]
            for person, sums in group.people.items():
                by_person[person].merge(sums)
            for month, sums in group.months.items():
                by_month[month].merge(sums)
        contributors = [
            ContributorTotals(name, s.hours, s.requested, s.validated, s.paid)
            for name, s in sorted(by_person.items(), key=lambda item: name_order(item[0]))
        ]
        months = [
            MonthTotals(f"{year:04d}-{month:02d}", s.hours, s.requested, s.validated, s.paid)
            for month, s in sorted(by_month.items())
        ]
        return tuple(circles), tuple(contributors), tuple(months)


def _remove(listed: list[CountedContribution], item: CountedContribution) -> None:
    """Take this very declaration out of a chronological list."""
    index = bisect_left(listed, _CHRONOLOGICAL(item), key=_CHRONOLOGICAL)
    while listed[index] is not item:
        index += 1
    del listed[index]


def _missing_envelope(circle: Circle, name: str, year: int) -> Problem:
    message = (
        f"aucune enveloppe déclarée pour le cercle « {name} » en {year} :"
        f" ajoutez {{{{{TEMPLATE_ENVELOPE}}}}}"
    )
    return Problem(circle.source, TEMPLATE_CIRCLE, Severity.WARNING, message)


def merged_context(pages: Iterable[Records]) -> ContextRecords:
    """The context records of all pages, in the pages' order."""
    circles: list[Circle] = []
    envelopes: list[Envelope] = []
    closings: list[Closing] = []
    for records in pages:
        circles.extend(records.circles)
        envelopes.extend(records.envelopes)
        closings.extend(records.closings)
    return circles, envelopes, closings
