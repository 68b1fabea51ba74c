"""Closing a circle's year on the real wiki: options shown, decision saved, dues everywhere.

Figures from devwiki/seed/EXPECTED.md: Numérique 2026 has an envelope of 4 000,00 €, 585,00 €
paid, so 3 415,00 € available; unpaid requests Alice Martin 1 830,00 (450 + 400 + 980),
David Nguyen 1 500,50 (1 200,50 + 300), Karim Haddad 600,00, Inès Benali 255,00.
Equal rule by hand: 4 × 255 ≤ 3 415, Inès 255, 3 160 left; 3 × 600 ≤ 3 160, Karim 600, 2 560
left; 2 × 1 500,50 > 2 560, so Alice and David 1 280,00 each.

The decision takes effect at its revision time, read from the wiki's history: afterwards a
treasurer's payment counts up to what is due, and a declaration written later is listed, not
counted.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import mwclient
import pytest

from devwiki import settings
from devwiki.accounts import create_account
from devwiki.mediawiki import LocalWiki
from ledger.governance import GovernanceSettings
from ledger.report import contribution_report_to_json
from parsers.marker import extract_generated
from render.config import SyncConfig
from render.wikitext import escape
from sync.engine import SyncEngine
from sync.state import StateStore
from tests.wiki.conftest import bot_client, page_text

REGISTRY = "Contribution-rétribution/Registre 2026"
CIRCLE_PAGE = f"{REGISTRY}/Numérique"
ANOMALIES = "Contribution-rétribution/Anomalies"
STATEMENT = "Utilisateur:Alice Martin/Relevé"
MINUTES = "Compte rendu AG clôture 2026"
DECLARATIONS = "Contribution-rétribution/Déclarations 2026"
LATE = "Utilisateur:Léa Tardive/Contributions 2026"
INES = "|heures=8h30|mission=Mise à jour de [[Catégorie:Test]] et {{!}} tableau}}"
NBSP = "\u00a0"
EQUAL = {
    "Alice Martin": "1280.00",
    "David Nguyen": "1280.00",
    "Inès Benali": "255.00",
    "Karim Haddad": "600.00",
}


@pytest.fixture
def engine(seeded: LocalWiki, wiki: LocalWiki, tmp_path: Path) -> Iterator[SyncEngine]:
    """An engine whose treasury is the wiki's treasurer group (warn mode, the default)."""
    state = StateStore(tmp_path / "state.sqlite3")
    governance = GovernanceSettings(
        treasurer_group=settings.TREASURER_GROUP, bots=(settings.BOT_USER,)
    )
    yield SyncEngine(bot_client(wiki), state, SyncConfig(governance=governance))
    state.close()


def member_site(wiki: LocalWiki, user: str, groups: tuple[str, ...] = ()) -> mwclient.Site:
    account = create_account(wiki, user, groups=groups)
    parts = urlsplit(wiki.url)
    site = mwclient.Site(parts.netloc, path=parts.path.rstrip("/") + "/", scheme=parts.scheme)
    site.login(account.login, account.password)
    return site


def numérique(engine: SyncEngine) -> dict[str, object]:
    payload = contribution_report_to_json(engine.compute().contributions[2026])
    (circle,) = [c for c in payload["circles"] if c["name"] == "Numérique"]
    return circle  # type: ignore[no-any-return]


def generated(site: mwclient.Site, title: str) -> str:
    return extract_generated(page_text(site, title)) or ""


