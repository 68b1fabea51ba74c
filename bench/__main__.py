"""`python -m bench [--quick]`: measure wikiledger on a synthetic wiki, print and save figures."""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

from bench.generate import SIZES, scaled
from bench.report import judge_scale, scale_table, table, write_results
from bench.run import Options, run, scale_entry

SCALE_FACTORS = (2.5, 5.0)  # beside the size itself: `--scale`

DEFAULT_OUTPUT = Path(__file__).resolve().parent / "last.json"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_const", const="quick", dest="size")
    size.add_argument("--size", choices=sorted(SIZES), default="full")
    parser.add_argument("--edits", type=int, default=20, help="single-page edits to time")
    parser.add_argument("--coalesce", type=float, default=0.5, help="the worker's window (s)")
    parser.add_argument("--runs", type=int, default=3, help="best of N for floor and parse")
    parser.add_argument("--wiki-dir", type=Path, default=None, help="where to create the wiki")
    parser.add_argument("--keep", action="store_true", help="keep the wiki directory afterwards")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument(
        "--scale",
        action="store_true",
        help="also run 2.5x and 5x the size's history and add `scale` to the figures",
    )
    args = parser.parse_args(argv)

    options = Options(
        SIZES[args.size or "full"],
        edits=args.edits,
        coalesce=args.coalesce,
        runs=args.runs,
        wiki_dir=args.wiki_dir,
        keep=args.keep,
    )

    def log(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    results = run(options, log=log)
    print(table(results))
    if args.scale:
        scale = [scale_entry(results)]
        for factor in SCALE_FACTORS:
            bigger = replace(options, size=scaled(options.size, factor), wiki_dir=None)
            log(f"scale: {bigger.size}")
            scale.append(scale_entry(run(bigger, log=log)))
            results["scale"] = scale  # written after each size: a later one may fail
            write_results(results, args.output)
        results["scale_targets"] = judge_scale(scale)
        print()
        print(scale_table(scale))
    write_results(results, args.output)
    print(f"\nwritten to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
