"""The engine's rules on an in-memory wiki (`tests.fakewiki`): no null edit, people's text and
concurrent edits kept, retired pages, a page the wiki refuses, statements, partial syncs.

The same rules are checked against the real MediaWiki in `tests/wiki/test_sync.py`; these run
in milliseconds, so each rule gets its own case.
"""

from __future__ import annotations

import datetime
import gc
import sys
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest

from parsers.marker import MARKER_START, extract_generated
from render.config import SyncConfig
from render.incremental import IncrementalComputer
from sync.engine import SyncEngine
from sync.port import PageInfo, WikiPort
from sync.state import StateStore
from tests.fakewiki import BOT, FakeWiki

REGISTRY = "Contribution-rétribution/Registre 2026"
CIRCLE_PAGE = f"{REGISTRY}/Animation"
ANOMALIES = "Contribution-rétribution/Anomalies"
DATA = "Contribution-rétribution/Données"
ZOE = "Utilisateur:Zoé Blanc/Contributions 2026"
YVES = "Utilisateur:Yves Roux/Contributions 2026"


def declaration(template: str, who: str, amount: int) -> str:
    return (
        f"{{{{{template}|contributeur={who}|cercle=Animation|date=03/02/2026|montant={amount}}}}}\n"
    )


@pytest.fixture
def wiki() -> FakeWiki:
    return seeded_wiki()


def seeded_wiki() -> FakeWiki:
    """A circle with its envelope, two members' declarations, one through a redirect."""
    wiki = FakeWiki()
    wiki.save(
        "Cercle Animation",
        "{{Cercle|nom=Animation}}\n{{Enveloppe cercle|cercle=Animation|année=2026|montant=1000}}\n",
    )
    wiki.save("Modèle:Déclaration", "#REDIRECTION [[Modèle:Contribution]]")
    wiki.save(ZOE, "Mes heures.\n" + declaration("Contribution", "Zoé Blanc", 100))
    wiki.save(YVES, declaration("Déclaration", "Yves Roux", 50))  # through the redirect
    return wiki


@pytest.fixture
def state(tmp_path: Path) -> Iterator[StateStore]:
    store = StateStore(tmp_path / "state.sqlite3")
    yield store
    store.close()


def new_engine(wiki: WikiPort, state: StateStore) -> SyncEngine:
    return SyncEngine(wiki, state, SyncConfig(), today=lambda: datetime.date(2026, 3, 1))


@pytest.fixture
def engine(wiki: FakeWiki, state: StateStore) -> SyncEngine:
    return new_engine(wiki, state)


def generated(wiki: FakeWiki, title: str) -> str:
    return extract_generated(wiki.text(title) or "") or ""


def edited(engine: SyncEngine, **options: bool) -> set[str]:
    return {edit.title for edit in engine.full_sync(**options).edits}


def test_a_first_sync_writes_every_summary_page_as_bot_edits(
    engine: SyncEngine, wiki: FakeWiki
) -> None:
    result = engine.full_sync()
    assert {REGISTRY, CIRCLE_PAGE, ANOMALIES, DATA} <= {e.title for e in result.edits}
    assert (result.pages_listed, result.pages_read) == (3, 3)  # the redirect is no source
    for title in (REGISTRY, CIRCLE_PAGE, ANOMALIES, DATA):
        (revision,) = wiki.history(title)
        assert revision.user == BOT
        assert revision.summary.startswith("wikiledger : création — ")
        assert (wiki.text(title) or "").startswith(MARKER_START)
    assert "150,00" in generated(wiki, REGISTRY)  # Yves's declaration through the redirect


def test_a_second_sync_reads_no_page_and_saves_none(engine: SyncEngine, wiki: FakeWiki) -> None:
    engine.full_sync()
    revisions = wiki.revision_count()
    again = engine.full_sync()
    assert (again.pages_read, again.edits) == (0, [])
    assert wiki.revision_count() == revisions


