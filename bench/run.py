"""One benchmark run: a fresh wiki, the synthetic pages imported, then every figure measured."""

from __future__ import annotations

import base64
import datetime
import os
import secrets
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.dump import write_dump
from bench.edits import Session, measure_edits, measure_incremental_floor
from bench.floor import measure_floor
from bench.generate import Size, SyntheticWiki, generate, template_pages
from bench.process import ServiceProcess
from bench.report import judge, percentile
from devwiki.mediawiki import LocalWiki, create_wiki, free_port
from devwiki.settings import extension_settings
from ledger.record import Problem, Records
from parsers.page import parse_page
from render.compute import compute_all
from render.config import SyncConfig

# The test wiki runs the jobs a write queues inside that write's request (devwiki.settings), so
# that tests see link tables current when a save returns. A production wiki hands them to its
# job runner, and the bot's save returns without them: the measured wiki does the same here,
# so that a save that queues the re-rendering of many pages (a shard of card data read by a
# hundred member pages) does not bill that rendering to the bot's save, nor leave it running
# into the next measured request. The jobs stay queued (nothing the figures read needs them).
JOBS_OUTSIDE_REQUESTS = """
$wgJobRunRate = 0;
$wgHooks['APIAfterExecute'] = [];
"""

MEMBER = "Bench Membre"
MEMBER_APP = "bench"


@dataclass(frozen=True, slots=True)
class Options:
    size: Size
    edits: int = 20
    coalesce: float = 0.5
    runs: int = 3
    wiki_dir: Path | None = None
    keep: bool = False


def run(options: Options, log: Any = print) -> dict[str, Any]:
    """Measure everything on a fresh wiki; return the results (keys of bench.report.KEYS)."""
    root = options.wiki_dir or Path(tempfile.mkdtemp(prefix=f"bench-{options.size.name}-"))
    root.mkdir(parents=True, exist_ok=True)
    secret = "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()
    hook_port = free_port()
    wiki = create_wiki(
        root / "wiki", extra_settings=extension_settings(hook_port, secret) + JOBS_OUTSIDE_REQUESTS
    )
    results: dict[str, Any] = {"size": options.size.name}
    load_before = os.getloadavg()
    try:
        wiki.start()
        began = time.perf_counter()
        synthetic = generate(options.size, templates=template_pages())
        write_dump(synthetic.templates + synthetic.pages, root / "dump.xml")
        wiki.import_xml(root / "dump.xml")
        results["import_s"] = round(time.perf_counter() - began, 2)
        log(f"imported {len(synthetic.pages)} pages in {results['import_s']} s ({root})")
        member_password = _create_member(wiki)
        config = SyncConfig()
        floor = measure_floor(
            wiki.api_url, wiki.bot_login, wiki.bot_password, config.template_titles(),
            runs=options.runs,
        )  # fmt: skip
        if floor.pages != len(synthetic.pages):
            raise RuntimeError(
                f"the wiki lists {floor.pages} source pages, not {len(synthetic.pages)}"
            )
        log(f"floor {floor.seconds:.3f} s ({floor.strategy}, {floor.requests} requests)")
        service = ServiceProcess(
            wiki, root / "service", port=hook_port, secret=secret, coalesce=options.coalesce
        )
        try:
            cold = service.next("sync", timeout=1800)
            noop = service.next("sync", timeout=600)
            service.next("ready", timeout=120)
            service.wait_idle(timeout=600)
            log(f"cold {cold['duration']:.2f} s, no-op {noop['duration']:.3f} s; editing")
            bot = Session(wiki.api_url, wiki.bot_login, wiki.bot_password)
            latencies = measure_edits(
                Session(wiki.api_url, f"{MEMBER}@{MEMBER_APP}", member_password),
                bot,
                service,
                synthetic.edit_targets,
                config.pages.registry_for(2026),
                count=options.edits,
            )
            high_water = service.high_water_mb()
        finally:
            exit_event = service.stop()
        # after the service stopped: its sync would put the registre back meanwhile
        incremental_floor, floor_runs = measure_incremental_floor(
            bot, latencies[-1].title, config.pages.registry_for(2026), runs=options.runs
        )
        incremental = [e for e in service.events if e["phase"] == "sync" and e["kind"] == "pages"]
        records, problems, parse_mb_s = measure_parse(synthetic, options.runs)
        compute_s = measure_compute(records, problems, config, runs=5)
    finally:
        wiki.stop()
        if not options.keep:
            shutil.rmtree(root, ignore_errors=True)
    write_s = _writing(cold["timers"])
    results.update(
        floor_s=round(floor.seconds, 3),
        cold_s=round(cold["duration"], 3),
        cold_ratio=round((cold["duration"] - write_s) / floor.seconds, 2),
        write_s=round(write_s, 3),
        noop_s=round(noop["duration"], 3),
        noop_requests=noop["requests"],
        noop_edits=len(noop["edits"]),
        noop_pages_read=noop["pages_read"],
        incremental_p50_s=round(percentile([x.seconds for x in latencies], 0.5), 3),
        incremental_p95_s=round(percentile([x.seconds for x in latencies], 0.95), 3),
        incremental_floor_s=round(incremental_floor, 3),
        incremental_ratio=round(
            percentile([x.seconds for x in latencies], 0.95) / incremental_floor, 2
        ),
        parse_mb_s=round(parse_mb_s, 2),
        compute_s=round(compute_s, 4),
        peak_rss_mb=exit_event["peak_rss_mb"] if exit_event else high_water,
    )
    results["targets"] = judge(results, options.coalesce)
    results["details"] = {
        "generated": {
            "pages": len(synthetic.pages),
            "declarations": synthetic.declarations,
            "declarations_with_mistakes": synthetic.mistakes,
            "pledges": synthetic.pledges,
            "wikitext_mb": round(synthetic.text_bytes / 1e6, 2),
        },
        "floor": {"strategy": floor.strategy, "requests": floor.requests, "pages": floor.pages},
        "cold": {
            k: cold[k]
            for k in ("requests", "pages_read", "problems", "timers", "peak_growth_mb", "peak_mb")
        }
        | {"edits": len(cold["edits"])},
        "noop": {"timers": noop["timers"]},
        "coalesce_s": options.coalesce,
        "incremental_s": [round(x.seconds, 3) for x in latencies],
        "incremental_polled_s": [round(x.polled, 3) for x in latencies],
        # when the sync that wrote the registre started, after the save's response
        "incremental_sync_started_s": [round(x.sync_started, 3) for x in latencies],
        # when the bot asked the wiki to save the registre (the rest is the wiki's save)
        "incremental_save_began_s": [round(x.save_began, 3) for x in latencies],
        "incremental_floor_runs_s": [round(x, 3) for x in floor_runs],
        "incremental_compute_s": _median([e["timers"].get("compute", 0.0) for e in incremental]),
        "incremental_syncs": [
            {k: e[k] for k in ("duration", "requests", "edits", "timers", "peak_growth_mb")}
            for e in incremental
        ],
        "peak_rss_vmhwm_mb": high_water,
        # Other work on the machine slows every figure down: the load around the run says how much.
        "load_average": {"before": load_before, "after": os.getloadavg()},
        "measured_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
    }
    return results


