"""The benchmark still runs end to end (on its tiny size) and reports every figure it promises."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bench.generate import SIZES, generate, scaled
from bench.report import KEYS, table, write_results
from bench.run import Options, run


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("bench")


@pytest.fixture(scope="module")
def results(root: Path) -> dict[str, Any]:
    measured = run(Options(SIZES["tiny"], edits=3, runs=1, wiki_dir=root / "run"), log=print)
    write_results(measured, root / "last.json")
    loaded: dict[str, Any] = json.loads((root / "last.json").read_text(encoding="utf-8"))
    return loaded


def test_the_generator_is_deterministic_and_has_the_asked_size() -> None:
    first, second = generate(SIZES["tiny"]), generate(SIZES["tiny"])
    assert [(p.title, p.text) for p in first.pages] == [(p.title, p.text) for p in second.pages]
    assert len(first.pages) == SIZES["tiny"].pages
    assert len({p.title for p in first.pages}) == len(first.pages)
    assert sum(p.text.count("{{Contribution") for p in first.pages) == SIZES["tiny"].declarations
    assert first.pledges == SIZES["tiny"].pledges


def test_a_scaled_size_has_a_longer_history_with_the_same_circles() -> None:
    bigger = scaled(SIZES["tiny"], 2.5)
    wiki = generate(bigger)
    assert (len(wiki.pages), bigger.circles, bigger.year_range) == (
        100,
        4,
        (2022, 2023, 2024, 2025, 2026),
    )
    assert sum(p.text.count("{{Contribution") for p in wiki.pages) == bigger.declarations == 375


def test_the_json_holds_every_figure_with_a_plausible_value(results: dict[str, Any]) -> None:
    assert set(KEYS) <= set(results)
    assert results["floor_s"] > 0
    assert results["cold_s"] > results["write_s"] > 0
    assert results["cold_ratio"] > 0
    assert 0 < results["incremental_p50_s"] <= results["incremental_p95_s"]
    assert results["parse_mb_s"] > 0
    assert results["compute_s"] > 0
    assert results["peak_rss_mb"] > 10
    assert len(results["details"]["incremental_s"]) == 3
    assert results["incremental_floor_s"] > 0
    # the JSON's seconds are rounded to the millisecond: at the tiny size a floor of 0.04 s
    # is known to ±1.25 %, and the ratio (computed before rounding) to as much
    assert results["incremental_ratio"] == pytest.approx(
        results["incremental_p95_s"] / results["incremental_floor_s"], rel=0.02
    )


def test_the_table_names_each_target_and_whether_it_is_met(results: dict[str, Any]) -> None:
    printed = table(results)
    assert "≤ 1.5" in printed
    assert "peak memory of the service (MB)" in printed
    assert all(isinstance(t["met"], bool) for t in results["targets"].values())


def test_a_no_op_sync_right_after_the_cold_one_makes_no_edit(results: dict[str, Any]) -> None:
    assert results["noop_edits"] == 0
    assert results["noop_requests"] > 0


def test_a_no_op_sync_reads_no_page_content(results: dict[str, Any]) -> None:
    assert results["noop_pages_read"] == 0


def test_the_benchmark_removes_its_wiki_unless_asked_to_keep_it(
    results: dict[str, Any], root: Path
) -> None:
    assert results["size"] == "tiny"
    assert not (root / "run").exists()