def test_a_change_that_leaves_the_figures_alone_makes_no_edit(
    engine: SyncEngine, wiki: FakeWiki
) -> None:
    engine.full_sync()
    wiki.save(ZOE, (wiki.text(ZOE) or "") + "\nUne phrase de plus, après la déclaration.\n")
    revisions = wiki.revision_count()
    result = engine.full_sync()
    assert (result.pages_read, result.edits) == (1, [])
    assert wiki.revision_count() == revisions


def test_a_new_engine_renders_new_generation_times_yet_makes_no_edit(
    engine: SyncEngine, wiki: FakeWiki, state: StateStore
) -> None:
    engine.full_sync()
    revisions = wiki.revision_count()
    fresh = new_engine(wiki, state)  # no render memo: every page is rendered again
    assert fresh.full_sync().edits == []
    assert wiki.revision_count() == revisions


def test_text_outside_the_markers_is_kept_byte_for_byte(engine: SyncEngine, wiki: FakeWiki) -> None:
    engine.full_sync()
    above, below = "Note de la trésorière, ''à garder''.\n\n", "\n\nEt une ligne après.  \ttab"
    wiki.save(REGISTRY, above + (wiki.text(REGISTRY) or "") + below, user="Trésorière")
    wiki.save(ZOE, declaration("Contribution", "Zoé Blanc", 120))
    assert REGISTRY in edited(engine)
    text = wiki.text(REGISTRY) or ""
    assert text.startswith(above + MARKER_START)
    assert text.endswith(below)
    assert "170,00" in generated(wiki, REGISTRY)


def human_note_before_the_bot_saves(wiki: FakeWiki, title: str) -> list[int]:
    """Just before the bot's first save of `title`, a person adds a note on top of it."""
    saved: list[int] = []

    def note(saving: str) -> None:
        if saving == title and not saved:
            text = "Remarque ajoutée pendant la synchronisation.\n\n" + (wiki.text(title) or "")
            saved.append(wiki.save(title, text, user="Trésorière"))

    wiki.before_save = note
    return saved


def test_a_human_edit_made_during_the_sync_is_kept(engine: SyncEngine, wiki: FakeWiki) -> None:
    engine.full_sync()
    wiki.save(ZOE, declaration("Contribution", "Zoé Blanc", 120))
    human = human_note_before_the_bot_saves(wiki, REGISTRY)
    assert REGISTRY in edited(engine)
    assert human  # the wiki refused the save over it (edit conflict): read again, saved again
    text = wiki.text(REGISTRY) or ""
    assert text.startswith("Remarque ajoutée pendant la synchronisation.")
    assert "170,00" in generated(wiki, REGISTRY)
    assert [r.user for r in wiki.history(REGISTRY)][-2:] == ["Trésorière", BOT]


def test_an_edit_the_wiki_let_the_bot_replace_is_put_back(
    engine: SyncEngine, wiki: FakeWiki
) -> None:
    engine.full_sync()
    wiki.save(ZOE, declaration("Contribution", "Zoé Blanc", 120))
    human = human_note_before_the_bot_saves(wiki, REGISTRY)
    wiki.lost_update = True  # as MediaWiki does for two saves within the same second
    assert REGISTRY in edited(engine)
    assert human
    history = wiki.history(REGISTRY)
    assert [r.user for r in history][-3:] == ["Trésorière", BOT, BOT]
    assert not history[-2].text.startswith("Remarque")  # the save that went over theirs
    assert (wiki.text(REGISTRY) or "").startswith("Remarque ajoutée pendant la synchronisation.")
    assert "170,00" in generated(wiki, REGISTRY)


