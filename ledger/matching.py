"""Which record of one parse is which record of the next: identity from content, not lines.

Two parses of a page (revisions N-1 and N) list records in page order. A record keeps its
identity when its parsed values are the same — wherever its line went, however its
parameters are ordered or spelled (`1200` and `1 200 €` parse to one amount) — and when only
a few of its values changed (a status, an amount). Exact matches come first, in page order
among identical records (so duplicates pair deterministically); then near matches, fewest
changes first, then nearest in page order.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from ledger.name import name_key


@dataclass(frozen=True, slots=True)
class Kind:
    """How records of one kind are compared: `fields` read with getattr, in order.

    A near match needs the `key` fields equal and at most `max_changes` others different.
    Names in `loose` compare as the ledger compares them: spaces collapsed, case ignored.
    """

    name: str  # also the name of its list in `Records` + "s"
    fields: tuple[str, ...]
    key: tuple[str, ...]
    max_changes: int
    loose: tuple[str, ...] = ()

    def values(self, record: object) -> tuple[object, ...]:
        return tuple(
            loose_key(value) if name in self.loose and isinstance(value, str) else value
            for name in self.fields
            for value in (getattr(record, name),)
        )


def loose_key(name: str) -> str:
    """Circle, campaign and project names, as the ledger matches them (`ledger.name.name_key`)."""
    return name_key(name)


CONTRIBUTION = Kind(
    "contribution",
    ("contributor", "circle", "date", "hours", "amount", "mission", "status"),
    (),
    2,
    ("circle",),
)
PLEDGE = Kind(
    "pledge",
    ("campaign", "project", "member", "amount"),
    ("campaign", "member"),
    1,
    ("campaign", "project"),
)
CIRCLE = Kind("circle", ("name", "referents", "channel", "state"), ("name",), 3, ("name",))
ENVELOPE = Kind(
    "envelope", ("circle", "year", "amount", "hourly_rate"), ("circle", "year"), 2, ("circle",)
)
CAMPAIGN = Kind(
    "campaign",
    ("name", "envelope", "dotation", "participants", "opening", "closing", "project_cap"),
    ("name",),
    6,
    ("name",),
)
PROJECT = Kind(
    "project",
    ("campaign", "title", "minimum", "maximum", "holders", "cross_cutting", "status"),
    ("campaign", "title"),
    5,
    ("campaign", "title"),
)
# `{{Clôture cercle}}`: its first revision is when the decision takes effect (issue 13).
CLOSING = Kind(
    "closing",
    ("circle", "year", "rule", "floor", "date", "decision"),
    ("circle", "year"),
    4,
    ("circle",),
)
KINDS = (CIRCLE, ENVELOPE, CONTRIBUTION, CAMPAIGN, PROJECT, PLEDGE, CLOSING)


@dataclass(frozen=True, slots=True)
class Matching:
    """Pairs (index in old, index in new), and the indexes left on each side, in order."""

    pairs: tuple[tuple[int, int], ...]
    removed: tuple[int, ...]
    added: tuple[int, ...]


def changes(kind: Kind, old: tuple[object, ...], new: tuple[object, ...]) -> int | None:
    """How many values differ, or None when a key field differs or too many do."""
    count = 0
    for name, a, b in zip(kind.fields, old, new, strict=True):
        if a != b:
            if name in kind.key:
                return None
            count += 1
    return count if count <= kind.max_changes else None


def match_records(kind: Kind, old: Sequence[object], new: Sequence[object]) -> Matching:
    """Match the records of two parses of one page (see the module's docstring)."""
    old_values = [kind.values(record) for record in old]
    new_values = [kind.values(record) for record in new]
    pairs: list[tuple[int, int]] = []
    waiting: dict[tuple[object, ...], list[int]] = defaultdict(list)
    for index, values in enumerate(old_values):
        waiting[values].append(index)
    for index, values in enumerate(new_values):
        same = waiting.get(values)
        if same:
            pairs.append((same.pop(0), index))
    paired_old = {i for i, _ in pairs}
    paired_new = {j for _, j in pairs}
    left_old = [i for i in range(len(old)) if i not in paired_old]
    left_new = [j for j in range(len(new)) if j not in paired_new]
    candidates: list[tuple[int, int, int, int]] = []
    for rank_old, i in enumerate(left_old):
        for rank_new, j in enumerate(left_new):
            count = changes(kind, old_values[i], new_values[j])
            if count is not None:
                candidates.append((count, abs(rank_old - rank_new), i, j))
    taken_old: set[int] = set()
    taken_new: set[int] = set()
    for _, _, i, j in sorted(candidates):
        if i not in taken_old and j not in taken_new:
            taken_old.add(i)
            taken_new.add(j)
            pairs.append((i, j))
    return Matching(
        tuple(sorted(pairs, key=lambda pair: pair[1])),
        tuple(i for i in left_old if i not in taken_old),
        tuple(j for j in left_new if j not in taken_new),
    )