def test_a_recorded_closing_shows_what_is_due_on_the_registre_and_in_the_statement(
    engine: SyncEngine,
    bot_site: mwclient.Site,
    admin_site: mwclient.Site,
    wiki: LocalWiki,
    request: pytest.FixtureRequest,
) -> None:
    engine.full_sync()
    circle = numérique(engine)
    assert circle["closing"] is None
    equal = {p["name"]: p["proposed"] for p in circle["settlements"]["equal"]}  # type: ignore[index]
    assert equal == EQUAL
    assert set(circle["settlements"]) == {"prorata", "hourly_cap", "equal"}  # type: ignore[arg-type]
    options = generated(bot_site, CIRCLE_PAGE).split("== Options de répartition ==")[1]
    assert (
        "! Contributeur·rice !! Demande non versée !! Prorata !! Plafond horaire !! Égalitaire"
        in options
    )
    assert f"1{NBSP}280,00{NBSP}€ <small" in options
    assert "Répartition de clôture proposée" in generated(bot_site, CIRCLE_PAGE)

    admin_site.pages[MINUTES].edit(
        "L’assemblée choisit la règle égalitaire.\n"
        "{{Clôture cercle|cercle=Numérique|année=2026|règle=égalitaire|date=15/01/2027"
        f"|décision=[[{MINUTES}]]}}}}\n",
        "décision de clôture",
    )
    result = engine.full_sync()

    assert {REGISTRY, CIRCLE_PAGE, STATEMENT} <= {edit.title for edit in result.edits}
    closing = numérique(engine)["closing"]
    [revision] = admin_site.pages[MINUTES].revisions(prop="timestamp")
    decided = datetime.datetime(*revision["timestamp"][:6], tzinfo=datetime.UTC)
    assert closing == {
        "rule": "equal",
        "floor": None,
        "page": MINUTES,
        "line": 2,
        "timestamp": decided.strftime("%Y-%m-%dT%H:%M:%SZ"),  # the decision's revision time
        "due": [
            {"name": name, "amount": amount, "paid": "0.00", "remaining": amount}
            for name, amount in EQUAL.items()
        ],
    }
    registry = generated(bot_site, REGISTRY)
    assert "=== Clôture 2026 — Numérique ===" in registry
    assert "Règle de répartition choisie : '''égalitaire'''" in registry
    due = generated(bot_site, CIRCLE_PAGE)
    assert "Répartition de clôture proposée" not in due
    assert f"[[:{MINUTES}|{MINUTES}]]" in due
    assert "!! Égalitaire — règle choisie" in due
    alice = due.split("== Clôture 2026 ==")[1].split("[[Utilisateur:Alice Martin|Alice Martin]]")[1]
    assert alice.split("|-")[0].count(f"| 1{NBSP}280,00{NBSP}€") == 2  # due, remaining
    statement = generated(bot_site, STATEMENT)
    assert (
        f"cercle « Numérique » clos pour 2026 : reste à verser '''1{NBSP}280,00{NBSP}€'''"
        in statement
    )

    # The card of the decision is readable, and a second decision is an error on its line
    # (the earliest by revision time stays in effect).
    html = admin_site.get("parse", page=MINUTES, prop="text")["parse"]["text"]["*"]
    assert "Clôture 2026" in html and "<b>égalitaire</b>" in html
    admin_site.pages["Second compte rendu"].edit(
        "{{Clôture cercle|cercle=Numérique|année=2026|règle=prorata}}", "essai"
    )
    engine.full_sync()
    assert numérique(engine)["closing"]["rule"] == "equal"  # type: ignore[index]
    anomalies = generated(bot_site, ANOMALIES)
    assert escape(f"déjà décidée ({MINUTES}:2)") in anomalies
    row = anomalies.split("[[:Second compte rendu|Second compte rendu]]")[1].split("|-")[0]
    assert '| style="text-align:right" | 1\n' in row  # its line
    assert "<code" in row and "Clôture cercle" in row and "| erreur" in row

    # After the closing: the treasurer pays Inès (counted up to what is due); Léa declares
    # for the closed year (listed, not counted).
    treasurer = member_site(wiki, "Trésorière Clôture", (settings.TREASURER_GROUP,))
    text = page_text(admin_site, DECLARATIONS)
    assert INES in text
    # a seeded page the session's other tests read: put back as it was
    request.addfinalizer(lambda: admin_site.pages[DECLARATIONS].edit(text, "remis en état"))
    treasurer.pages[DECLARATIONS].edit(text.replace(INES, INES[:-2] + "|statut=versée}}"), "payé")
    member_site(wiki, "Léa Tardive").pages[LATE].edit(
        "{{Contribution|contributeur=Léa Tardive|cercle=Numérique|date=2026-12-20"
        "|montant=700|mission=Inventaire du matériel}}\n",
        "déclaration tardive",
    )
    engine.full_sync()
    circle = numérique(engine)
    due = {d["name"]: (d["amount"], d["paid"], d["remaining"]) for d in circle["closing"]["due"]}  # type: ignore[index]
    assert due["Inès Benali"] == ("255.00", "255.00", "0.00")
    assert due["Alice Martin"] == ("1280.00", "0.00", "1280.00")
    assert "Léa Tardive" not in due
    assert not [c for c in circle_declarations(engine) if c["contributor"] == "Léa Tardive"]
    anomalies = generated(bot_site, ANOMALIES)
    row = anomalies.split(f"[[:{LATE}|")[1].split("|-")[0]
    assert "après la clôture 2026 du cercle" in row and "| avertissement" in row
    registre = generated(bot_site, CIRCLE_PAGE)
    assert "1 déclaration écrite ou modifiée après la clôture n’est pas comptée" in registre
    assert f"* [[:{LATE}|" in registre


def circle_declarations(engine: SyncEngine) -> list[dict[str, object]]:
    payload = contribution_report_to_json(engine.compute().contributions[2026])
    return [c for c in payload["contributions"] if c["circle"] == "Numérique"]
