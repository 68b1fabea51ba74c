"""Issue 13 with the history of issue 12, through the engine on the in-memory wiki: a closing
takes effect at the revision time of the decision; declarations of that circle-year created or
changed afterwards are listed and not counted, except `versée` set afterwards by someone
entitled to pay, counted up to what the decision made due."""

from __future__ import annotations

from typing import Any

import pytest

from ledger.governance import Mode
from ledger.report import contribution_report_to_json
from parsers.marker import extract_generated
from sync.engine import SyncEngine
from sync.state import StateStore
from tests.fakewiki import FakeWiki
from tests.unit.test_engine_governance import engine_for, state

__all__ = ["state"]  # the fixture, shared with the governance tests

CIRCLE = "Cercle Animation"
ZOE = "Utilisateur:Zoé Blanc/Contributions 2026"
YANN = "Utilisateur:Yann Roux/Contributions 2026"
CLOSING = "Animation/Clôture 2026"
CIRCLE_PAGE = "Contribution-rétribution/Registre 2026/Animation"
ANOMALIES = "Contribution-rétribution/Anomalies"


def declaration(who: str, amount: int, status: str = "validée", day: str = "03/02/2026") -> str:
    return (
        f"{{{{Contribution|contributeur={who}|cercle=Animation|date={day}|montant={amount}"
        f"|statut={status}}}}}\n"
    )


@pytest.fixture
def wiki() -> FakeWiki:
    """Animation 2026: envelope 1 000 €, Zoé asks 900 €, Yann 600 € (both validated by the
    référent), then the decision: prorata, Zoé 600 €, Yann 400 €."""
    wiki = FakeWiki()
    wiki.groups["tresorerie"] = {"Claire Petit"}
    wiki.save(
        CIRCLE,
        "{{Cercle|nom=Animation|référents=Bruno Lefèvre}}\n"
        "{{Enveloppe cercle|cercle=Animation|année=2026|montant=1000}}\n",
        user="Admin",
    )
    wiki.save(ZOE, declaration("Zoé Blanc", 900, "déclarée"), user="Zoé Blanc")
    wiki.save(ZOE, declaration("Zoé Blanc", 900), user="Bruno Lefèvre")
    wiki.save(YANN, declaration("Yann Roux", 600, "déclarée"), user="Yann Roux")
    wiki.save(YANN, declaration("Yann Roux", 600), user="Bruno Lefèvre")
    wiki.save(
        CLOSING,
        "{{Clôture cercle|cercle=Animation|année=2026|règle=prorata|date=15/01/2027}}\n",
        user="Bruno Lefèvre",
    )
    return wiki


def circle_json(engine: SyncEngine) -> dict[str, Any]:
    json = contribution_report_to_json(engine.compute().contributions[2026])
    [circle] = [c for c in json["circles"] if c["name"] == "Animation"]
    return circle


def due(engine: SyncEngine) -> dict[str, tuple[str, str, str]]:
    closing = circle_json(engine)["closing"]
    return {d["name"]: (d["amount"], d["paid"], d["remaining"]) for d in closing["due"]}


def late_problems(engine: SyncEngine) -> list[str]:
    return [p.message for p in engine.compute().problems if "après la clôture" in p.message]


def test_the_closing_takes_effect_at_the_revision_time_of_the_decision(
    wiki: FakeWiki, state: StateStore
) -> None:
    engine = engine_for(wiki, state)
    engine.full_sync()
    closing = circle_json(engine)["closing"]
    [revision] = wiki.history(CLOSING)
    assert closing["timestamp"] == revision.timestamp  # not its date=15/01/2027
    assert closing["rule"] == "prorata"
    assert due(engine) == {
        "Yann Roux": ("400.00", "0.00", "400.00"),
        "Zoé Blanc": ("600.00", "0.00", "600.00"),
    }
    assert late_problems(engine) == []


