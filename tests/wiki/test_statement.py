"""Personal statements on the real wiki: only where the member placed {{Relevé}}."""

from __future__ import annotations

import mwclient

from devwiki.mediawiki import LocalWiki
from parsers.marker import extract_generated
from sync.engine import SyncEngine
from tests.wiki.conftest import page_text

ALICE = "Utilisateur:Alice Martin/Relevé"


def test_a_statement_appears_only_where_releve_stands(
    engine: SyncEngine, bot_site: mwclient.Site, seeded: LocalWiki
) -> None:
    engine.full_sync()
    with_statement = {
        page.name
        for namespace in (2, 3)
        for page in bot_site.allpages(namespace=namespace)
        if "wikiledger:début" in page.text(cache=False)
    }
    assert with_statement == {ALICE}  # nobody else asked for one
    text = page_text(bot_site, ALICE)
    generated = extract_generated(text) or ""
    assert text.index("{{Relevé}}") < text.index("wikiledger:début")  # her text is kept above
    assert "2\xa0280,00" in generated  # requested in 2026, from devwiki/seed/EXPECTED.md


def test_a_statement_follows_the_members_declarations(
    engine: SyncEngine, bot_site: mwclient.Site, admin_site: mwclient.Site
) -> None:
    engine.full_sync()
    admin_site.pages["Essai relevé"].edit(
        "{{Contribution|contributeur=Alice Martin|cercle=Animation|date=03/03/2026"
        "|montant=111,11|mission=Atelier d'essai}}",
        "essai",
    )
    result = engine.full_sync()
    assert ALICE in {edit.title for edit in result.edits}
    assert "Atelier d" in (extract_generated(page_text(bot_site, ALICE)) or "")


def test_a_releve_on_someone_elses_page_gets_nothing(
    engine: SyncEngine, bot_site: mwclient.Site, admin_site: mwclient.Site
) -> None:
    admin_site.pages["Relevé de tout le monde"].edit("{{Relevé}}", "essai")
    result = engine.full_sync()
    assert "Relevé de tout le monde" not in {edit.title for edit in result.edits}
    assert "wikiledger:début" not in page_text(bot_site, "Relevé de tout le monde")
    assert any(p.source.page == "Relevé de tout le monde" for p in engine.compute().problems)