def _median(values: list[float]) -> float:
    return round(percentile(values, 0.5), 4) if values else 0.0


def scale_entry(results: dict[str, Any]) -> dict[str, Any]:
    """One size's line of `scale` in bench/last.json."""
    generated = results["details"]["generated"]
    return {
        "size": results["size"],
        "pages": generated["pages"],
        "declarations": generated["declarations"],
        "incremental_p95_s": results["incremental_p95_s"],
        "compute_s": results["compute_s"],
        "peak_rss_mb": results["peak_rss_mb"],
        # beside the keys the issue asks for: what one live sync spent computing (median),
        # its floor and ratio, and the machine's load
        "incremental_compute_s": results["details"]["incremental_compute_s"],
        "incremental_floor_s": results["incremental_floor_s"],
        "incremental_ratio": results["incremental_ratio"],
        "load_average": results["details"]["load_average"],
    }


def _writing(timers: dict[str, float]) -> float:
    """The write phase, less the time it waited for the render thread (work, not writing)."""
    return timers.get("write", 0.0) - timers.get("render_wait", 0.0)


def measure_parse(synthetic: SyntheticWiki, runs: int) -> tuple[Records, list[Problem], float]:
    """Merged records of every page, and parse_page's best throughput in MB/s (10^6 bytes)."""
    names = SyncConfig().templates
    best = float("inf")
    records, problems = Records(), list[Problem]()
    for _ in range(runs):
        records, problems = Records(), []
        started = time.perf_counter()
        for page in synthetic.pages:
            page_records, page_problems = parse_page(page.title, page.text, names, {})
            records.extend(page_records)
            problems.extend(page_problems)
        best = min(best, time.perf_counter() - started)
    return records, problems, synthetic.text_bytes / 1e6 / best


def measure_compute(
    records: Records, problems: list[Problem], config: SyncConfig, *, runs: int
) -> float:
    """Best time of compute_all (every ledger and campaign, no I/O) over RUNS runs."""
    today = datetime.date.today()
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        compute_all(records, problems, config, today=today)
        best = min(best, time.perf_counter() - started)
    return best


def _create_member(wiki: LocalWiki) -> str:
    """An ordinary member account (not a bot) with a bot password for editing; its password."""
    password = secrets.token_hex(16)
    wiki.create_user(MEMBER, secrets.token_urlsafe(24))
    wiki.run_maintenance(
        "createBotPassword.php", "--appid", MEMBER_APP, "--grants", "basic,editpage",
        MEMBER, password,
    )  # fmt: skip
    return password
