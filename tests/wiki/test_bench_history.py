"""The history benchmark runs end to end on its tiny size and reads each revision once."""

from __future__ import annotations

import itertools
import random
from pathlib import Path

from bench.generate import SIZES
from bench.history import revision_counts, run, table, versions


def test_pages_grow_over_their_revisions_and_end_as_generated() -> None:
    text = "".join(f"ligne {n}\n" for n in range(10))
    grown = versions(text, 4)
    assert len(grown) == 4 and grown[-1] == text
    assert all(later.startswith(earlier) for earlier, later in itertools.pairwise(grown))
    counts = revision_counts(200, random.Random(1))
    assert min(counts) == 1 and max(counts) == 40


def test_the_history_benchmark_reports_its_ratio_to_the_floor(tmp_path: Path) -> None:
    results = run(SIZES["tiny"], runs=1, wiki_dir=tmp_path / "run", keep=False, log=print)
    assert results["pages"] == SIZES["tiny"].pages
    assert results["revisions"] > results["pages"]
    # the history costs one listing request more than reading every revision's content
    assert results["history_requests"] == results["floor_requests"] + 1
    assert results["floor_s"] > 0 and results["history_ratio"] > 0
    assert results["trails"] > 0
    assert "ratio" in table(results)
