"""The installed `Modèle:` pages read every spelling of their parameters, as MediaWiki renders."""

from __future__ import annotations

import json
import re
from typing import Any

import mwclient
import pytest

from devwiki.mediawiki import LocalWiki
from render.config import SyncConfig
from sync.templates import TemplateSource, install_templates, template_sources
from tests.wiki.conftest import bot_client

MISSING = "manquant"
# One call of each template with every parameter, as documented (lowercase, accented).
FULL_CALLS = {
    "Cercle": {
        "nom": "Numérique",
        "référents": "Alice Martin, Bob Durand",
        "canal": "#numerique",
        "état": "actif",
    },
    "Enveloppe cercle": {
        "cercle": "Numérique",
        "année": "2026",
        "montant": "10000",
        "taux horaire": "30 €/h",
    },
    "Contribution": {
        "contributeur": "Alice Martin",
        "cercle": "Animation",
        "date": "2026-11-20",
        "heures": "3h",
        "montant": "90",
        "mission": "Atelier wiki",
        "statut": "validée",
    },
    "Cobudget": {
        "campagne": "2026",
        "enveloppe": "12 000 €",
        "dotation": "500",
        "participants": "Alice Martin, Bob Durand",
        "ouverture": "2026-03-01",
        "clôture": "2026-03-31",
        "plafond par projet": "600",
    },
    "Projet cobudget": {
        "campagne": "2026",
        "titre": "Vélo cargo",
        "minimum": "900",
        "maximum": "1400",
        "porteurs": "Chloé Petit",
        "transversal": "oui",
        "statut": "réalisé",
    },
    "Soutien cobudget": {
        "campagne": "2026",
        "projet": "Vélo cargo",
        "membre": "Bob Durand",
        "montant": "50 €",
    },
    "Clôture cercle": {
        "cercle": "Numérique",
        "année": "2026",
        "règle": "plancher",
        "plancher": "300",
        "date": "2027-01-15",
        "décision": "[[Compte rendu AG 2027]]",
    },
}


def templatedata_of(source: TemplateSource) -> dict[str, Any]:
    found = re.search(r"<templatedata>(.*?)</templatedata>", source.text, flags=re.S)
    assert found is not None, source.title
    data: dict[str, Any] = json.loads(found.group(1))
    return data


def sources() -> dict[str, TemplateSource]:
    """The installed sources by template name (the configured names are the file names)."""
    return {s.title.removeprefix("Template:"): s for s in template_sources(SyncConfig())}


def rendered(site: mwclient.Site, wikitext: str) -> str:
    result = site.post("parse", text=wikitext, title="Essai des modèles", prop="text")
    html: str = result["parse"]["text"]["*"]
    return re.sub(r"<!--.*?-->", "", html, flags=re.S)  # the parser limit report


def call(name: str, params: dict[str, str]) -> str:
    return "{{" + name + "".join(f"|{key}={value}" for key, value in params.items()) + "}}"


@pytest.fixture
def installed(wiki: LocalWiki) -> LocalWiki:
    install_templates(bot_client(wiki), SyncConfig())
    return wiki


def test_a_contribution_with_capitalised_parameters_shows_its_values_and_no_missing_hint(
    installed: LocalWiki, admin_site: mwclient.Site
) -> None:
    title = "Essai contribution en majuscules"
    line = "* {{Contribution|Contributeur=Alice Martin|Cercle=Animation|Date=20/11/2026|Heures=3h}}"
    admin_site.pages[title].edit(line, summary="essai")
    result = admin_site.get("parse", page=title, prop="text|categories")
    html = result["parse"]["text"]["*"]
    assert MISSING not in html
    assert "{{{" not in html
    shown = ("Utilisateur:Alice Martin", ">Alice Martin</a>", "<b>Animation</b>", "20/11/2026")
    for value in (*shown, "3h"):
        assert value in html, value
    categories = [c["*"] for c in result["parse"]["categories"]]
    assert categories == ["Déclarations_de_contribution"]


