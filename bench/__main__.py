"""`python -m bench [--quick]`: measure wikiledger on a synthetic wiki, print and save figures."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bench.generate import SIZES
from bench.report import table, write_results
from bench.run import Options, run

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
    args = parser.parse_args(argv)

    options = Options(
        SIZES[args.size or "full"],
        edits=args.edits,
        coalesce=args.coalesce,
        runs=args.runs,
        wiki_dir=args.wiki_dir,
        keep=args.keep,
    )
    results = run(options, log=lambda line: print(line, file=sys.stderr, flush=True))
    print(table(results))
    write_results(results, args.output)
    print(f"\nwritten to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
