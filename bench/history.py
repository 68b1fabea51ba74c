"""`python -m bench.history`: the cost of building the history on a first sync (issue 12).

The synthetic wiki of `bench.generate`, imported with a history: each page is written in
several revisions (its declarations added a few at a time, as members do; most pages have one
to three revisions, some a dozen, a few forty). Then, on fresh sessions of the bot:

- the floor: the content of every revision of the source pages, by `revids` in the largest
  batches the account allows (the revision ids listed beforehand, not timed): the least any
  reader of the whole history must spend;
- ours: `sync.revisions.read_histories` from the source pages' ids and namespaces, as a first
  sync does (listing the revision ids is part of it);
- the fold: parsing every revision and `History.rebuild`, for the record.

Best of N runs each; the ratio ours / floor is the figure (target ≤ 1.5). Prints a table and
writes `bench/last_history.json`.
"""

from __future__ import annotations

import argparse
import datetime
import json
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, TextIO
from xml.sax.saxutils import escape

from bench.dump import FIRST_TIMESTAMP, WikiPage, _write_head
from bench.floor import _Reader, read_by_transcludedin
from bench.generate import SIZES, Size, generate, template_pages
from devwiki.mediawiki import create_wiki
from ledger.record import Records
from ledger.trail import History, PageRevision
from parsers.page import parse_page
from render.config import SyncConfig
from sync.revisions import read_histories

DEFAULT_OUTPUT = Path(__file__).resolve().parent / "last_history.json"
TARGET_RATIO = 1.5
AUTHORS = ("Admin", "WikiLedgerBot")  # accounts that exist on every dev wiki


def revision_counts(count: int, rng: random.Random) -> list[int]:
    """How many revisions each page has: mostly 1-3, some 4-12, a few 40."""
    counts = []
    for _ in range(count):
        draw = rng.random()
        counts.append(
            rng.randint(1, 3) if draw < 0.7 else rng.randint(4, 12) if draw < 0.97 else 40
        )
    return counts


def versions(text: str, revisions: int) -> list[str]:
    """The page as it grew: revision i holds the first i/n of its lines; the last, all."""
    lines = text.splitlines(keepends=True)
    return [
        "".join(lines[: max(1, round(len(lines) * i / revisions))]) for i in range(1, revisions)
    ] + [text]


def write_history_dump(pages: list[WikiPage], counts: list[int], out: TextIO) -> int:
    """Pages with their revisions as one XML export; returns the number of revisions."""
    _write_head(out)
    moment, revision_id = FIRST_TIMESTAMP, 0
    for number, (page, count) in enumerate(zip(pages, counts, strict=True), start=1):
        out.write(
            f"  <page>\n    <title>{escape(page.title)}</title>\n    <ns>{page.namespace}</ns>\n"
            f"    <id>{number}</id>\n"
        )
        for index, text in enumerate(versions(page.text, count)):
            revision_id += 1
            moment += datetime.timedelta(minutes=1)
            author = AUTHORS[index % len(AUTHORS)]
            out.write(
                "    <revision>\n"
                f"      <id>{revision_id}</id>\n"
                f"      <timestamp>{moment:%Y-%m-%dT%H:%M:%SZ}</timestamp>\n"
                f"      <contributor><username>{author}</username></contributor>\n"
                "      <model>wikitext</model>\n      <format>text/x-wiki</format>\n"
                f'      <text bytes="{len(text.encode())}" xml:space="preserve">'
                f"{escape(text)}</text>\n"
                "    </revision>\n"
            )
        out.write("  </page>\n")
    out.write("</mediawiki>\n")
    return revision_id


def list_revision_ids(reader: _Reader, page_ids: set[int]) -> list[int]:
    """Every revision id of the pages (for the floor; not timed)."""
    found: list[int] = []
    for query in reader.query(list="allrevisions", arvprop="ids", arvlimit="max"):
        for page in query.get("allrevisions", []):
            if page["pageid"] in page_ids:
                found.extend(r["revid"] for r in page["revisions"])
    return sorted(found)


def read_floor(reader: _Reader, revision_ids: list[int]) -> int:
    """The content of every revision by `revids`, in the largest batches; the bytes read."""
    total = 0
    for start in range(0, len(revision_ids), reader.batch):
        batch = "|".join(map(str, revision_ids[start : start + reader.batch]))
        for query in reader.query(
            revids=batch, prop="revisions", rvprop="ids|content", rvslots="main"
        ):
            for page in query.get("pages", []):
                for revision in page.get("revisions", []):
                    content = revision.get("slots", {}).get("main", {}).get("content", "")
                    total += len(content.encode())
    return total


