"""The benchmark's figures: targets, the printed table and `bench/last.json`."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

KEYS = (
    "floor_s",
    "cold_s",
    "cold_ratio",
    "write_s",
    "noop_s",
    "noop_requests",
    "noop_edits",
    "incremental_p50_s",
    "incremental_p95_s",
    "incremental_floor_s",
    "incremental_ratio",
    "parse_mb_s",
    "compute_s",
    "peak_rss_mb",
)
LABELS = {
    "floor_s": "floor: read every source page (s)",
    "cold_s": "cold full sync, writes included (s)",
    "cold_ratio": "cold without writes / floor",
    "write_s": "cold: writing summary pages (s)",
    "noop_s": "no-op sync (s)",
    "noop_requests": "no-op: API requests",
    "noop_edits": "no-op: edits",
    "incremental_p50_s": "save -> registre, p50 (s)",
    "incremental_p95_s": "save -> registre, p95 (s)",
    "incremental_floor_s": "floor: read the page, save the registre (s)",
    "incremental_ratio": "save -> registre p95 / its floor",
    "parse_mb_s": "parse throughput (MB/s)",
    "compute_s": "compute ledger + co-budget (s)",
    "peak_rss_mb": "peak memory of the service (MB)",
}


@dataclass(frozen=True, slots=True)
class Target:
    key: str
    text: str
    met: Callable[[dict[str, Any]], bool]


def targets(coalesce: float) -> list[Target]:
    return [
        Target("cold_ratio", "≤ 1.5", lambda r: r["cold_ratio"] <= 1.5),
        Target("noop_edits", "0", lambda r: r["noop_edits"] == 0),
        Target("noop_pages_read", "0 (revision ids only)", lambda r: r["noop_pages_read"] == 0),
        Target(
            "incremental_p95_s",
            f"≤ {coalesce + 1:.1f} (window {coalesce:g} s + 1 s)",
            lambda r: r["incremental_p95_s"] <= coalesce + 1,
        ),
        Target("incremental_ratio", "≤ 1.5", lambda r: r["incremental_ratio"] <= 1.5),
        Target("compute_s", "≤ 0.2 (20,000 declarations)", lambda r: r["compute_s"] <= 0.2),
        Target("peak_rss_mb", "≤ 300", lambda r: r["peak_rss_mb"] <= 300),
    ]


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile: the smallest value with at least SHARE of values at or below."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def judge(results: dict[str, Any], coalesce: float) -> dict[str, dict[str, Any]]:
    return {
        t.key: {"target": t.text, "value": results[t.key], "met": t.met(results)}
        for t in targets(coalesce)
    }


def table(results: dict[str, Any]) -> str:
    verdicts: dict[str, dict[str, Any]] = results["targets"]
    rows = [("figure", "value", "target", "met")]
    for key in KEYS:
        verdict = verdicts.get(key)
        rows.append(
            (
                LABELS[key],
                _format(results[key]),
                verdict["target"] if verdict else "",
                ("yes" if verdict["met"] else "NO") if verdict else "",
            )
        )
    pages = verdicts["noop_pages_read"]
    rows.append(
        ("no-op: pages read", str(pages["value"]), pages["target"], "yes" if pages["met"] else "NO")
    )
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        for row in rows
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(line.rstrip() for line in lines)


def _format(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.3f}" if value < 10 else f"{value:.1f}"
    return str(value)


def write_results(results: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def judge_scale(scale: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The targets across sizes: the largest size's p95 within 1.2 x the first's, and its
    peak memory within 300 MB."""
    first, last = scale[0], scale[-1]
    ratio = last["incremental_p95_s"] / first["incremental_p95_s"]
    return {
        "scale_p95_ratio": {"target": "≤ 1.2", "value": round(ratio, 2), "met": ratio <= 1.2},
        "scale_peak_rss_mb": {
            "target": "≤ 300",
            "value": last["peak_rss_mb"],
            "met": last["peak_rss_mb"] <= 300,
        },
    }


def scale_table(scale: list[dict[str, Any]]) -> str:
    header = ("size", "pages", "declarations", "p95 (s)", "compute_all (s)", "live compute (s)")
    rows = [(*header, "peak (MB)")]
    for entry in scale:
        rows.append(
            (
                entry["size"],
                str(entry["pages"]),
                str(entry["declarations"]),
                _format(entry["incremental_p95_s"]),
                _format(entry["compute_s"]),
                _format(entry["incremental_compute_s"]),
                _format(entry["peak_rss_mb"]),
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    )