def test_a_payment_by_the_treasurer_afterwards_counts_up_to_what_is_due(
    wiki: FakeWiki, state: StateStore
) -> None:
    engine = engine_for(wiki, state)
    engine.full_sync()
    wiki.save(ZOE, declaration("Zoé Blanc", 900, "versée"), user="Claire Petit")
    engine.sync_pages({ZOE})
    assert due(engine) == {
        "Yann Roux": ("400.00", "0.00", "400.00"),
        "Zoé Blanc": ("600.00", "600.00", "0.00"),  # 600 € of her 900 € count as paid
    }
    assert late_problems(engine) == []
    page = extract_generated(wiki.text(CIRCLE_PAGE) or "") or ""
    assert "Reste à verser" in page


@pytest.mark.parametrize("mode", [Mode.WARN, Mode.ENFORCE])
def test_a_payment_by_someone_not_entitled_afterwards_is_listed_not_counted(
    wiki: FakeWiki, state: StateStore, mode: Mode
) -> None:
    engine = engine_for(wiki, state, mode)
    engine.full_sync()
    wiki.save(ZOE, declaration("Zoé Blanc", 900, "versée"), user="Nouveau Membre")
    engine.sync_pages({ZOE})
    closing = circle_json(engine)["closing"]
    assert [d["name"] for d in closing["due"]] == ["Yann Roux"]
    assert closing["due"][0]["paid"] == "0.00"
    [message] = late_problems(engine)
    assert message.startswith("déclaration écrite ou modifiée après la clôture 2026")
    assert f"({CLOSING}:1)" in message


def test_declarations_created_or_changed_afterwards_are_listed_on_the_pages_not_counted(
    wiki: FakeWiki, state: StateStore
) -> None:
    engine = engine_for(wiki, state)
    engine.full_sync()
    before = circle_json(engine)["requested"]
    # Yann raises his amount; Xavier declares for the closed year; a 2027 declaration is free
    wiki.save(YANN, declaration("Yann Roux", 800), user="Yann Roux")
    wiki.save(
        "Utilisateur:Xavier Noir/Contributions 2026",
        declaration("Xavier Noir", 200, "déclarée")
        + declaration("Xavier Noir", 50, "déclarée", day="03/02/2027"),
        user="Xavier Noir",
    )
    engine.full_sync()
    circle = circle_json(engine)
    assert circle["requested"] == "900.00" != before  # only Zoé's request is left
    assert [d["name"] for d in circle["closing"]["due"]] == ["Zoé Blanc"]
    problems = [
        p for p in engine.compute().problems if "après la clôture" in p.message
    ]  # each with its page and line, a warning
    assert sorted((p.source.page, p.source.line, str(p.severity)) for p in problems) == [
        ("Utilisateur:Xavier Noir/Contributions 2026", 1, "warning"),
        (YANN, 1, "warning"),
    ]
    year_2027 = contribution_report_to_json(engine.compute().contributions[2027])
    assert [c["amount"] for c in year_2027["contributions"]] == ["50.00"]
    registre = extract_generated(wiki.text(CIRCLE_PAGE) or "") or ""
    assert "2 déclarations écrites ou modifiées après la clôture ne sont pas comptées" in registre
    assert f"* [[:{YANN}|" in registre  # each listed with its page and line
    anomalies = extract_generated(wiki.text(ANOMALIES) or "") or ""
    assert "après la clôture 2026" in anomalies


def test_an_edit_moving_a_declaration_to_another_page_is_no_change(
    wiki: FakeWiki, state: StateStore
) -> None:
    engine = engine_for(wiki, state)
    engine.full_sync()
    wiki.save(YANN, "", user="Yann Roux")  # cut here …
    wiki.save(ZOE, declaration("Zoé Blanc", 900) + declaration("Yann Roux", 600), user="Yann Roux")
    engine.full_sync()  # … pasted there: the same declaration, written before the closing
    assert late_problems(engine) == []
    assert set(due(engine)) == {"Yann Roux", "Zoé Blanc"}


def test_without_the_history_every_declaration_counts_as_before_the_closing(
    wiki: FakeWiki, state: StateStore
) -> None:
    engine = engine_for(wiki, state)
    engine.full_sync()
    wiki.save(YANN, declaration("Yann Roux", 800), user="Yann Roux")
    engine.full_sync()
    engine.keeper.history = None  # as before the history is read: no revision times
    closing = circle_json(engine)["closing"]
    assert closing["timestamp"] is None
    assert set(due(engine)) == {"Yann Roux", "Zoé Blanc"}
