"""Small steps of the engine's pipeline: a state from another time, and the computation of one
sync."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence

from ledger.record import Problem, Records
from render.compute import Computation
from render.config import SyncConfig
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
    config: SyncConfig,
    *,
    today: datetime.date,
) -> Computation:
    """Every computed result for the parsed pages (in merge order), always what the full path
    gives: `HistoryKeeper.compute`, the records judged with their history, then `compute_all`.

    The incremental computer (`render.incremental`, issue 16) equals `compute_all` on the
    records as written, so it is used only when there is no history to judge them with
    (`keeper.compute` is then exactly `compute_all`). With a history, governance (statuses,
    findings), the rounds' dates (pledges left out, who wrote each pledge) and the closings'
    times can change results on pages a sync did not read, and they are not kept
    incrementally: the computation is the full one. `tests/unit/test_incremental.py` checks
    both against the full path."""
    if keeper.history is None:
        return incremental.compute(pages, today)
    records, problems = Records(), list[Problem]()
    for page in pages:
        records.extend(page.records)
        problems.extend(page.problems)
    computation = keeper.compute(records, problems, config, today=today)
    computation.cards = {page.title: (page.page_id, page.cards) for page in pages}
    return computation
