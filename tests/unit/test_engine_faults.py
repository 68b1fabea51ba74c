"""The engine's rules under the faults of issue 11, on an in-memory wiki: a state deleted or
new never publishes from a partial view; a page refused, with broken markers, under
`{{nobots}}` or over the size limit blocks no other and loses no human text.

The same faults are injected for real in `tests/e2e/test_faults.py` and
`tests/wiki/test_page_faults.py`.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from parsers.marker import MARKER_END, MARKER_START
from sync.cache import cache_format
from sync.engine import SyncEngine
from sync.state import StateStore
from tests.fakewiki import FakeWiki
from tests.unit.test_engine import (
    ANOMALIES,
    CIRCLE_PAGE,
    REGISTRY,
    ZOE,
    declaration,
    generated,
    new_engine,
    seeded_wiki,
)


@pytest.fixture
def wiki() -> FakeWiki:
    return seeded_wiki()


@pytest.fixture
def state(tmp_path: Path) -> Iterator[StateStore]:
    store = StateStore(tmp_path / "state.sqlite3")
    yield store
    store.close()


@pytest.fixture
def engine(wiki: FakeWiki, state: StateStore) -> SyncEngine:
    return new_engine(wiki, state)


NEW = "Utilisateur:Nina Neuve/Contributions 2026"


def test_a_state_deleted_while_the_service_runs_is_rebuilt_before_any_page_is_written(
    engine: SyncEngine, wiki: FakeWiki, state: StateStore
) -> None:
    engine.full_sync()
    assert engine.complete
    state.path.unlink()
    for companion in ("-wal", "-shm"):
        Path(f"{state.path}{companion}").unlink(missing_ok=True)
    wiki.save(NEW, declaration("Contribution", "Nina Neuve", 7))
    result = engine.sync_pages({NEW})
    assert result.kind == "full" and result.pages_read == 4
    assert "157,00" in generated(wiki, REGISTRY)  # 100 + 50 + 7, not 7 alone
    assert state.path.exists() and engine.complete


def test_an_event_on_a_new_state_is_a_full_sync_and_never_a_page_alone(
    wiki: FakeWiki, tmp_path: Path
) -> None:
    new_engine(wiki, StateStore(tmp_path / "old.sqlite3")).full_sync()
    wiki.save(NEW, declaration("Contribution", "Nina Neuve", 7))
    store = StateStore(tmp_path / "restored.sqlite3")  # a new server, a lost file
    engine = new_engine(wiki, store)
    assert not engine.complete
    result = engine.sync_pages({NEW})
    assert result.kind == "full"
    assert "157,00" in generated(wiki, REGISTRY)
    assert engine.complete


def test_a_full_sync_cut_short_leaves_the_state_incomplete(wiki: FakeWiki, tmp_path: Path) -> None:
    engine = new_engine(wiki, StateStore(tmp_path / "state.sqlite3"))

    def stopped(title: str) -> None:
        raise sqlite3.OperationalError("disk I/O error")  # any failure during the writes

    wiki.before_save = stopped
    with contextlib.suppress(sqlite3.OperationalError):
        engine.full_sync()
    assert not engine.complete
    wiki.before_save = None
    assert engine.sync_pages({NEW}).kind == "full"


def test_a_state_holding_newer_revisions_than_the_wiki_is_not_trusted(
    engine: SyncEngine, wiki: FakeWiki, state: StateStore
) -> None:
    engine.full_sync()
    with state.transaction() as db:  # a state from another wiki, or another time
        db.execute("UPDATE parsed_page SET rev_id = rev_id + 1000")
    engine.cache.pages().clear()
    engine.cache.pages().update({p.page_id: p for p in state.load_pages(cache_format())})
    result = engine.sync_pages({"Utilisateur:Zoé Blanc/Contributions 2026"})
    assert result.kind == "full"


HUMAN = "Note de la trésorière, à garder.\n\n"


def with_human_note(engine: SyncEngine, wiki: FakeWiki) -> str:
    """The registre after a first sync, with a person's note above the generated part."""
    engine.full_sync()
    text = HUMAN + (wiki.text(REGISTRY) or "")
    wiki.save(REGISTRY, text, user="Trésorière")
    return text


def change_figures(wiki: FakeWiki) -> None:
    wiki.save(ZOE, declaration("Contribution", "Zoé Blanc", 120))