def test_a_circle_left_without_declarations_gets_a_notice_instead_of_stale_figures(
    engine: SyncEngine, wiki: FakeWiki
) -> None:
    engine.full_sync()
    assert "100,00" in generated(wiki, CIRCLE_PAGE)
    wiki.delete(ZOE)
    wiki.delete(YVES)
    result = engine.full_sync()
    assert result.pages_removed == 2
    (edit,) = [e for e in result.edits if e.title == CIRCLE_PAGE]
    assert edit.summary.endswith("plus rien à récapituler")
    page = generated(wiki, CIRCLE_PAGE)
    assert "Plus rien à récapituler ici." in page
    assert "100,00" not in page
    assert engine.full_sync().edits == []  # retired once


def test_a_retired_page_someone_deleted_is_not_created_again(
    engine: SyncEngine, wiki: FakeWiki
) -> None:
    engine.full_sync()
    wiki.delete(CIRCLE_PAGE)
    wiki.delete(ZOE)
    wiki.delete(YVES)
    assert CIRCLE_PAGE not in edited(engine)
    assert wiki.text(CIRCLE_PAGE) is None


def test_a_page_the_wiki_refuses_blocks_no_other_and_is_written_once_allowed(
    wiki: FakeWiki, state: StateStore
) -> None:
    wiki.protected.add(REGISTRY)
    result = new_engine(wiki, state).full_sync()
    assert [(h.title, h.code) for h in result.refused] == [(REGISTRY, "protectedpage")]
    assert wiki.text(REGISTRY) is None
    written = {e.title for e in result.edits}
    assert {CIRCLE_PAGE, ANOMALIES, DATA} <= written  # the pages after it were written
    assert any(SyncConfig().pages.is_card_data(t) for t in written)
    anomalies = generated(wiki, ANOMALIES)
    assert REGISTRY in anomalies and "protectedpage" in anomalies and "protection" in anomalies
    wiki.protected.clear()
    again = new_engine(wiki, state).full_sync()  # a restart: the parsed pages were kept
    assert again.pages_read == 0 and again.held == []
    assert {e.title for e in again.edits} == {REGISTRY, ANOMALIES}
    assert REGISTRY not in generated(wiki, ANOMALIES)  # the report is over


def test_a_call_on_the_bots_own_page_is_never_read_as_a_declaration(
    engine: SyncEngine, wiki: FakeWiki
) -> None:
    engine.full_sync()
    wiki.save(REGISTRY, (wiki.text(REGISTRY) or "") + declaration("Contribution", "Intrus", 9999))
    result = engine.full_sync()
    assert result.pages_listed == 3
    assert "150,00" in generated(wiki, REGISTRY)
    assert "Intrus" not in generated(wiki, REGISTRY)


def test_a_statement_is_written_on_the_members_page_and_that_page_is_not_read_again(
    engine: SyncEngine, wiki: FakeWiki
) -> None:
    wiki.save("Utilisateur:Zoé Blanc", "Ma page.\n\n{{Relevé}}\n")
    assert "Utilisateur:Zoé Blanc" in edited(engine)
    text = wiki.text("Utilisateur:Zoé Blanc") or ""
    assert text.startswith("Ma page.\n\n{{Relevé}}\n" + MARKER_START)
    assert "100,00" in (extract_generated(text) or "")
    # the bot's save changed only the generated part: the cache follows it to its revision
    again = engine.full_sync()
    assert (again.pages_read, again.edits) == (0, [])


def test_a_statement_on_a_configured_user_namespace_is_written_and_not_reported(
    wiki: FakeWiki, state: StateStore
) -> None:
    # A wiki whose members' pages are in a namespace of its own: the parser and the
    # statements both follow `user_namespaces` (one rule of whose page a page is).
    config = SyncConfig(user_namespaces=("Membre",))
    engine = SyncEngine(wiki, state, config, today=lambda: datetime.date(2026, 3, 1))
    wiki.save("Membre:Zoé Blanc", "Ma page.\n\n{{Relevé}}\n")
    wiki.save("Utilisateur:Yves Roux", "{{Relevé}}\n")  # not a user namespace here
    assert "Membre:Zoé Blanc" in edited(engine)
    assert "100,00" in generated(wiki, "Membre:Zoé Blanc")
    assert extract_generated(wiki.text("Utilisateur:Yves Roux") or "") is None
    pages = {p.source.page for p in engine.compute().problems if "propre page" in p.message}
    assert pages == {"Utilisateur:Yves Roux"}
    assert "propre page utilisateur" in generated(wiki, ANOMALIES)


