"""Issue 12 through the engine, on the in-memory wiki: the history built on a first sync (each
revision read once), followed by live syncs at no extra request, and what the pages and the
JSON then show, in warn and in enforce mode."""

from __future__ import annotations

import datetime
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from ledger.governance import GovernanceSettings, Mode
from ledger.report import campaign_report_to_json, contribution_report_to_json
from parsers.marker import extract_generated
from render.config import SyncConfig
from sync.engine import SyncEngine
from sync.state import StateStore
from tests.fakewiki import FakeWiki

CIRCLE = "Cercle Animation"
PAGE = "Utilisateur:Zoé Blanc/Contributions 2026"
CIRCLE_PAGE = "Contribution-rétribution/Registre 2026/Animation"
ANOMALIES = "Contribution-rétribution/Anomalies"
BILAN = "Cobudget 2026/Bilan"


def declaration(status: str = "", amount: int = 100) -> str:
    text = (
        f"{{{{Contribution|contributeur=Zoé Blanc|cercle=Animation|date=03/02/2026|montant={amount}"
    )
    return text + (f"|statut={status}" if status else "") + "}}\n"


@pytest.fixture
def wiki() -> FakeWiki:
    wiki = FakeWiki()
    wiki.groups["tresorerie"] = {"Claire Petit"}
    wiki.save(
        CIRCLE,
        "{{Cercle|nom=Animation|référents=Bruno Lefèvre}}\n"
        "{{Enveloppe cercle|cercle=Animation|année=2026|montant=1000}}\n",
        user="Admin",
    )
    wiki.save(PAGE, declaration(), user="Zoé Blanc")
    wiki.save(PAGE, declaration("validée"), user="Bruno Lefèvre")
    wiki.save(PAGE, declaration("versée"), user="Nouveau Membre")
    return wiki


@pytest.fixture
def state(tmp_path: Path) -> Iterator[StateStore]:
    store = StateStore(tmp_path / "state.sqlite3")
    yield store
    store.close()


def engine_for(wiki: FakeWiki, state: StateStore, mode: Mode = Mode.WARN) -> SyncEngine:
    settings = GovernanceSettings(mode=mode, treasurer_group="tresorerie", bots=("WikiLedgerBot",))
    config = SyncConfig(governance=settings, timezone="UTC")
    return SyncEngine(wiki, state, config, today=lambda: datetime.date(2026, 3, 1))


def generated(wiki: FakeWiki, title: str) -> str:
    return extract_generated(wiki.text(title) or "") or ""


def test_a_first_sync_reads_the_history_once_and_enforce_counts_what_was_entitled(
    wiki: FakeWiki, state: StateStore
) -> None:
    engine = engine_for(wiki, state, Mode.ENFORCE)
    result = engine.full_sync()
    assert result.pages_read == 2  # the latest revisions came with the history: not read again
    computation = engine.compute()
    [item] = contribution_report_to_json(computation.contributions[2026])["contributions"]
    assert (item["status"], item["written_status"]) == ("validée", "versée")
    assert item["validated_by"]["user"] == "Bruno Lefèvre" and item["paid_by"] is None
    assert [e["field"] for e in item["history"]] == ["created", "statut", "statut"]
    [finding] = computation.governance
    assert finding.severity == "error" and "Nouveau Membre" in finding.message
    page = generated(wiki, CIRCLE_PAGE)
    assert "validée <small>(écrit : versée)</small>" in page
    assert "[[Special:Diff/" in page and "validée par Bruno Lefèvre le 01/03" in page
    anomalies = generated(wiki, ANOMALIES)
    assert "== Qui a déclaré, validé, versé ==" in anomalies
    assert "Nouveau Membre" in anomalies


def test_warn_mode_counts_as_written_and_warns(wiki: FakeWiki, state: StateStore) -> None:
    engine = engine_for(wiki, state, Mode.WARN)
    engine.full_sync()
    computation = engine.compute()
    [item] = contribution_report_to_json(computation.contributions[2026])["contributions"]
    assert item["status"] == item["written_status"] == "versée"
    assert item["paid_by"]["user"] == "Nouveau Membre"
    assert [p.severity for p in computation.governance] == ["warning"]


