"""Where the cards' "Déclarer" buttons lead, and the installer's placeholders for them."""

from __future__ import annotations

from dataclasses import replace

import pytest

from render.card import CARD_SHARDS
from render.config import SyncConfig
from render.declare import (
    DeclarationPageError,
    fill_card_placeholders,
    my_page_title,
    preload_title,
)
from sync.templates import TEMPLATE_DIR, preload_sources, template_sources

CONFIG = SyncConfig()


def test_a_members_page_becomes_the_readers_own_page_through_special_mypage() -> None:
    assert my_page_title("Utilisateur:{nom}/Contributions {année}", CONFIG) == (
        "Special:MyPage/Contributions {{CURRENTYEAR}}"
    )
    assert my_page_title("User:{nom}/Cobudget {campagne}", CONFIG) == (
        "Special:MyPage/Cobudget {campagne}"
    )
    assert my_page_title("Utilisateur:{nom}", CONFIG) == "Special:MyPage"


@pytest.mark.parametrize(
    "title",
    ["Contributions/{nom}", "Projet:{nom}/Contributions", "Utilisateur:Contributions {nom}"],
)
def test_a_page_that_is_not_the_members_own_is_refused(title: str) -> None:
    with pytest.raises(DeclarationPageError):
        my_page_title(title, CONFIG)


def test_the_installed_templates_have_no_placeholder_left_and_use_the_configuration() -> None:
    pages = replace(
        CONFIG.pages,
        card_data="Suivi des fiches/{n}",
        declarations="User:{nom}/Déclarations {année}",
        preload="Aide/Préchargement {modèle}",
    )
    config = replace(CONFIG, pages=pages)
    sources = {s.title: s.text for s in template_sources(config)}
    assert not any("@@" in text for text in sources.values())
    assert "Suivi des fiches/{n}" in sources["Template:Contribution"]
    assert f"mod {CARD_SHARDS}}}}}" in sources["Template:Contribution"]
    circle = sources["Template:Cercle"]
    assert "{{fullurl:Special:MyPage/Déclarations {{CURRENTYEAR}}|" in circle
    assert "{{urlencode:Aide/Préchargement Contribution}}" in circle
    preloads = {s.title: s.text for s in preload_sources(config)}
    assert set(preloads) == {
        "Aide/Préchargement Contribution",
        "Aide/Préchargement Soutien cobudget",
    }
    assert "{{Contribution\n" in preloads["Aide/Préchargement Contribution"]
    assert (
        preload_title("Contribution", CONFIG)
        == "Contribution-rétribution/Préchargement/Contribution"
    )


def test_every_placeholder_of_the_template_files_is_filled() -> None:
    for path in TEMPLATE_DIR.glob("*.wiki"):
        text = fill_card_placeholders(path.read_text(encoding="utf-8"), CONFIG)
        remaining = {p for p in ("@@CARD_", "@@DECLARE_", "_PRELOAD@@") if p in text}
        assert not remaining, path.name