def test_a_sync_of_named_pages_reads_only_them(engine: SyncEngine, wiki: FakeWiki) -> None:
    engine.full_sync()
    wiki.save(ZOE, declaration("Contribution", "Zoé Blanc", 120))
    result = engine.sync_pages({ZOE})
    assert (result.kind, result.pages_read) == ("pages", 1)
    assert REGISTRY in {e.title for e in result.edits}
    assert "170,00" in generated(wiki, REGISTRY)
    wiki.delete(YVES)
    gone = engine.sync_pages({YVES})
    assert (gone.pages_read, gone.pages_removed) == (0, 1)
    assert "120,00" in generated(wiki, REGISTRY)


def test_a_dry_run_shows_the_diffs_and_writes_nothing(engine: SyncEngine, wiki: FakeWiki) -> None:
    revisions = wiki.revision_count()
    result = engine.full_sync(dry_run=True)
    assert result.kind == "dry-run"
    (registry,) = [e for e in result.edits if e.title == REGISTRY]
    assert f"+++ {REGISTRY} (wikiledger)" in registry.diff
    assert wiki.revision_count() == revisions
    assert REGISTRY in edited(engine)  # nothing was remembered as written


def test_a_sync_changes_no_setting_of_the_interpreter(engine: SyncEngine, wiki: FakeWiki) -> None:
    outside = (gc.isenabled(), gc.get_threshold(), sys.getswitchinterval())
    during: list[tuple[object, ...]] = []
    wiki.before_save = lambda title: during.append(
        (gc.isenabled(), gc.get_threshold(), sys.getswitchinterval())
    )
    engine.full_sync()
    assert during  # measured while the sync saved its pages
    assert set(during) == {outside}
    assert (gc.isenabled(), gc.get_threshold(), sys.getswitchinterval()) == outside


