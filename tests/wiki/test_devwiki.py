"""The local dev wiki behaves as the rest of the suite assumes: French, bot edits, parser
functions, TemplateData, VisualEditor, fresh link tables, imports and per-test clean-up."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import mwclient
import pytest

from devwiki.client import delete_pages_except
from devwiki.mediawiki import LocalWiki

CLEANUP_WITNESS = "Témoin du nettoyage"


def embedding_titles(site: mwclient.Site, template: str) -> list[str]:
    result = site.get("query", list="embeddedin", eititle=template, eilimit="max")
    return sorted(page["title"] for page in result["query"]["embeddedin"])


def category_members(site: mwclient.Site, category: str) -> list[str]:
    result = site.get("query", list="categorymembers", cmtitle=category, cmlimit="max")
    return sorted(page["title"] for page in result["query"]["categorymembers"])


def expand(site: mwclient.Site, wikitext: str) -> str:
    result = site.get("expandtemplates", text=wikitext, prop="wikitext", title="Essai")
    text: str = result["expandtemplates"]["wikitext"]
    return text


def test_the_wiki_answers_in_french_under_its_cooperative_name(local_wiki: LocalWiki) -> None:
    query = f"{local_wiki.api_url}?action=query&meta=siteinfo&format=json"
    with urllib.request.urlopen(query, timeout=10) as response:
        general = json.load(response)["query"]["general"]
    assert general["sitename"] == "Documentation Optéos"
    assert general["lang"] == "fr"
    assert general["server"] == local_wiki.url
    assert local_wiki.is_running()


def test_another_process_can_reuse_the_running_wiki_from_its_directory(
    local_wiki: LocalWiki,
) -> None:
    reloaded = LocalWiki.load(local_wiki.root)
    assert reloaded.url == local_wiki.url
    assert reloaded.pid == local_wiki.pid
    assert reloaded.bot_password == local_wiki.bot_password
    assert reloaded.is_running()
    assert (local_wiki.root / "wiki.json").stat().st_mode & 0o077 == 0


def test_the_bot_is_in_the_bot_group_and_its_edits_are_flagged_bot(
    bot_site: mwclient.Site,
) -> None:
    info = bot_site.get("query", meta="userinfo", uiprop="groups|rights")["query"]["userinfo"]
    assert info["name"] == "WikiLedgerBot"
    assert "bot" in info["groups"]
    assert "noratelimit" in info["rights"]

    bot_site.pages["Essai robot"].edit("Une modification du robot.", summary="essai", bot=True)

    changes = bot_site.get(
        "query", list="recentchanges", rcprop="title|flags|user", rctitle="Essai robot"
    )["query"]["recentchanges"]
    assert [(c["user"], "bot" in c) for c in changes] == [("WikiLedgerBot", True)]


def test_a_member_whose_password_starts_with_a_dash_is_created_and_logs_in(
    local_wiki: LocalWiki,
) -> None:
    # token_urlsafe starts one password in sixty-four with "-": the maintenance script must not
    # read it as an option (a CI run once failed on "Option --i given twice")
    password = "-iuTjon1p9EPlmb-gNL3r1ai"
    local_wiki.create_user("Membre Tiret", password)

    parts = urlsplit(local_wiki.url)
    site = mwclient.Site(parts.netloc, path=parts.path.rstrip("/") + "/", scheme=parts.scheme)
    assert site.clientlogin(username="Membre Tiret", password=password) is True
    info = site.get("query", meta="userinfo", uiprop="groups")["query"]["userinfo"]
    assert info["name"] == "Membre Tiret"
    assert "bot" not in info["groups"] and "sysop" not in info["groups"]


def test_parser_functions_if_switch_and_string_functions_expand(bot_site: mwclient.Site) -> None:
    wikitext = (
        "{{#switch: validée | déclarée = D | validée = V | #default = ? }}"
        "|{{#if: 3 h | oui | non }}|{{#if: | oui | non }}|{{#len: Optéos }}"
    )
    assert expand(bot_site, wikitext) == "V|oui|non|6"


def test_templatedata_serves_the_parameters_declared_in_a_template(
    bot_site: mwclient.Site,
) -> None:
    templatedata = {
        "description": "Une contribution",
        "params": {"heures": {"label": "Heures", "type": "number", "required": True}},
    }
    bot_site.pages["Modèle:Essai données"].edit(
        f"{{{{{{heures}}}}}} h<noinclude><templatedata>{json.dumps(templatedata)}"
        "</templatedata></noinclude>",
        summary="essai",
    )
    result = bot_site.get("templatedata", titles="Modèle:Essai données", lang="fr")
    (page,) = result["pages"].values()
    assert page["params"]["heures"]["required"] is True
    assert page["params"]["heures"]["type"] == "number"


def test_embeddedin_lists_a_page_right_after_it_is_saved(bot_site: mwclient.Site) -> None:
    bot_site.pages["Modèle:Essai lien"].edit("[[Catégorie:Essais liés]]", summary="essai")
    for number in range(5):
        title = f"Page liée {number}"
        bot_site.pages[title].edit("{{Essai lien}}", summary="essai")
        assert title in embedding_titles(bot_site, "Modèle:Essai lien")
        assert title in category_members(bot_site, "Catégorie:Essais liés")


def test_editing_a_template_updates_the_links_of_the_pages_that_transclude_it(
    bot_site: mwclient.Site,
) -> None:
    bot_site.pages["Modèle:Essai intérieur"].edit("intérieur", summary="essai")
    bot_site.pages["Modèle:Essai extérieur"].edit("extérieur", summary="essai")
    bot_site.pages["Page englobante"].edit("{{Essai extérieur}}", summary="essai")
    assert embedding_titles(bot_site, "Modèle:Essai intérieur") == []

    bot_site.pages["Modèle:Essai extérieur"].edit("{{Essai intérieur}}", summary="essai")

    assert embedding_titles(bot_site, "Modèle:Essai intérieur") == [
        "Modèle:Essai extérieur",
        "Page englobante",
    ]


def test_the_jobs_an_edit_queues_run_without_an_error(
    local_wiki: LocalWiki, bot_site: mwclient.Site
) -> None:
    # The jobs run in the save's request; run nested in the save's own deferred update, each
    # one threw and was now and then rolled back, leaving stale links behind.
    before = local_wiki.logged_errors()
    bot_site.pages["Modèle:Essai tâche"].edit("un", summary="essai")
    bot_site.pages["Page de la tâche"].edit("{{Essai tâche}}", summary="essai")
    bot_site.pages["Modèle:Essai tâche"].edit("deux [[Catégorie:Essais tâches]]", summary="essai")

    assert category_members(bot_site, "Catégorie:Essais tâches") == [
        "Modèle:Essai tâche",
        "Page de la tâche",
    ]
    assert local_wiki.logged_errors() == before


def test_visualeditor_round_trips_a_template_call_edited_through_its_form(
    bot_site: mwclient.Site,
) -> None:
    bot_site.pages["Modèle:Essai VE"].edit("{{{heures}}} h", summary="essai")
    bot_site.pages["Essai éditeur visuel"].edit("Intro\n{{Essai VE|heures=3}}\n", summary="essai")
    parsed = bot_site.get("visualeditor", paction="parse", page="Essai éditeur visuel")
    document = parsed["visualeditor"]
    assert "mw:Transclusion" in document["content"]
    # What VisualEditor's template form does: change the parameter in data-mw, save the HTML.
    html = document["content"].replace('"heures":{"wt":"3"}', '"heures":{"wt":"4"}')
    assert html != document["content"]

    saved = bot_site.post(
        "visualeditoredit",
        paction="save",
        page="Essai éditeur visuel",
        html=html,
        etag=document["etag"],
        basetimestamp=document["basetimestamp"],
        starttimestamp=document["starttimestamp"],
        summary="essai",
        token=bot_site.get_token("csrf"),
    )

    assert saved["visualeditoredit"]["result"] == "success"
    assert bot_site.pages["Essai éditeur visuel"].text() == "Intro\n{{Essai VE|heures=4}}"


def test_imported_pages_show_their_transclusions_and_categories(
    wiki: LocalWiki, bot_site: mwclient.Site, tmp_path: Path
) -> None:
    dump = tmp_path / "dump.xml"
    dump.write_text(
        xml_dump(
            {
                "Modèle:Essai importé": "importé[[Catégorie:Pages importées]]",
                "Page importée 1": "{{Essai importé}}",
                "Page importée 2": "Texte {{Essai importé}}",
            }
        ),
        encoding="utf-8",
    )

    wiki.import_xml(dump)

    assert embedding_titles(bot_site, "Modèle:Essai importé") == [
        "Page importée 1",
        "Page importée 2",
    ]
    assert category_members(bot_site, "Catégorie:Pages importées") == [
        "Modèle:Essai importé",
        "Page importée 1",
        "Page importée 2",
    ]


def test_cleanup_deletes_the_pages_created_since_a_snapshot_and_keeps_the_others(
    wiki: LocalWiki, bot_site: mwclient.Site, admin_site: mwclient.Site
) -> None:
    before = wiki.page_keys()
    bot_site.pages["Essai à supprimer"].edit("temporaire", summary="essai")
    bot_site.pages["Discussion:Essai à supprimer"].edit("temporaire", summary="essai")

    deleted = delete_pages_except(wiki, before, admin_site)

    assert sorted(deleted) == ["Discussion:Essai à supprimer", "Essai à supprimer"]
    assert wiki.page_keys() == before
    assert (0, "Accueil") in before


@pytest.fixture
def cleanup_witness(local_wiki: LocalWiki) -> Iterator[list[str]]:
    """Set up before `wiki`, so torn down after it: checks what `wiki` left behind."""
    created: list[str] = []
    yield created
    assert created == [CLEANUP_WITNESS]
    assert (0, CLEANUP_WITNESS) not in local_wiki.page_keys()


def test_the_wiki_fixture_deletes_the_pages_created_during_the_test(
    cleanup_witness: list[str], wiki: LocalWiki, bot_site: mwclient.Site
) -> None:
    bot_site.pages[CLEANUP_WITNESS].edit("à supprimer après le test", summary="essai")
    assert (0, CLEANUP_WITNESS) in wiki.page_keys()
    cleanup_witness.append(CLEANUP_WITNESS)


def xml_dump(pages: dict[str, str]) -> str:
    """A minimal MediaWiki XML export of PAGES (title -> wikitext)."""
    from xml.sax.saxutils import escape

    namespaces = {"Modèle": 10, "Catégorie": 14}
    parts = ['<mediawiki xmlns="http://www.mediawiki.org/xml/export-0.11/" version="0.11">']
    for title, text in pages.items():
        prefix = title.split(":", 1)[0] if ":" in title else ""
        parts.append(
            f"<page><title>{escape(title)}</title><ns>{namespaces.get(prefix, 0)}</ns>"
            "<revision><timestamp>2026-01-15T10:00:00Z</timestamp>"
            "<contributor><username>Importateur</username></contributor>"
            "<model>wikitext</model><format>text/x-wiki</format>"
            f'<text xml:space="preserve">{escape(text)}</text></revision></page>'
        )
    parts.append("</mediawiki>")
    return "\n".join(parts)