def test_a_contribution_without_its_contributor_still_shows_the_missing_hint(
    installed: LocalWiki, admin_site: mwclient.Site
) -> None:
    html = rendered(admin_site, "{{Contribution|Cercle=Animation|Date=20/11/2026|Heures=3h}}")
    # French typography: MediaWiki turns the spaces inside « » into no-break spaces.
    hints = re.findall(r"paramètre «&#160;(\w+)&#160;» manquant", html)
    assert hints == ["contributeur"]


@pytest.mark.parametrize("name", sorted(FULL_CALLS))
def test_every_spelling_of_every_parameter_renders_like_the_documented_one(
    name: str, installed: LocalWiki, admin_site: mwclient.Site
) -> None:
    params = FULL_CALLS[name]
    documented = rendered(admin_site, call(name, params))
    assert MISSING not in documented
    spec = templatedata_of(sources()[name])["params"]
    spellings = {p: [p, *spec[p].get("aliases", [])] for p in params}
    assert set(spellings) == set(spec)
    for param, names in spellings.items():
        assert param[:1].upper() + param[1:] in names, param
    for index in range(1, max(len(s) for s in spellings.values())):
        renamed = {s[min(index, len(s) - 1)]: params[p] for p, s in spellings.items()}
        assert rendered(admin_site, call(name, renamed)) == documented, renamed


def test_templatedata_of_all_eight_templates_is_accepted_with_its_aliases(
    installed: LocalWiki, admin_site: mwclient.Site
) -> None:
    expected = sources()
    assert len(expected) == 8
    titles = "|".join(source.title for source in expected.values())
    result = admin_site.get("templatedata", titles=titles, includeMissingTitles=1)
    pages = {page["title"].partition(":")[2]: page for page in result["pages"].values()}
    assert set(pages) == set(expected)
    for name, source in expected.items():
        page = pages[name]
        assert "missing" not in page and "notemplatedata" not in page, name
        wanted = templatedata_of(source)["params"]
        assert set(page["params"]) == set(wanted), name
        for param, spec in wanted.items():
            assert page["params"][param]["aliases"] == spec.get("aliases", []), (name, param)


def test_a_declaration_in_inclusive_writing_shows_its_contributor_without_a_hint(
    installed: LocalWiki, admin_site: mwclient.Site
) -> None:
    html = rendered(
        admin_site,
        "{{Contribution|contributrice=Alice Martin|cercle=Animation|date=20/11/2026|heure=1}}\n"
        "{{Projet cobudget|campagne=2026|titre=Four|minimum=300|porteuses=Chloé Petit}}",
    )
    assert MISSING not in html
    assert ">Alice Martin</a>" in html
    assert ">Chloé Petit</a>" in html


def test_a_closing_card_shows_the_year_circle_rule_floor_date_and_decision(
    installed: LocalWiki, admin_site: mwclient.Site
) -> None:
    title = "Essai clôture"
    admin_site.pages[title].edit(call("Clôture cercle", FULL_CALLS["Clôture cercle"]), "essai")
    result = admin_site.get("parse", page=title, prop="text|categories")
    html = result["parse"]["text"]["*"]
    assert MISSING not in html and "{{{" not in html
    for shown in (
        "Clôture 2026",
        "<b>Numérique</b>",
        "<b>plancher</b>",
        "300,00&#160;€",
        "décidée le 15 janvier 2027",
        ">Compte rendu AG 2027</a>",
    ):
        assert shown in html, shown
    assert [c["*"] for c in result["parse"]["categories"]] == ["Clôtures_de_cercle"]
    html = rendered(admin_site, "{{Clôture cercle|règle=prorata}}")
    hints = re.findall(r"paramètre «&#160;(\w+)&#160;» manquant", html)
    assert hints == ["année", "cercle"]
