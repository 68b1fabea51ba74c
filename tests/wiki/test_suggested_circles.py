"""After a sync, `{{Contribution}}`'s TemplateData suggests the wiki's circles in the form
(issue 14, item 4), read back through MediaWiki's own `action=templatedata`."""

from __future__ import annotations

from collections.abc import Iterator

import mwclient
import pytest

from devwiki.mediawiki import LocalWiki
from render.templatedata import suggested_circles, with_suggested_circles
from sync.engine import SyncEngine
from tests.wiki.conftest import page_text

TEMPLATE = "Modèle:Contribution"
SEEDED = ["Accompagnement", "Administratif-Comptable", "Animation", "Communication", "Numérique"]


def suggested(site: mwclient.Site) -> list[str] | None:
    result = site.get("templatedata", titles="Template:Contribution", lang="fr")
    (page,) = result["pages"].values()
    values: list[str] | None = page["params"]["cercle"].get("suggestedvalues")
    return values


@pytest.fixture
def template(seeded: LocalWiki, admin_site: mwclient.Site) -> Iterator[str]:
    """The template page as installed, without suggestions (an earlier test's sync may have
    made some); put back as it was afterwards."""
    before = page_text(admin_site, TEMPLATE)
    bare = with_suggested_circles(before, []) or before
    if bare != before:
        admin_site.pages[TEMPLATE].edit(bare, summary="test: sans cercles proposés")
    yield bare
    if page_text(admin_site, TEMPLATE) != before:
        admin_site.pages[TEMPLATE].edit(before, summary="test: retour au modèle d'avant")


def test_a_sync_makes_the_form_suggest_the_circles_and_keeps_the_template_pages_text(
    template: str, engine: SyncEngine, admin_site: mwclient.Site
) -> None:
    # Someone documents the template above its TemplateData: that text must stay.
    note = "Note de l'équipe : déclarez vos heures chaque mois.\n"
    admin_site.pages[TEMPLATE].edit(note + template, summary="test: une note humaine")

    result = engine.full_sync()

    assert TEMPLATE in {edit.title for edit in result.edits}
    assert suggested(admin_site) == SEEDED
    assert suggested_circles(template) == []  # the bare page suggested none
    text = page_text(admin_site, TEMPLATE)
    assert text.startswith(note + template.split("<templatedata>")[0])
    assert text.split("</templatedata>")[1] == template.split("</templatedata>")[1]
    # nothing changed since: no edit of the template page
    assert TEMPLATE not in {edit.title for edit in engine.full_sync().edits}

    # A new circle is suggested after the next sync.
    admin_site.pages["Cercle Jardinage"].edit("{{Cercle|nom=Jardinage}}\n", summary="test")
    engine.full_sync()
    assert suggested(admin_site) == sorted([*SEEDED, "Jardinage"])
    assert page_text(admin_site, TEMPLATE).startswith(note)