def test_a_change_writes_the_registre_the_circle_page_the_data_then_the_cards_then_the_rest(
    engine: SyncEngine, wiki: FakeWiki, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine.full_sync()
    wiki.save("Utilisateur:Zoé Blanc", "{{Relevé|Zoé Blanc}}")
    engine.full_sync()
    steps: list[str] = []
    wiki.before_save = steps.append
    # the wait for the sources' rendering, before the first shard of card data is saved
    monkeypatch.setattr(
        "sync.publish.wait_for_rendered_sources", lambda newest: steps.append("(attente)")
    )
    wiki.save(ZOE, declaration("Contribution", "Zoé Blanc", 120))
    engine.sync_pages({ZOE})
    # the envelope's data page before the cards: a card saying "comptée" is rendered with it
    assert steps[:4] == [REGISTRY, CIRCLE_PAGE, DATA, "(attente)"]
    saved = [step for step in steps if step != "(attente)"]
    cards = [title for title in saved if title.startswith("Contribution-rétribution/Suivi/")]
    assert cards and saved[3 : 3 + len(cards)] == cards
    rest = saved[3 + len(cards) :]
    assert "Utilisateur:Zoé Blanc" in rest  # the statement


# -- a live sync saves the pages it wrote on the revision it saw, without looking first ------


def asked_about(wiki: FakeWiki) -> list[str]:
    """Every title the engine asks `page_infos` about from now on."""
    asked: list[str] = []
    original = wiki.page_infos

    def page_infos(titles: Iterable[str]) -> dict[str, PageInfo]:
        titles = list(titles)
        asked.extend(titles)
        return original(titles)

    wiki.page_infos = page_infos  # type: ignore[method-assign]
    return asked


def seen_by_a_live_sync(engine: SyncEngine, wiki: FakeWiki, *titles: str) -> None:
    """A full sync (which creates the pages), then a live one (which looks at the pages Zoé's
    declaration changes): from then on the engine knows the revision of those pages."""
    engine.full_sync()
    wiki.save(ZOE, declaration("Contribution", "Zoé Blanc", 110))
    engine.sync_pages({ZOE})
    known = engine.known or {}
    assert all(known[title].seen is not None for title in (REGISTRY, CIRCLE_PAGE, *titles))


def test_a_live_sync_saves_the_pages_it_wrote_without_asking_about_them_first(
    engine: SyncEngine, wiki: FakeWiki
) -> None:
    engine.full_sync()  # creates the pages: their ids are learnt by the next look
    asked = asked_about(wiki)
    wiki.save(ZOE, declaration("Contribution", "Zoé Blanc", 120))
    engine.sync_pages({ZOE})
    assert REGISTRY in asked
    asked.clear()
    wiki.save(ZOE, declaration("Contribution", "Zoé Blanc", 140))
    result = engine.sync_pages({ZOE})
    assert {REGISTRY, CIRCLE_PAGE, DATA} <= {e.title for e in result.edits}
    assert asked == []  # every page it saved, it saved on the revision it last saw
    assert "190,00" in generated(wiki, REGISTRY)
    assert engine.full_sync().edits == []  # the full look finds the wiki as the bot left it
    assert asked  # (a full sync does look)


def test_a_live_sync_saves_the_registre_before_asking_about_a_page_it_has_not_seen(
    engine: SyncEngine, wiki: FakeWiki
) -> None:
    accueil, lea = f"{REGISTRY}/Accueil", "Utilisateur:Léa Petit/Contributions 2026"
    wiki.save("Cercle Accueil", "{{Cercle|nom=Accueil}}\n")
    accueil_declaration = declaration("Contribution", "Léa Petit", 40).replace(
        "Animation", "Accueil"
    )
    wiki.save(lea, accueil_declaration)
    seen_by_a_live_sync(engine, wiki)  # the registre seen; the Accueil page only created
    assert (engine.known or {})[accueil].seen is None
    steps: list[str] = []
    original = wiki.page_infos

    def page_infos(titles: Iterable[str]) -> dict[str, PageInfo]:
        titles = list(titles)
        steps.append(f"look {sorted(titles)}")
        return original(titles)

    wiki.page_infos = page_infos  # type: ignore[method-assign]
    wiki.before_save = steps.append
    wiki.save(lea, accueil_declaration.replace("=40", "=45"))
    engine.sync_pages({lea})
    # the registre first, on the revision it saw; then one look at what it has not seen
    assert steps[:3] == [REGISTRY, f"look {[accueil]}", accueil]
    assert "45,00" in generated(wiki, accueil)
    assert engine.full_sync().edits == []  # the wiki as a full look expects it


def test_a_live_sync_keeps_a_human_edit_made_since_the_bots_last_save(
    engine: SyncEngine, wiki: FakeWiki
) -> None:
    seen_by_a_live_sync(engine, wiki)
    asked = asked_about(wiki)
    note = "Note de la trésorière.\n\n"
    wiki.save(REGISTRY, note + (wiki.text(REGISTRY) or ""), user="Trésorière")
    wiki.save(ZOE, declaration("Contribution", "Zoé Blanc", 120))
    assert REGISTRY in {e.title for e in engine.sync_pages({ZOE}).edits}
    assert REGISTRY not in asked  # saved on the bot's revision: a conflict, then read
    text = wiki.text(REGISTRY) or ""
    assert text.startswith(note + MARKER_START)
    assert "170,00" in generated(wiki, REGISTRY)
    assert [r.user for r in wiki.history(REGISTRY)][-2:] == ["Trésorière", BOT]


def test_a_live_sync_does_not_recreate_a_statement_deleted_since_and_then_looks_at_it(
    engine: SyncEngine, wiki: FakeWiki
) -> None:
    statement_page = "Utilisateur:Zoé Blanc"
    wiki.save(statement_page, "{{Relevé}}\n")
    seen_by_a_live_sync(engine, wiki, statement_page)
    assert "110,00" in generated(wiki, statement_page)
    wiki.delete(statement_page)
    wiki.save(ZOE, declaration("Contribution", "Zoé Blanc", 120))
    assert statement_page not in {e.title for e in engine.sync_pages({ZOE}).edits}
    assert wiki.text(statement_page) is None
    asked = asked_about(wiki)
    saves: list[str] = []
    wiki.before_save = saves.append
    wiki.save(ZOE, declaration("Contribution", "Zoé Blanc", 130))
    engine.sync_pages({ZOE})
    assert statement_page in asked and statement_page not in saves  # looked at, not saved
    assert wiki.text(statement_page) is None


def test_a_live_sync_holds_a_page_protected_since_and_writes_the_others(
    engine: SyncEngine, wiki: FakeWiki
) -> None:
    seen_by_a_live_sync(engine, wiki)
    wiki.protected.add(REGISTRY)
    wiki.save(ZOE, declaration("Contribution", "Zoé Blanc", 120))
    result = engine.sync_pages({ZOE})
    assert [(h.title, h.code) for h in result.held] == [(REGISTRY, "protectedpage")]
    assert "170,00" in generated(wiki, CIRCLE_PAGE)
    assert "170,00" not in generated(wiki, REGISTRY)
    assert "protectedpage" in generated(wiki, ANOMALIES)


# -- a live sync saves the registre while the cards and statements are worked out ------------


def test_a_live_sync_saves_the_registre_while_the_cards_and_statements_are_worked_out(
    engine: SyncEngine, wiki: FakeWiki, monkeypatch: pytest.MonkeyPatch
) -> None:
    statement_page = "Utilisateur:Zoé Blanc"
    wiki.save(statement_page, "{{Relevé}}\n")
    engine.full_sync()
    registre_saving = threading.Event()
    wiki.before_save = lambda title: registre_saving.set() if title == REGISTRY else None
    real = IncrementalComputer._update_statements

    def after_the_registre(self: IncrementalComputer, *args: Any) -> int:
        assert registre_saving.wait(10), "the statements held the registre's save back"
        return real(self, *args)

    monkeypatch.setattr(IncrementalComputer, "_update_statements", after_the_registre)
    wiki.save(ZOE, declaration("Contribution", "Zoé Blanc", 120))
    result = engine.sync_pages({ZOE})
    assert {REGISTRY, statement_page} <= {e.title for e in result.edits}
    assert "170,00" in generated(wiki, REGISTRY)
    assert "120,00" in generated(wiki, statement_page)


def test_a_live_sync_stopped_before_its_cards_leaves_the_next_computation_whole(
    engine: SyncEngine, wiki: FakeWiki, tmp_path: Path
) -> None:
    statement_page = "Utilisateur:Zoé Blanc"
    wiki.save(statement_page, "{{Relevé}}\n")
    engine.full_sync()

    def crash(title: str) -> None:
        if title == REGISTRY:
            raise RuntimeError("le service s'arrête")

    wiki.before_save = crash
    wiki.save(ZOE, declaration("Contribution", "Zoé Blanc", 120))
    with pytest.raises(RuntimeError):
        engine.sync_pages({ZOE})  # stopped while saving the registre
    wiki.before_save = None
    wiki.save(YVES, declaration("Déclaration", "Yves Roux", 60))
    engine.sync_pages({YVES})
    kept = engine.compute()
    fresh = new_engine(wiki, StateStore(tmp_path / "fresh.sqlite3"))
    fresh.full_sync(write=False)
    whole = fresh.compute()
    assert kept.card_shards == whole.card_shards
    assert kept.statements == whole.statements
    assert "120,00" in generated(wiki, statement_page) and "180,00" in generated(wiki, REGISTRY)