def test_a_live_edit_costs_no_request_beyond_reading_the_page(
    wiki: FakeWiki, state: StateStore
) -> None:
    engine = engine_for(wiki, state, Mode.ENFORCE)
    engine.full_sync()
    wiki.save(PAGE, declaration("validée"), user="Zoé Blanc")  # the newcomer's edit undone
    engine.sync_pages({PAGE})
    wiki.save(PAGE, declaration("versée"), user="Claire Petit")  # the treasurer pays

    def no_history_read(*args: object) -> object:
        raise AssertionError("a live edit read the history")

    wiki.read_histories = no_history_read  # type: ignore[method-assign,assignment]
    wiki.missed_revisions = no_history_read  # type: ignore[method-assign,assignment]
    result = engine.sync_pages({PAGE})
    assert result.pages_read == 1
    computation = engine.compute()
    [item] = contribution_report_to_json(computation.contributions[2026])["contributions"]
    assert item["status"] == "versée" and item["paid_by"]["user"] == "Claire Petit"
    assert computation.governance == []
    # a fresh engine on the same state loads the history instead of reading it again
    again = engine_for(wiki, state, Mode.ENFORCE)
    assert isinstance(again.wiki, FakeWiki)
    result = again.full_sync()
    assert result.pages_read == 0
    json = contribution_report_to_json(again.compute().contributions[2026])
    assert json["contributions"][0]["paid_by"]["user"] == "Claire Petit"


def test_a_rebuild_reads_every_revision_again_and_finds_the_same(
    wiki: FakeWiki, state: StateStore
) -> None:
    engine = engine_for(wiki, state, Mode.ENFORCE)
    engine.full_sync()
    first = contribution_report_to_json(engine.compute().contributions[2026])
    result = engine.full_sync(rebuild=True)
    assert result.pages_read == 2
    assert contribution_report_to_json(engine.compute().contributions[2026]) == first


def test_a_pledge_written_after_the_closing_is_listed_on_the_bilan_not_counted(
    wiki: FakeWiki, state: StateStore
) -> None:
    wiki.save(
        "Cobudget 2026",
        "{{Cobudget|campagne=2026|dotation=500|participants=Zoé Blanc"
        "|ouverture=01/01/2026|clôture=28/02/2026}}\n"
        "{{Projet cobudget|campagne=2026|titre=Vélo|minimum=100}}\n",
        user="Admin",
    )  # the fake wiki's revisions are dated 1 March 2026
    wiki.save(PAGE, declaration("versée") + "{{Soutien cobudget|campagne=2026|projet=Vélo"
              "|membre=Zoé Blanc|montant=50}}\n", user="Zoé Blanc")  # fmt: skip
    engine = engine_for(wiki, state, Mode.WARN)
    engine.full_sync()
    json = campaign_report_to_json(engine.compute().campaigns["2026"])
    [pledge] = json["pledges"]
    assert (pledge["counted"], pledge["written_by"]) == (False, "Zoé Blanc")
    assert pledge["reason"].startswith("soutien écrit le 01/03/2026, après la clôture")
    assert "== Changements hors des dates de la campagne ==" in generated(wiki, BILAN)


def test_a_treasurer_added_to_the_group_pays_from_the_next_full_sync(
    wiki: FakeWiki, state: StateStore
) -> None:
    engine = engine_for(wiki, state, Mode.ENFORCE)
    engine.full_sync()  # the newcomer's versée is not counted: not in the group
    wiki.groups["tresorerie"].add("Nouveau Membre")
    requests = wiki.requests
    engine.sync_pages({PAGE})  # a live sync reads no group
    assert engine.keeper.rules().group_members == {"Claire Petit"}
    engine.full_sync()
    assert wiki.requests > requests
    computation = engine.compute()
    [item] = contribution_report_to_json(computation.contributions[2026])["contributions"]
    assert item["status"] == "versée" and item["paid_by"]["user"] == "Nouveau Membre"
    assert computation.governance == []


def test_a_statement_shows_who_validated_and_who_paid(wiki: FakeWiki, state: StateStore) -> None:
    wiki.save(PAGE, declaration("validée"), user="Zoé Blanc")  # the newcomer's edit undone
    wiki.save(PAGE, declaration("versée"), user="Claire Petit")  # the treasurer pays
    wiki.save("Utilisateur:Zoé Blanc", "Ma page.\n\n{{Relevé}}\n", user="Zoé Blanc")
    engine = engine_for(wiki, state, Mode.ENFORCE)
    engine.full_sync()
    statement = generated(wiki, "Utilisateur:Zoé Blanc")
    assert "<small>validée par Bruno Lefèvre le 01/03/2026</small>" in statement
    assert "<small>versée par Claire Petit le 01/03/2026</small>" in statement


