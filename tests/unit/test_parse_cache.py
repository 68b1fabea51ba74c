"""The parse cache cannot come back wrong: its format covers everything that shapes a cached
page, and a cache written by other code is rebuilt, never loaded, without a traceback."""

from __future__ import annotations

import datetime
import io
import json
import logging
import pickle
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from devwiki.seed import seed_pages
from ledger.report import campaign_report_to_json, contribution_report_to_json
from parsers.page import parse_page
from render.config import SyncConfig
from sync.cache import cache_format, parser_fingerprint, shaping_sources, source_digest
from sync.engine import SyncEngine
from sync.state import StateStore
from tests.fakewiki import FakeWiki

ROOT = Path(__file__).resolve().parents[2]


def seeded_wiki() -> FakeWiki:
    """The sample Optéos pages of the tests against the real wiki, in memory."""
    wiki = FakeWiki()
    for page in seed_pages():
        wiki.save(page.title, page.text)
    return wiki


def figures(engine: SyncEngine) -> str:
    computation = engine.compute()
    return json.dumps(
        {
            "contributions": {
                year: contribution_report_to_json(report)
                for year, report in computation.contributions.items()
            },
            "campaigns": {
                name: campaign_report_to_json(report)
                for name, report in computation.campaigns.items()
            },
            "problems": [p.message for p in computation.problems],
        },
        sort_keys=True,
    )


@pytest.fixture
def state(tmp_path: Path) -> Iterator[StateStore]:
    store = StateStore(tmp_path / "state.sqlite3")
    yield store
    store.close()


def new_engine(wiki: FakeWiki, state: StateStore) -> SyncEngine:
    return SyncEngine(wiki, state, SyncConfig(), today=lambda: datetime.date(2026, 3, 1))


def test_the_seeded_fake_wiki_gives_the_figures_worked_out_for_the_real_one(
    state: StateStore,
) -> None:
    engine = new_engine(seeded_wiki(), state)
    engine.full_sync(write=False)
    payload = contribution_report_to_json(engine.compute().contributions[2026])
    circles = {c["name"]: c for c in payload["circles"]}
    assert circles["Numérique"]["requested"] == "4770.50"  # with {{Déclaration}}: a redirect
    assert len(payload["contributions"]) == 34  # devwiki/seed/EXPECTED.md


# -- what the format covers -------------------------------------------------------------------


def test_the_format_covers_every_parser_module_and_the_record_classes() -> None:
    covered = {path.relative_to(ROOT).as_posix() for path in shaping_sources()}
    assert "ledger/record.py" in covered
    assert {f"parsers/{p.name}" for p in (ROOT / "parsers").glob("*.py")} <= covered
    assert parser_fingerprint(SyncConfig(), {}).startswith(cache_format() + ":")


