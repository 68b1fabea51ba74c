"""Writing the summary pages of one sync, and keeping track of the pages held back.

Every planned page is rendered on a second thread, in order, while this one saves each in turn
(`sync.writer`); the cache of parsed pages and the history are saved meanwhile. A page the
writer holds back (refused by the wiki, markers broken, `{{nobots}}`: `sync.hold`) stops
nothing: the others are written, and the held pages become problems of the anomalies page,
written again at the end of the sync when what is held changed during it.

Pages are written in the order people look at them (`render.plan`: registre, circle page, card
data, the rest). A live sync leaves alone the pages whose data did not change and whose text
the wiki got from us (`render.plan.unsettled`); a full sync looks at every page, puts back what
people changed there, and saves the cards' data last: each shard saved makes MediaWiki render
again every page filed in it, work that slows the saves after it.
"""

from __future__ import annotations

import logging
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING

from ledger.record import sort_problems
from render.compute import Computation
from render.plan import OutputPage, PlannedPage, plan_pages, plan_retired, unsettled
from render.templatedata import circle_names
from sync.card_refresh import wait_for_rendered_sources
from sync.hold import Held, dump_holds, held_problem, load_holds
from sync.progress import WRITTEN
from sync.result import Edit, SyncResult
from sync.writer import Writer

if TYPE_CHECKING:
    from sync.engine import SyncEngine

log = logging.getLogger(__name__)

HELD_KEY = "held"  # state `meta` key: the pages held back by the last sync, as JSON


def stored_holds(engine: SyncEngine) -> dict[str, Held]:
    return load_holds(engine.state.get_meta(HELD_KEY))


def with_holds(computation: Computation, old: dict[str, Held], new: dict[str, Held]) -> None:
    """Replace the problems of the pages held before (`old`) by those of `new`."""
    if not old and not new:
        return  # nothing held before or now: the problems stay as they are (sorted)
    stale = [held_problem(h) for h in old.values()]
    kept = [p for p in computation.problems if p not in stale]
    computation.problems = sort_problems(kept + [held_problem(h) for h in new.values()])


def write_outputs(
    engine: SyncEngine,
    computation: Computation,
    result: SyncResult,
    *,
    dry_run: bool,
    live: bool = False,
) -> list[Edit]:
    """Write each output page whose generated part changed, retire the pages we wrote that
    have nothing left to show, and report the pages held back (`result.held`); then the
    circles the template's form suggests (one more step, so that each edit is a step of the
    progress).

    A live sync writes in two rounds: the pages before the card data first (registres,
    circle pages, Bilans, data pages), while the render thread renders them and then works
    out the cards' entries and the statements its computation left for later (`defer`),
    during the registre's save; then the rest."""
    config = engine.config
    writer = Writer(
        engine.wiki,
        engine.state,
        retries=config.edit_retries,
        advance=engine.cache.advance,
        known=None if dry_run else engine.known,
    )
    edits: list[Edit] = []
    with (
        result.phase("write"),
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="wikiledger-render") as pool,
    ):
        saving, done = None, set()
        if live:
            first = plan_pages(computation, config, engine.render_memo, first=True)
            first = unsettled(first, engine.settled)
            rendered = [pool.submit(_timed_render, page, result) for page in first]
            completed = pool.submit(computation.complete)  # while the registre is saved
            saving = pool.submit(_save_state, engine)
            _write_rendered(engine, writer, result, edits, first, rendered, dry_run, live)
            completed.result()
            done = {page.title for page in first}  # written, or held: not tried again
        planned = plan_pages(computation, config, engine.render_memo)
        gone = writer.known.keys() - {page.title for page in planned}
        planned += plan_retired(gone, computation, config)
        if live:
            planned = [p for p in unsettled(planned, engine.settled) if p.title not in done]
        else:
            planned.sort(key=lambda page: config.pages.is_card_data(page.title))  # stable
        rendered = [pool.submit(_timed_render, page, result) for page in planned]
        saving = saving or pool.submit(_save_state, engine)
        _write_rendered(engine, writer, result, edits, planned, rendered, dry_run, live)
        circles = circle_names(computation.records.circles)
        suggested = engine.suggestions.update(circles, dry_run=dry_run)
        edits += [suggested] if suggested is not None else []
        engine.progress(WRITTEN, len(rendered) + 1, len(rendered) + 1)
        saving.result()  # raises if the cache could not be saved
    result.held = list(writer.held.values())
    if not dry_run and writer.held != engine.holds:
        _report_holds(engine, writer, computation, edits)
    if not dry_run:
        engine.known = writer.known  # kept for the next sync (each save updates it)
    return edits


def _write_rendered(
    engine: SyncEngine,
    writer: Writer,
    result: SyncResult,
    edits: list[Edit],
    planned: list[PlannedPage],
    rendered: list[Future[OutputPage]],
    dry_run: bool,
    live: bool,
) -> None:
    """Save each planned page as the render thread hands it over, in order; add the edits
    made to EDITS. A live sync trusts the revisions it saw (`Writer.look`)."""
    try:
        writer.look([page.title for page in planned], trusting=live)
        steps = len(rendered) + 1
        for done, future in enumerate(rendered, 1):
            with result.phase("render_wait"):  # the writes waiting for the render thread
                output = future.result()
            if not dry_run and engine.config.pages.is_card_data(output.title):
                wait_for_rendered_sources(engine.newest_source)
            engine.settled.pop(output.title, None)
            edit = writer.write(output, dry_run=dry_run)
            if not dry_run and output.title not in writer.held:
                engine.settled[output.title] = output.generated
            if edit is not None:
                edits.append(edit)
            engine.progress(WRITTEN, done, steps)
    finally:
        for future in rendered:
            future.cancel()  # after an error, render no further


def _save_state(engine: SyncEngine) -> None:
    """Save the parse cache and what changed in the history, in the render thread after the
    renders, while the wiki saves pages (a first sync saves every trail)."""
    engine.cache.flush()
    engine.keeper.save()


def _report_holds(
    engine: SyncEngine, writer: Writer, computation: Computation, edits: list[Edit]
) -> None:
    """What is held changed during the sync: remember it, and write the anomalies page again."""
    with_holds(computation, engine.holds, writer.held)
    engine.holds = dict(writer.held)
    engine.state.set_meta(HELD_KEY, dump_holds(engine.holds))
    anomalies = engine.config.pages.anomalies
    if anomalies in writer.held:
        return
    for page in plan_pages(computation, engine.config, engine.render_memo):
        if page.title == anomalies:
            writer.known = engine.state.all_written()
            writer.look([anomalies])
            output = page.render()
            engine.settled.pop(anomalies, None)
            edit = writer.write(output, dry_run=False)
            if anomalies not in writer.held:
                engine.settled[anomalies] = output.generated
            edits[:] = [e for e in edits if e.title != anomalies] + ([edit] if edit else [])


def _timed_render(page: PlannedPage, result: SyncResult) -> OutputPage:
    with result.phase("render"):  # only the render thread adds to this phase
        return page.render()
