"""The measured process: a cold sync, a no-op sync, then the real service on 127.0.0.1.

`python -m bench.service --port P --coalesce S`, configured like `wikiledger serve` through the
`WIKILEDGER_*` environment. It prints one JSON object per line on stdout (`cold`, `noop`,
`ready`, one `sync` per sync the worker runs, one `saving` and one `saved` per page the bot
saved, and `exit`
with its peak memory), and stops when
its stdin is closed. Phases of each sync are timed by wrapping the engine's steps in place, so
the engine itself is unchanged.
"""

from __future__ import annotations

import argparse
import json
import logging
import resource
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any

import uvicorn

import sync.keeper
from render.config import SyncConfig
from service.app import create_app
from service.settings import Settings
from service.wiring import build_engine, build_wiki
from sync.engine import SyncEngine, SyncResult

_print_lock = threading.Lock()


def emit(phase: str, **fields: Any) -> None:
    with _print_lock:
        print(json.dumps({"phase": phase, "time": time.time(), **fields}), flush=True)


class Timers:
    """Seconds spent in each wrapped step, and how much each raised the peak memory (MB)."""

    def __init__(self) -> None:
        self.totals: dict[str, float] = defaultdict(float)
        self.peak_growth: dict[str, float] = defaultdict(float)
        self._peak = high_water_mb()

    def wrap(self, owner: Any, name: str, key: str) -> None:
        original: Callable[..., Any] = getattr(owner, name)

        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.totals[key] += time.perf_counter() - started
                peak = high_water_mb()
                if peak > self._peak:
                    self.peak_growth[key] += peak - self._peak
                    self._peak = peak

        setattr(owner, name, timed)

    def take(self) -> tuple[dict[str, float], dict[str, float]]:
        taken = {key: round(value, 4) for key, value in self.totals.items()}
        growth = {key: round(value, 1) for key, value in self.peak_growth.items()}
        self.totals.clear()
        self.peak_growth.clear()
        return taken, growth


def instrument(engine: SyncEngine) -> Timers:
    """Report each sync the worker runs as a `sync` line, with the time of its steps.

    Times come from the engine's own phases (`SyncResult.phases`); a few coarse steps are also
    wrapped, a handful of calls per sync, for the peak memory each raised and for what runs in
    the engine's second threads (`read`: the wiki serving pages; `save`: the cache). Wrapping
    every page's parse would cost more than the timings measure.
    """
    timers = Timers()
    timers.wrap(engine.wiki, "fetch_texts", "read")
    timers.wrap(engine, "_store_parsed", "parse")
    timers.wrap(engine.state, "save_pages", "save")
    timers.wrap(engine.state, "load_pages", "load")
    timers.wrap(sync.keeper, "compute_all", "compute")  # the full path (sync.pipeline)
    timers.wrap(engine._incremental, "compute", "compute")  # used without a history only
    timers.wrap(sync.engine, "write_outputs", "write")
    _report_saves(engine)
    for name in ("full_sync", "sync_pages"):
        _report_each(engine, name, timers)
    return timers


def _report_saves(engine: SyncEngine) -> None:
    """A `saving` line with the title each time the bot asks the wiki to save a page, and a
    `saved` line when that save returns: the moment the page's new revision exists (the end
    of a live update's latency, `bench.edits`)."""
    original: Callable[..., Any] = engine.wiki.edit

    def edit(title: str, *args: Any, **kwargs: Any) -> Any:
        emit("saving", title=title)
        saved = original(title, *args, **kwargs)
        emit("saved", title=title)
        return saved

    engine.wiki.edit = edit  # type: ignore[method-assign]


def _report_each(engine: SyncEngine, name: str, timers: Timers) -> None:
    original: Callable[..., SyncResult] = getattr(engine, name)

    def reported(*args: Any, **kwargs: Any) -> SyncResult:
        result = original(*args, **kwargs)
        seconds, growth = timers.take()
        emit("sync", **describe(result, seconds), peak_growth_mb=growth, peak_mb=high_water_mb())
        return result

    setattr(engine, name, reported)


def describe(result: SyncResult, timers: dict[str, float]) -> dict[str, Any]:
    """A sync as one JSON line. `fetch` is the time spent waiting for pages (the wiki serves
    the next batch while one is parsed). The engine renders in a second thread while it
    writes: `render` is that thread's time, `render_wait` the part of `write` spent waiting
    for it."""
    timers.update({phase: round(seconds, 4) for phase, seconds in result.phases.items()})
    return {
        "kind": result.kind,
        "started": result.started,
        "duration": round(result.duration, 4),
        "requests": result.requests,
        "pages_listed": result.pages_listed,
        "pages_read": result.pages_read,
        "edits": [edit.title for edit in result.edits],
        "problems": result.problems,
        "timers": timers,
    }


def peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # KiB on Linux


def high_water_mb() -> float:
    """This process's peak resident memory so far (VmHWM), in MB."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.service", description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--coalesce", type=float, default=0.5)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)

    settings, config = Settings(), SyncConfig()
    wiki = build_wiki(settings)
    engine = build_engine(settings, config, wiki=wiki)
    instrument(engine)
    engine.full_sync()  # reported as the first `sync` line: the cold sync
    engine.full_sync()  # the second: the no-op sync
    app = create_app(
        settings,
        config,
        engine=engine,
        wiki=wiki,
        coalesce_seconds=args.coalesce,
        catchup_seconds=3600,
    )
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=args.port, log_level="warning")
    )

    def announce_then_wait_for_eof() -> None:
        while not server.started and not server.should_exit:
            time.sleep(0.02)
        emit("ready", port=args.port)
        sys.stdin.read()
        server.should_exit = True

    threading.Thread(target=announce_then_wait_for_eof, daemon=True).start()
    server.run()
    emit("exit", peak_rss_mb=peak_rss_mb())
    return 0


if __name__ == "__main__":
    sys.exit(main())