def run(size: Size, *, runs: int, wiki_dir: Path | None, keep: bool, log: Any) -> dict[str, Any]:
    root = wiki_dir or Path(tempfile.mkdtemp(prefix=f"bench-history-{size.name}-"))
    root.mkdir(parents=True, exist_ok=True)
    wiki = create_wiki(root / "wiki")
    try:
        wiki.start()
        synthetic = generate(size, templates=template_pages())
        counts = revision_counts(len(synthetic.pages), random.Random(size.pages))
        with (root / "history.xml").open("w", encoding="utf-8") as out:
            write_history_dump(
                synthetic.templates + synthetic.pages,
                [1] * len(synthetic.templates) + counts,
                out,
            )
        total = sum(counts)
        began = time.perf_counter()
        wiki.import_xml(root / "history.xml")
        log(f"imported {len(synthetic.pages)} pages, {total} revisions in "
            f"{time.perf_counter() - began:.1f} s")  # fmt: skip
        templates = SyncConfig().template_titles()
        setup = _Reader(wiki.api_url, wiki.bot_login, wiki.bot_password)
        page_ids = set(read_by_transcludedin(setup, templates))
        namespaces = {page.namespace for page in synthetic.pages}
        revision_ids = list_revision_ids(setup, page_ids)
        if len(page_ids) != len(synthetic.pages) or len(revision_ids) != total:
            raise RuntimeError(
                f"the wiki lists {len(page_ids)} source pages and {len(revision_ids)} of their "
                f"revisions, not {len(synthetic.pages)} and {total}"
            )
        floor_s, floor_requests, ours_s, ours_requests = float("inf"), 0, float("inf"), 0
        texts: list[Any] = []
        for _ in range(runs):
            reader = _Reader(wiki.api_url, wiki.bot_login, wiki.bot_password)
            started = time.perf_counter()
            read_floor(reader, revision_ids)
            if (seconds := time.perf_counter() - started) < floor_s:
                floor_s, floor_requests = seconds, reader.requests
            reader = _Reader(wiki.api_url, wiki.bot_login, wiki.bot_password)
            started = time.perf_counter()
            texts = list(read_histories(reader.query, page_ids, namespaces, reader.batch))
            if (seconds := time.perf_counter() - started) < ours_s:
                ours_s, ours_requests = seconds, reader.requests
        if sorted(t.revision.rev_id for t in texts) != revision_ids:
            raise RuntimeError("read_histories did not read every revision exactly once")
        started = time.perf_counter()
        changes = [
            PageRevision(
                t.page_id,
                t.revision,
                parse_page(t.title, t.text)[0] if t.text is not None else Records(),
            )
            for t in texts
        ]
        history = History.rebuild(changes)
        fold_s = time.perf_counter() - started
    finally:
        wiki.stop()
        if not keep:
            shutil.rmtree(root, ignore_errors=True)
    ratio = ours_s / floor_s
    return {
        "size": size.name,
        "pages": len(page_ids),
        "revisions": len(revision_ids),
        "floor_s": round(floor_s, 3),
        "floor_requests": floor_requests,
        "history_s": round(ours_s, 3),
        "history_requests": ours_requests,
        "history_ratio": round(ratio, 2),
        "target_ratio": TARGET_RATIO,
        "met": ratio <= TARGET_RATIO,
        "fold_s": round(fold_s, 3),
        "trails": len(history.trails),
        "measured_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
    }


def table(results: dict[str, Any]) -> str:
    rows = [
        ("pages / revisions", f"{results['pages']} / {results['revisions']}", ""),
        ("floor (revids)", f"{results['floor_s']} s, {results['floor_requests']} requests", ""),
        ("history read", f"{results['history_s']} s, {results['history_requests']} requests", ""),
        ("ratio", str(results["history_ratio"]), f"≤ {results['target_ratio']}"),
        ("parse + fold", f"{results['fold_s']} s, {results['trails']} trails", ""),
    ]
    width = max(len(r[0]) for r in rows)
    return "\n".join(f"{name:<{width}}  {value:<40} {target}" for name, value, target in rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.history", description=__doc__)
    parser.add_argument("--size", choices=sorted(SIZES), default="quick")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--wiki-dir", type=Path, default=None)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)
    results = run(
        SIZES[args.size],
        runs=args.runs,
        wiki_dir=args.wiki_dir,
        keep=args.keep,
        log=lambda line: print(line, file=sys.stderr, flush=True),
    )
    print(table(results))
    args.output.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"\nwritten to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