def test_a_pledge_changed_after_the_round_is_on_the_anomalies_page_too(
    wiki: FakeWiki, state: StateStore
) -> None:
    wiki.save(
        "Cobudget 2026",
        "{{Cobudget|campagne=2026|dotation=500|participants=Zoé Blanc"
        "|ouverture=01/01/2026|clôture=28/02/2026}}\n"
        "{{Projet cobudget|campagne=2026|titre=Vélo|minimum=100}}\n",
        user="Admin",
    )
    wiki.save(
        "Utilisateur:Zoé Blanc/Cobudget 2026",
        "{{Soutien cobudget|campagne=2026|projet=Vélo|membre=Zoé Blanc|montant=50}}\n",
        user="Zoé Blanc",
    )  # the fake wiki's revisions are dated 1 March 2026: after the clôture
    engine = engine_for(wiki, state, Mode.WARN)
    engine.full_sync()
    campaign = campaign_report_to_json(engine.compute().campaigns["2026"])
    assert campaign["pledges"][0]["counted"] is False
    anomalies = generated(wiki, ANOMALIES)
    assert "[[:Utilisateur:Zoé Blanc/Cobudget 2026|" in anomalies
    assert "après la clôture" in anomalies


@pytest.mark.parametrize(("mode", "severity"), [(Mode.WARN, "warning"), (Mode.ENFORCE, "error")])
def test_governance_findings_are_ordinary_problems_of_the_json(
    wiki: FakeWiki, state: StateStore, mode: Mode, severity: str
) -> None:
    engine = engine_for(wiki, state, mode)
    engine.full_sync()
    json = contribution_report_to_json(engine.compute().contributions[2026])
    [problem] = [p for p in json["problems"] if "Nouveau Membre" in p["message"]]
    assert (problem["page"], problem["line"], problem["template"]) == (PAGE, 1, "Contribution")
    assert problem["severity"] == severity
    assert "qui n'est pas trésorier·e (Claire Petit)" in problem["message"]


def test_after_a_restart_a_live_sync_loads_the_history_from_the_state(
    wiki: FakeWiki, state: StateStore
) -> None:
    engine_for(wiki, state, Mode.ENFORCE).full_sync()
    wiki.save(PAGE, declaration("validée"), user="Zoé Blanc")  # the newcomer's edit undone
    wiki.read_histories = lambda *args: pytest.fail("the history was read again")  # type: ignore[method-assign,assignment]
    restarted = engine_for(wiki, state, Mode.ENFORCE)
    result = restarted.sync_pages({PAGE})
    assert result.kind == "pages" and result.pages_read == 1
    [item] = contribution_report_to_json(restarted.compute().contributions[2026])["contributions"]
    assert item["validated_by"]["user"] == "Bruno Lefèvre"
    assert [e["field"] for e in item["history"]] == ["created", "statut", "statut", "statut"]


def test_a_live_sync_with_no_history_stored_makes_a_full_sync(
    wiki: FakeWiki, state: StateStore
) -> None:
    engine = engine_for(wiki, state, Mode.WARN)
    engine.full_sync()
    engine.keeper.close()
    with sqlite3.connect(state.path) as db:  # as a state from before issue 12: pages cached
        db.execute("DELETE FROM history_meta")
        db.execute("DELETE FROM history_trail")
    restarted = engine_for(wiki, state, Mode.WARN)
    assert restarted.cache.pages()  # the pages are cached: only the history is missing
    assert restarted.sync_pages({PAGE}).kind == "full"
    [item] = contribution_report_to_json(restarted.compute().contributions[2026])["contributions"]
    assert item["paid_by"]["user"] == "Nouveau Membre"


def test_a_live_edit_reads_the_new_revision_and_no_history(
    wiki: FakeWiki, state: StateStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = engine_for(wiki, state, Mode.WARN)
    engine.full_sync()
    asked: list[str] = []
    for name in ("read_histories", "missed_revisions", "group_members", "renamed_users"):
        real = getattr(wiki, name)

        def spy(*args: object, _name: str = name, _real: object = real) -> object:
            asked.append(_name)
            return _real(*args)  # type: ignore[operator]

        monkeypatch.setattr(wiki, name, spy)
    wiki.save(PAGE, declaration("versée", amount=150), user="Claire Petit")
    fetched: list[object] = []
    real_fetch = wiki.fetch_titles
    monkeypatch.setattr(wiki, "fetch_titles", lambda t: fetched.append(set(t)) or real_fetch(t))
    result = engine.sync_pages({PAGE})
    assert result.kind == "pages" and result.pages_read == 1
    assert asked == []  # the history followed from the revision the sync read, nothing more
    assert fetched[0] == {PAGE}  # the new revision, read once with its author
    [item] = contribution_report_to_json(engine.compute().contributions[2026])["contributions"]
    assert item["paid_by"]["user"] == "Claire Petit"