@pytest.mark.parametrize(
    ("broken", "fault"),
    [
        (lambda t: t.replace(MARKER_END, ""), "marqueur de fin"),
        (lambda t: t.replace(MARKER_START, ""), "marqueur de début"),
        (lambda t: t.replace(MARKER_START, MARKER_START + "\n" + MARKER_START), "deux fois"),
        (
            lambda t: (
                t.replace(MARKER_START, "@@")
                .replace(MARKER_END, MARKER_START)
                .replace("@@", MARKER_END)
            ),
            "avant le marqueur de début",
        ),
    ],
    ids=["end gone", "start gone", "two starts", "end before start"],
)
def test_a_page_whose_markers_were_broken_by_hand_is_held_reported_and_written_once_whole(
    engine: SyncEngine, wiki: FakeWiki, broken: Callable[[str], str], fault: str
) -> None:
    whole = with_human_note(engine, wiki)
    wiki.save(REGISTRY, broken(whole), user="Trésorière")
    kept = wiki.text(REGISTRY)
    change_figures(wiki)
    result = engine.full_sync()
    assert [(h.title, h.kind) for h in result.held] == [(REGISTRY, "markers")]
    assert wiki.text(REGISTRY) == kept  # not one byte changed
    assert f"{REGISTRY}" in generated(wiki, ANOMALIES) and fault in generated(wiki, ANOMALIES)
    assert any(p.source.page == REGISTRY for p in engine.compute().problems)
    wiki.save(REGISTRY, whole, user="Trésorière")  # the markers put back
    again = engine.full_sync()
    assert again.held == [] and REGISTRY in {e.title for e in again.edits}
    text = wiki.text(REGISTRY) or ""
    assert text.startswith(HUMAN + MARKER_START) and "170,00" in generated(wiki, REGISTRY)
    assert REGISTRY not in generated(wiki, ANOMALIES)


def test_a_page_only_the_bot_wrote_is_restored_when_its_end_marker_is_gone(
    engine: SyncEngine, wiki: FakeWiki
) -> None:
    engine.full_sync()
    wiki.save(REGISTRY, (wiki.text(REGISTRY) or "").replace(MARKER_END, ""))
    change_figures(wiki)
    result = engine.full_sync()
    assert result.held == []
    text = wiki.text(REGISTRY) or ""
    assert text.count(MARKER_START) == text.count(MARKER_END) == 1  # not doubled
    assert text.startswith(MARKER_START) and "170,00" in generated(wiki, REGISTRY)


def test_a_blanked_page_is_written_again(engine: SyncEngine, wiki: FakeWiki) -> None:
    engine.full_sync()
    wiki.save(REGISTRY, "")
    result = engine.full_sync()
    assert result.held == [] and REGISTRY in {e.title for e in result.edits}
    assert "150,00" in generated(wiki, REGISTRY)


@pytest.mark.parametrize(
    "call",
    [
        "{{nobots}}",
        "{{bots|deny=all}}",
        "{{Bots|deny=Autre, WikiLedgerBot}}",
        "{{bots|allow=none}}",
    ],
)
def test_nobots_and_bots_deny_naming_the_bot_keep_it_off_the_page_and_are_reported(
    engine: SyncEngine, wiki: FakeWiki, call: str
) -> None:
    engine.full_sync()
    wiki.save(REGISTRY, call + "\n" + (wiki.text(REGISTRY) or ""), user="Trésorière")
    kept = wiki.text(REGISTRY)
    change_figures(wiki)
    result = engine.full_sync()
    assert [(h.title, h.kind) for h in result.held] == [(REGISTRY, "nobots")]
    assert wiki.text(REGISTRY) == kept
    anomalies = generated(wiki, ANOMALIES)
    assert REGISTRY in anomalies and "demande aux robots de ne pas la modifier" in anomalies
    assert "170,00" in generated(wiki, CIRCLE_PAGE)  # the other pages go on


def test_bots_deny_naming_another_bot_does_not_stop_this_one(
    engine: SyncEngine, wiki: FakeWiki
) -> None:
    engine.full_sync()
    wiki.save(REGISTRY, "{{bots|deny=AutreRobot}}\n" + (wiki.text(REGISTRY) or ""))
    change_figures(wiki)
    assert engine.full_sync().held == []
    assert "170,00" in generated(wiki, REGISTRY)


def test_a_page_over_the_wikis_size_limit_is_shortened_with_a_notice(
    engine: SyncEngine, wiki: FakeWiki
) -> None:
    many = "".join(declaration("Contribution", f"Membre {n:03}", 10 + n) for n in range(300))
    wiki.save("Utilisateur:Beaucoup/Contributions 2026", many)
    wiki.max_page_bytes = 20_000
    result = engine.full_sync()
    assert result.held == []
    text = wiki.text(CIRCLE_PAGE) or ""
    assert len(text.encode()) <= 20_000
    assert "Page tronquée" in text and text.count("{|") == text.count("|}")
    assert "Membre 000" in text


def test_a_campaign_name_the_wiki_cannot_take_as_a_title_is_a_problem_at_its_line(
    engine: SyncEngine, wiki: FakeWiki
) -> None:
    wiki.save(
        "Cobudget sonde",
        "Intro\n{{Cobudget|campagne=Sonde [x]|enveloppe=1000|dotation=100}}\n"
        "{{Projet cobudget|campagne=Sonde [x]|titre=Essai|minimum=100}}\n",
    )
    result = engine.full_sync()
    assert result.held == []
    assert not any("Sonde" in e.title for e in result.edits)  # nothing the wiki would refuse
    (problem,) = [p for p in engine.compute().problems if "titre de son bilan" in p.message]
    assert (problem.source.page, problem.source.line, problem.severity) == (
        "Cobudget sonde",
        2,
        "error",
    )
    assert "« [ »" in problem.message
    assert "Cobudget sonde" in generated(wiki, ANOMALIES)