def copy_of_the_shaping_sources(root: Path) -> Path:
    (root / "ledger").mkdir(parents=True)
    shutil.copytree(
        ROOT / "parsers", root / "parsers", ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copy(ROOT / "ledger" / "record.py", root / "ledger" / "record.py")
    return root


def test_a_field_added_to_a_record_class_changes_the_format(tmp_path: Path) -> None:
    root = copy_of_the_shaping_sources(tmp_path)
    assert source_digest(shaping_sources(root)) == cache_format()
    record = root / "ledger" / "record.py"
    text = record.read_text(encoding="utf-8")
    marker = "    status: ContributionStatus = ContributionStatus.DECLARED\n"
    assert marker in text
    record.write_text(text.replace(marker, marker + '    note: str = ""\n'), encoding="utf-8")
    assert source_digest(shaping_sources(root)) != cache_format()


def test_a_parser_change_changes_the_format(tmp_path: Path) -> None:
    root = copy_of_the_shaping_sources(tmp_path)
    value = root / "parsers" / "value.py"
    value.write_text(value.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    assert source_digest(shaping_sources(root)) != cache_format()


class _RecordingUnpickler(pickle.Unpickler):
    def __init__(self, data: bytes) -> None:
        super().__init__(io.BytesIO(data))
        self.classes: set[tuple[str, str]] = set()

    def find_class(self, module: str, name: str) -> object:
        self.classes.add((module, name))
        return super().find_class(module, name)


def test_every_class_a_cached_page_holds_is_one_the_format_covers() -> None:
    # a record holding an object of another project module would escape the format's hash
    found: set[tuple[str, str]] = set()
    for page in seed_pages():
        parsed = parse_page(page.title, page.text, SyncConfig().templates, {})
        unpickler = _RecordingUnpickler(pickle.dumps(parsed, protocol=pickle.HIGHEST_PROTOCOL))
        unpickler.load()
        found |= unpickler.classes
    modules = {module for module, _ in found}
    assert "ledger.record" in modules  # the check sees the record classes
    covered = {"ledger.record"}
    outside = {m for m in modules - covered if m.split(".")[0] not in sys.stdlib_module_names}
    assert not outside


# -- a cache from other code is rebuilt -------------------------------------------------------


def test_a_cache_written_by_another_version_is_discarded_unread_and_rebuilt(
    state: StateStore, caplog: pytest.LogCaptureFixture
) -> None:
    wiki = seeded_wiki()
    first = new_engine(wiki, state)
    listed = first.full_sync(write=False).pages_listed
    expected = figures(first)
    with sqlite3.connect(state.path) as db:  # as another version would have left it
        db.execute("UPDATE parsed_page SET fingerprint = 'autreversion:0', payload = x'00'")
    caplog.set_level(logging.INFO)
    again = new_engine(wiki, state)
    result = again.full_sync(write=False)
    assert result.pages_read == listed
    assert figures(again) == expected
    assert not [r for r in caplog.records if r.exc_info]
    assert "another version discarded" in caplog.text
    assert new_engine(wiki, state).full_sync(write=False).pages_read == 0  # rebuilt and kept


def test_a_cached_page_that_cannot_be_read_back_is_parsed_again(
    state: StateStore, caplog: pytest.LogCaptureFixture
) -> None:
    wiki = seeded_wiki()
    first = new_engine(wiki, state)
    first.full_sync(write=False)
    expected = figures(first)
    title = "Utilisateur:David Nguyen/Contributions 2026"
    gone_class = b"cledger.record\nDisparu\n."  # a pickle of a class this code does not have
    with sqlite3.connect(state.path) as db:
        db.execute("UPDATE parsed_page SET payload = ? WHERE title = ?", (gone_class, title))
    again = new_engine(wiki, state)
    assert again.full_sync(write=False).pages_read == 1
    assert figures(again) == expected
    assert f"{title} unreadable" in caplog.text
    assert not [r for r in caplog.records if r.exc_info]


SYNC_SCRIPT = """
import datetime, json, sys
from pathlib import Path
from render.config import SyncConfig
from sync.engine import SyncEngine
from sync.state import StateStore
from tests.unit.test_parse_cache import figures, seeded_wiki

engine = SyncEngine(seeded_wiki(), StateStore(Path(sys.argv[1])), SyncConfig(),
                    today=lambda: datetime.date(2026, 3, 1))
result = engine.full_sync(write=False)
print(json.dumps({"read": result.pages_read, "listed": result.pages_listed,
                  "figures": figures(engine)}))
"""


def project_copy(root: Path) -> Path:
    ignore = shutil.ignore_patterns("__pycache__")
    for package in ("ledger", "parsers", "render", "sync", "devwiki", "wiki_templates"):
        shutil.copytree(ROOT / package, root / package, ignore=ignore)
    (root / "tests" / "unit").mkdir(parents=True)
    for name in ("__init__.py", "fakewiki.py", "unit/__init__.py", "unit/test_parse_cache.py"):
        shutil.copy(ROOT / "tests" / name, root / "tests" / name)
    return root


def run_sync(root: Path, state: Path) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", SYNC_SCRIPT, str(state)],
        cwd=root,
        env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    answer: dict[str, object] = json.loads(done.stdout)
    return answer


def test_a_field_added_to_a_record_then_a_sync_on_the_old_state_rebuilds_cleanly(
    tmp_path: Path,
) -> None:
    # the issue's own trial, in fresh interpreters: the same state, then a record with a new field
    old, new = project_copy(tmp_path / "old"), project_copy(tmp_path / "new")
    record = new / "ledger" / "record.py"
    marker = "    status: ContributionStatus = ContributionStatus.DECLARED\n"
    text = record.read_text(encoding="utf-8")
    record.write_text(text.replace(marker, marker + '    note: str = ""\n'), encoding="utf-8")
    state = tmp_path / "state.sqlite3"
    before = run_sync(old, state)
    assert before["read"] == before["listed"]
    assert run_sync(old, state)["read"] == 0  # the same code uses its cache
    after = run_sync(new, state)
    assert after["read"] == after["listed"]  # a clean rebuild
    assert after["figures"] == before["figures"]
    assert run_sync(old, state)["read"] == before["listed"]  # and back again


def test_the_cache_keeps_its_pages_in_title_order_across_puts_renames_advances_and_deletes(
    state: StateStore,
) -> None:
    import random

    from ledger.record import Records
    from sync.cache import ParseCache
    from sync.state import ParsedPage

    cache = ParseCache(state)
    rng = random.Random(16)
    titles = [f"Page {letter}" for letter in "ABCDEFGHIJ"]
    revisions = iter(range(1, 10_000))

    def page(page_id: int, title: str) -> ParsedPage:
        return ParsedPage(page_id, title, next(revisions), Records(), [])

    for _step in range(300):
        pages = cache.pages()
        move = rng.choice(["put", "put", "rename", "advance", "delete"])
        if move == "put" or not pages:
            page_id = rng.randint(1, 12)
            old = pages.get(page_id)
            cache.put([page(page_id, old.title if old else rng.choice(titles))], "f")
        elif move == "rename":
            cache.put([page(rng.choice(list(pages)), rng.choice(titles))], "f")
        elif move == "advance":
            chosen = pages[rng.choice(list(pages))]
            cache.advance(chosen.page_id, chosen.rev_id, next(revisions))
        else:
            cache.delete({rng.choice(list(pages))})
        if rng.random() < 0.5:  # asked now and then, as each sync asks once
            expected = sorted(cache.pages().values(), key=lambda p: (p.title, p.page_id))
            assert cache.ordered() == expected
    assert cache.ordered() == sorted(cache.pages().values(), key=lambda p: (p.title, p.page_id))
