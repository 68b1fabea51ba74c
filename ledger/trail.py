"""The trail builder: fold the parses of successive revisions into each record's history.

`History.apply` takes one page's parse at one revision (the live path: the cached parse of the
previous revision is the history's current state of that page); `History.rebuild` folds every
revision of every source page in revision order (ids are global on a wiki, so this is time
order across pages). Records are matched with `ledger.matching`. A record that disappears is
kept aside: when the same content comes back — an edit undone, or cut from one page and
pasted on another — it is the same record again (`moved` when on another page). Pasted first
and cut afterwards works too: the copy takes over the original's history when the original
goes. The history depends only on the revisions, so it can always be rebuilt from the wiki.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ledger.history import RevisionRef, Trail, Version
from ledger.matching import KINDS, Kind, match_records
from ledger.matching import loose_key as circle_key
from ledger.record import Circle, Records, Source

Values = tuple[object, ...]


@dataclass(frozen=True, slots=True)
class PageRevision:
    """A source page's records as one revision left them (None: the page is gone)."""

    page_id: int
    revision: RevisionRef
    records: Records | None


class History:
    """Every record's trail, the records of each page now, and the circles' référent·es."""

    def __init__(self) -> None:
        self.trails: dict[int, Trail] = {}
        self.pages: dict[int, dict[str, list[int]]] = {}  # page id -> kind -> trail numbers
        self.last_rev: dict[int, int] = {}  # page id -> last revision applied
        # kind -> content -> trail numbers: of the records on the pages, of those removed
        self._live: dict[str, dict[Values, list[int]]] = {}
        self._gone: dict[str, dict[Values, list[int]]] = {}
        # circle key -> [(rev id, référent·es from then on)], in revision order
        self.referents: dict[str, list[tuple[int, tuple[str, ...]]]] = {}
        self._next = 1
        # What changed since the last `take_changes()`: trails to save, trails merged away.
        self.dirty: set[int] = set()
        self.deleted: set[int] = set()
        # The pages whose trails changed since the last `take_touched()` (for a judge that
        # keeps each page's verdicts: sync.keeper).
        self.touched: set[int] = set()
        # Verdicts already worked out, by trail, for `ledger.governance` (never stored): valid
        # for the rules in `cache_owner` while the trail and the référent·es are unchanged.
        self.cache: dict[int, tuple[object, ...]] = {}
        self.cache_owner: object = None
        self.referents_serial = 0  # changes whenever a circle's référent·es change

    # The indexes are derived from the trails, so they are not stored: what is stored is the
    # trails, the pages' lists and the référent·es (`__getstate__`), and every choice made
    # with the indexes depends on their contents only, never on their order.
    def __getstate__(self) -> dict[str, object]:
        return {
            "trails": self.trails,
            "pages": self.pages,
            "last_rev": self.last_rev,
            "referents": self.referents,
            "next": self._next,
        }

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__init__()  # type: ignore[misc]
        self.restore(
            state["trails"],  # type: ignore[arg-type]
            state["pages"],  # type: ignore[arg-type]
            state["last_rev"],  # type: ignore[arg-type]
            state["referents"],  # type: ignore[arg-type]
            state["next"],  # type: ignore[arg-type]
        )

    def restore(
        self,
        trails: dict[int, Trail],
        pages: dict[int, dict[str, list[int]]],
        last_rev: dict[int, int],
        referents: dict[str, list[tuple[int, tuple[str, ...]]]],
        next_number: int,
    ) -> None:
        """Set the history from what was stored, and derive its indexes."""
        self.trails, self.pages, self.last_rev = trails, pages, last_rev
        self.referents, self._next = referents, next_number
        by_name = {kind.name: kind for kind in KINDS}
        for number in sorted(trails):
            trail = trails[number]
            kind = by_name[trail.kind]
            index = self._live if trail.present else self._gone
            values = kind.values(trail.record)
            index.setdefault(kind.name, {}).setdefault(values, []).append(number)

    @property
    def next_number(self) -> int:
        return self._next

    def take_changes(self) -> tuple[set[int], set[int]]:
        """The trails changed and deleted since the last call (for an incremental save)."""
        changed, deleted = self.dirty - self.deleted, set(self.deleted)
        self.dirty, self.deleted = set(), set()
        return changed, deleted

    def take_touched(self) -> set[int]:
        """The ids of the pages whose trails changed since the last call."""
        touched, self.touched = self.touched, set()
        return touched

    @classmethod
    def rebuild(cls, revisions: Iterable[PageRevision]) -> History:
        """The history from every revision of the source pages, in any order."""
        history = cls()
        for change in sorted(revisions, key=lambda r: (r.revision.rev_id, r.page_id)):
            history.apply(change)
        return history

    # -- folding one revision ----------------------------------------------------------------

    def apply(self, change: PageRevision) -> None:
        """Fold one page's parse at one revision; an older or repeated revision changes nothing."""
        page_id, rev_id = change.page_id, change.revision.rev_id
        if change.records is not None and rev_id <= self.last_rev.get(page_id, 0):
            return
        self.last_rev[page_id] = max(rev_id, self.last_rev.get(page_id, 0))
        self.touched.add(page_id)
        on_page = self.pages.setdefault(page_id, {})
        circles_touched: set[str] = set()
        for kind in KINDS:
            numbers = on_page.get(kind.name, [])
            new: Sequence[object] = (
                getattr(change.records, kind.name + "s") if change.records is not None else ()
            )
            if not numbers and not new:
                continue
            kept = self._apply_kind(kind, page_id, change.revision, numbers, new)
            if kind.name == "circle":
                for number in set(numbers) | set(kept):
                    for version in self.trails[number].versions[-2:]:
                        if isinstance(version.record, Circle):
                            circles_touched.add(circle_key(version.record.name))
            on_page[kind.name] = kept
        if change.records is None:
            self.pages.pop(page_id, None)
            # Undeleted, the page comes back at one of its old revisions: let it be applied.
            self.last_rev.pop(page_id, None)
        for key in sorted(circles_touched):
            self._note_referents(key, rev_id)

    def _apply_kind(
        self,
        kind: Kind,
        page_id: int,
        revision: RevisionRef,
        numbers: list[int],
        new: Sequence[object],
    ) -> list[int]:
        old = [self.trails[number].record for number in numbers]
        matching = match_records(kind, old, new)
        result: dict[int, int] = {}  # index in new -> trail number
        for i, j in matching.pairs:
            trail = self.trails[numbers[i]]
            self._update(kind, trail, page_id, revision, new[j])
            result[j] = trail.number
            self.dirty.add(trail.number)
        for i in matching.removed:
            self._remove(kind, self.trails[numbers[i]], page_id, revision)
            self.dirty.add(numbers[i])
        for j in matching.added:
            result[j] = self._add(kind, page_id, revision, new[j])
            self.dirty.add(result[j])
        return [result[j] for j in range(len(new))]

    def _update(
        self, kind: Kind, trail: Trail, page_id: int, revision: RevisionRef, record: object
    ) -> None:
        before = trail.record
        values = kind.values(record)
        # A page renamed keeps its id: its records did not move (and a rebuild, which reads
        # every revision under the page's title now, could not tell).
        if kind.values(before) != values or trail.page_id != page_id:
            trail.versions.append(Version(revision, page_id, record))
            self._unindex(self._live, kind, kind.values(before), trail.number)
            self._live.setdefault(kind.name, {}).setdefault(values, []).append(trail.number)
        trail.record = record
        trail.page_id = page_id

    def _remove(self, kind: Kind, trail: Trail, page_id: int, revision: RevisionRef) -> None:
        values = kind.values(trail.record)
        self._unindex(self._live, kind, values, trail.number)
        copy = self._young_copy(kind, trail, values)
        if copy is not None:
            # Pasted elsewhere before being cut here: the copy is this record, moved.
            self._unindex(self._live, kind, values, copy.number)
            trail.versions.append(Version(copy.created, copy.page_id, copy.record))
            trail.record, trail.page_id = copy.record, copy.page_id
            self._live.setdefault(kind.name, {}).setdefault(values, []).append(trail.number)
            on_page = self.pages[copy.page_id][kind.name]
            on_page[on_page.index(copy.number)] = trail.number
            self.touched.add(copy.page_id)
            del self.trails[copy.number]
            self.deleted.add(copy.number)
            return
        trail.versions.append(Version(revision, page_id, None))
        self._gone.setdefault(kind.name, {}).setdefault(values, []).append(trail.number)

    def _young_copy(self, kind: Kind, trail: Trail, values: Values) -> Trail | None:
        """A record with the same content, on another page, that appeared after this one's
        last change and has not changed since: a copy waiting for its original to be cut."""
        since = trail.versions[-1].revision.rev_id
        copies = [
            other
            for number in self._live.get(kind.name, {}).get(values, ())
            if (other := self.trails[number]).page_id != trail.page_id
            and len(other.versions) == 1
            and other.created.rev_id > since
        ]
        return min(copies, key=lambda t: (t.created.rev_id, t.number), default=None)

    def _add(self, kind: Kind, page_id: int, revision: RevisionRef, record: object) -> int:
        values = kind.values(record)
        gone = self._gone.get(kind.name, {}).get(values)
        if gone:
            # The same content came back: an undone removal, or a cut pasted here. Prefer one
            # removed from this page, then the one removed last.
            def preference(number: int) -> tuple[bool, int, int]:
                trail = self.trails[number]
                return (trail.page_id == page_id, trail.versions[-1].revision.rev_id, number)

            number = max(gone, key=preference)
            self._unindex(self._gone, kind, values, number)
            trail = self.trails[number]
            trail.versions.append(Version(revision, page_id, record))
            trail.record, trail.page_id = record, page_id
        else:
            number = self._next
            self._next += 1
            self.trails[number] = Trail(
                number, kind.name, page_id, record, [Version(revision, page_id, record)]
            )
        self._live.setdefault(kind.name, {}).setdefault(values, []).append(number)
        return number

    def _unindex(
        self, index: dict[str, dict[Values, list[int]]], kind: Kind, values: Values, number: int
    ) -> None:
        by_values = index.get(kind.name, {})
        numbers = by_values.get(values)
        if numbers and number in numbers:
            numbers.remove(number)
            if not numbers:
                del by_values[values]

    def _note_referents(self, key: str, rev_id: int) -> None:
        names: dict[str, None] = {}
        for trail in self.current("circle"):
            circle = trail.record
            if isinstance(circle, Circle) and circle_key(circle.name) == key:
                names.update(dict.fromkeys(circle.referents))
        timeline = self.referents.setdefault(key, [])
        referents = tuple(names)
        if not timeline or timeline[-1][1] != referents:
            timeline.append((rev_id, referents))
            self.referents_serial += 1

    # -- reading -----------------------------------------------------------------------------

    def current(self, kind: str) -> list[Trail]:
        """The trails of the records on the pages now, by page id then page order."""
        return [
            self.trails[number]
            for page_id in sorted(self.pages)
            for number in self.pages[page_id].get(kind, [])
        ]

    def by_source(self, kind: str) -> dict[Source, list[Trail]]:
        """The trails of the records now, by their source (a line may hold several calls)."""
        found: dict[Source, list[Trail]] = defaultdict(list)
        for trail in self.current(kind):
            source = getattr(trail.record, "source", None)
            if isinstance(source, Source):
                found[source].append(trail)
        return dict(found)

    def referents_at(self, circle: str, rev_id: int) -> tuple[str, ...]:
        """The référent·es the circle's `{{Cercle}}` named as of that revision."""
        timeline = self.referents.get(circle_key(circle), [])
        index = bisect.bisect_right([rev for rev, _ in timeline], rev_id)
        return timeline[index - 1][1] if index else ()
