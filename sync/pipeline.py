"""Small steps of the engine's pipeline: a state from another time, and the computation of one
sync."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence

from render.compute import Computation
from render.incremental import IncrementalComputer, SourcePage
from sync.keeper import HistoryKeeper
from sync.port import PageText
from sync.state import ParsedPage


def older(found: Iterable[PageText], cached: dict[int, ParsedPage]) -> bool:
    """Whether the wiki has an older revision of a page than the cache: the cache is not
    this wiki's present (a restored backup of another time, another wiki)."""
    return any(p.page_id in cached and cached[p.page_id].rev_id > p.rev_id for p in found)


def compute_pages(
    keeper: HistoryKeeper,
    incremental: IncrementalComputer,
    pages: Sequence[SourcePage],
    *,
    today: datetime.date,
    defer: bool = False,
) -> Computation:
    """Every computed result for the parsed pages (in merge order), always what the full path
    gives: `HistoryKeeper.compute`, the records judged with their history, then `compute_all`.

    Both steps are kept from one sync to the next (issue 16): the keeper judges again only the
    pages that changed or whose trails changed (`sync.judging`), and the incremental computer
    (`render.incremental`) recomputes only what those pages touch. Without a history the
    pages are computed as written. `tests/unit/test_incremental.py` checks both against the
    full path on random edits. `defer`: see `IncrementalComputer.compute`."""
    judgement = keeper.judge_pages(pages)
    if judgement is None:
        return incremental.compute(pages, today, defer=defer)
    return incremental.compute(
        judgement.pages,
        today,
        governance=judgement.governance,
        window=judgement.window,
        defer=defer,
    )
