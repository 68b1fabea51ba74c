"""Full syncs against the real wiki seeded with the sample Optéos pages (devwiki/seed)."""

from __future__ import annotations

import hashlib
import html
import threading
import time
from collections.abc import Callable, Iterable

import mwclient
import pytest
from mwclient.page import Page

from devwiki.mediawiki import LocalWiki
from ledger.report import campaign_report_to_json, contribution_report_to_json
from parsers.marker import MARKER_END, MARKER_START, extract_generated
from sync.engine import SyncEngine
from sync.port import PageText, Saved, WikiError
from sync.writer import same
from tests.wiki.conftest import bot_client, page_text

REGISTRY = "Contribution-rétribution/Registre 2026"
ANOMALIES = "Contribution-rétribution/Anomalies"
BILAN = "Cobudget 2026/Bilan"


def circles_by_name(payload: dict[str, object]) -> dict[str, dict[str, object]]:
    return {c["name"]: c for c in payload["circles"]}  # type: ignore[index,union-attr]


def test_a_full_sync_computes_the_expected_ledger_and_writes_the_pages(
    engine: SyncEngine, bot_site: mwclient.Site
) -> None:
    result = engine.full_sync()
    payload = contribution_report_to_json(engine.compute().contributions[2026])
    circles = circles_by_name(payload)
    # figures worked out by hand in devwiki/seed/EXPECTED.md
    assert {k: circles["Numérique"][k] for k in ("envelope", "requested", "validated", "paid")} == {
        "envelope": "4000.00",
        "requested": "4770.50",  # includes the 300.00 declared through {{Déclaration}}
        "validated": "2235.50",
        "paid": "585.00",
    }
    assert circles["Numérique"]["remaining"] == "-770.50"
    assert circles["Numérique"]["hours"] == "73.75"
    assert circles["Numérique"]["over_envelope"] is True
    assert {
        s["name"]: s["proposed"] for s in circles["Numérique"]["split"] if s["proposed"] != "0.00"
    } == {
        "Alice Martin": "1493.12",
        "David Nguyen": "1224.27",
        "Inès Benali": "208.06",
        "Karim Haddad": "489.55",
    }
    assert circles["Accompagnement"]["requested"] == "2082.50"
    assert circles["Administratif-Comptable"]["requested"] == "4447.75"
    assert circles["Animation"]["requested"] == "860.00"
    assert len(payload["contributions"]) == 34  # 39 calls, 5 mistaken ones are not counted
    titles = {edit.title for edit in result.edits}
    assert {REGISTRY, ANOMALIES, BILAN, "Contribution-rétribution/Registre 2025"} <= titles
    registry = page_text(bot_site, REGISTRY)
    assert registry.startswith(MARKER_START) and MARKER_END in registry
    assert "4\xa0770,50" in registry and "wikitable sortable" in registry
    assert f"[[:{REGISTRY}/Numérique|Numérique]]" in registry
    numerique = page_text(bot_site, f"{REGISTRY}/Numérique")
    assert f"{REGISTRY}/Numérique" in titles and "4\xa0770,50" in numerique
    assert "Utilisateur:David Nguyen/Contributions 2026|" in numerique  # each declaration's source


def test_the_refused_declaration_is_listed_but_counts_in_nothing(engine: SyncEngine) -> None:
    engine.full_sync(write=False)
    report = engine.compute().contributions[2026]
    refused = [c for c in report.contributions if c.status == "refusée"]
    assert {(c.contributor, str(c.amount)) for c in refused} == {
        ("Karim Haddad", "180.00"),
        ("François Petit", "105.00"),
    }


def test_a_second_sync_makes_no_edit_and_reads_no_page(engine: SyncEngine) -> None:
    engine.full_sync()
    again = engine.full_sync()
    assert again.edits == []
    assert again.pages_read == 0


def test_a_human_paragraph_above_the_markers_survives_an_update(
    engine: SyncEngine, bot_site: mwclient.Site, admin_site: mwclient.Site
) -> None:
    engine.full_sync()
    human = "== Notes du cercle ==\nParagraphe écrit par une personne, '''à garder''' tel quel.\n\n"
    current = page_text(admin_site, ANOMALIES)
    admin_site.pages[ANOMALIES].edit(human + current + "\nEt une ligne après.\n", "note humaine")
    # a new problem changes the generated part of the anomalies page
    admin_site.pages["Essai anomalie"].edit(
        "{{Contribution|contributeur=Zoé|cercle=Inconnu|date=01/02/2026|heures=2}}", "essai"
    )
    result = engine.full_sync()
    assert ANOMALIES in {e.title for e in result.edits}
    text = page_text(bot_site, ANOMALIES)
    assert text.startswith(human)
    assert text.endswith("\nEt une ligne après.")
    assert "Essai anomalie" in (extract_generated(text) or "")


def test_an_invalid_declaration_is_on_the_anomalies_page_with_its_page_and_line(
    engine: SyncEngine, bot_site: mwclient.Site, admin_site: mwclient.Site
) -> None:
    admin_site.pages["Essai montant illisible"].edit(
        "Intro\n\nDeuxième paragraphe\n{{Contribution|contributeur=Zoé Blanc|cercle=Numérique"
        "|date=01/02/2026|montant=12,3,4}}\n",
        "essai",
    )
    engine.full_sync()
    problems = [p for p in engine.compute().problems if p.source.page == "Essai montant illisible"]
    assert [(p.source.line, p.severity) for p in problems] == [(4, "error")]
    assert "12,3,4" in problems[0].message
    anomalies = extract_generated(page_text(bot_site, ANOMALIES)) or ""
    assert "Essai montant illisible" in anomalies
    assert "12,3,4" in anomalies


def test_a_declaration_through_a_redirect_to_the_template_is_counted(engine: SyncEngine) -> None:
    engine.full_sync(write=False)
    report = engine.compute().contributions[2026]
    via_redirect = [
        c
        for c in report.contributions
        if c.source == type(c.source)("Utilisateur:David Nguyen/Contributions 2026", 6)
    ]
    assert [(c.contributor, c.circle, str(c.amount)) for c in via_redirect] == [
        ("David Nguyen", "Numérique", "300.00")
    ]


def test_the_bot_never_reads_its_own_pages_as_sources(
    engine: SyncEngine, admin_site: mwclient.Site
) -> None:
    engine.full_sync()
    before = contribution_report_to_json(engine.compute().contributions[2026])
    current = page_text(admin_site, REGISTRY)
    admin_site.pages[REGISTRY].edit(
        current + "\n{{Contribution|contributeur=Intrus|cercle=Numérique|date=01/03/2026"
        "|montant=99999}}\n",
        "appel ajouté sur la page du bot",
    )
    engine.full_sync()
    after = contribution_report_to_json(engine.compute().contributions[2026])
    assert after["circles"] == before["circles"]


class HumanEditsDuringTheSync:
    """Wraps the engine's wiki: just before the bot's first save, a person edits the page."""

    def __init__(self, engine: SyncEngine, admin_site: mwclient.Site, title: str) -> None:
        self.engine, self.admin_site, self.title = engine, admin_site, title
        self.real_edit = engine.wiki.edit
        self.done = threading.Event()

    def edit(self, title: str, text: str, summary: str, *, base: PageText | None) -> Saved:
        if title == self.title and not self.done.is_set():
            self.done.set()
            page = self.admin_site.pages[title]
            page.edit(
                "Remarque ajoutée pendant la synchronisation.\n\n" + page.text(cache=False),
                "humain",
            )
        return self.real_edit(title, text, summary, base=base)


def test_a_concurrent_human_edit_during_a_sync_is_not_lost(
    engine: SyncEngine,
    bot_site: mwclient.Site,
    admin_site: mwclient.Site,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    engine.full_sync()
    admin_site.pages["Essai concurrence"].edit(
        "{{Contribution|contributeur=Zoé Blanc|cercle=Animation|date=02/02/2026|montant=10}}",
        "essai",
    )
    human = HumanEditsDuringTheSync(engine, admin_site, REGISTRY)
    monkeypatch.setattr(engine.wiki, "edit", human.edit)
    result = engine.full_sync()
    assert human.done.is_set()
    text = page_text(bot_site, REGISTRY)
    assert text.startswith("Remarque ajoutée pendant la synchronisation.")
    assert "Zoé Blanc" in (extract_generated(text) or "")
    assert REGISTRY in {e.title for e in result.edits}


def test_the_campaign_gives_the_expected_json_bilan_and_data_page(
    engine: SyncEngine, bot_site: mwclient.Site
) -> None:
    engine.full_sync()
    payload = campaign_report_to_json(engine.compute().campaigns["2026"])
    assert (payload["envelope"], payload["dotation"], payload["unallocated"]) == (
        "10000.00",
        "1428.57",
        "0.01",
    )
    members = {m["name"]: m for m in payload["members"]}
    assert members["Élodie Fontaine"]["suspended"] is True
    assert members["Alice Martin"]["remaining"] == "0.00"
    assert members["Bruno Lefèvre"]["pledged"] == "1400.00"
    projects = {p["title"]: p for p in payload["projects"]}
    assert projects["Refonte du livret d'accueil"]["status"] == "funded"  # exactly the minimum
    assert projects["Refonte du livret d'accueil"]["pledged"] == "600.00"
    assert projects["Hébergement libre de nos outils"]["excess"] == "100.00"
    assert projects["Matériel de visioconférence"]["status"] == "open"
    assert projects["Traduction du wiki en anglais"]["status"] == "cancelled"
    assert projects["Fonds de solidarité entre entrepreneur·es"]["supporters"] == 4
    bilan = extract_generated(page_text(bot_site, BILAN)) or ""
    assert "Propositions transversales" in bilan
    assert "Refonte du livret d" in bilan
    data = page_text(bot_site, "Cobudget 2026/Données")
    assert "<onlyinclude>{{#switch:" in data


def test_a_proposal_page_shows_its_funding_state_after_a_sync(
    engine: SyncEngine, bot_site: mwclient.Site
) -> None:
    proposal = "Cobudget 2026/Projet Livret d'accueil"
    # Viewed before the first sync: the wiki's parser cache holds the card without figures.
    assert "pas encore de données" in bot_site.parse(page=proposal, prop="text")["text"]["*"]
    # MediaWiki compares that entry's time with page_touched to the second: a view in the
    # same second as the data page's save would keep its card (a limit of MediaWiki's).
    time.sleep(1 - time.time() % 1)
    engine.full_sync()
    # Saving the data page bumps every transcluding page (the jobs the save queues run), so
    # the cached card is not served again.
    html = bot_site.parse(page=proposal, prop="text")["text"]["*"]
    assert "pas encore de données" not in html
    assert "600,00" in html
    assert "financé" in html.lower()


def test_a_circle_card_shows_the_year_figures_after_a_sync(
    engine: SyncEngine, bot_site: mwclient.Site
) -> None:
    engine.full_sync()
    html = bot_site.parse(page="Cercle Animation", prop="text")["text"]["*"]
    # the figures' no-break space, as a character or as MediaWiki's entity
    assert "2 500,00" in html.replace("\xa0", " ").replace("&#160;", " ")


def test_wikitext_in_a_mission_stays_text_on_the_generated_page(
    engine: SyncEngine, bot_site: mwclient.Site, admin_site: mwclient.Site
) -> None:
    admin_site.pages["Essai injection"].edit(
        "{{Contribution|contributeur=Zoé Blanc|cercle=Animation|date=04/02/2026|montant=5"
        "|mission=[[Catégorie:Piège]] {{Cercle|nom=Faux}} __NOTOC__ {{!}}- "
        "<span>ok</span> ~~~~}}",
        "essai",
    )
    engine.full_sync()
    animation = f"{REGISTRY}/Animation"  # the page of the circle's declarations
    parsed = bot_site.api("parse", page=animation, prop="categories|templates|text")["parse"]
    categories = {c["*"] for c in parsed["categories"]}
    assert "Piège" not in categories and "Test" not in categories
    assert not any(t["*"].endswith("Cercle") for t in parsed["templates"])
    shown = html.unescape(parsed["text"]["*"])
    assert "[[Catégorie:Piège]]" in shown  # shown as the text the member typed
    assert "{{Cercle|nom=Faux}}" in shown


# -- what a sync reads, and what it keeps -----------------------------------------------------


def listed_revisions(engine: SyncEngine) -> dict[int, int]:
    listed = engine.wiki.list_transclusions(engine.config.template_titles())
    return {pid: info.rev_id for pid, info in engine.sources.sources(listed).items()}


def test_the_first_sync_lists_without_revisions_yet_caches_each_page_at_its_revision(
    engine: SyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[str] = []

    def spy(name: str) -> Callable[..., object]:
        real = getattr(engine.wiki, name)

        def call(*args: object) -> object:
            asked.append(name)
            return real(*args)

        return call

    for name in ("template_sources", "list_transclusions", "template_redirects"):
        monkeypatch.setattr(engine.wiki, name, spy(name))
    engine.full_sync(write=False)
    # nothing cached: redirects and page ids in one query, the content brings the revisions
    assert asked == ["template_sources"]
    assert engine.sources.aliases == {"Déclaration": "Contribution"}  # the seed's redirect
    assert engine.sources.aliases == engine.sources.template_aliases()
    fingerprint = engine.sources.fingerprint()
    assert engine.state.revisions(fingerprint) == listed_revisions(engine)
    asked.clear()
    assert engine.full_sync(write=False).pages_read == 0
    assert asked == ["template_redirects", "list_transclusions"]  # revision ids, to compare


def test_a_new_engine_on_the_same_state_reads_no_page(engine: SyncEngine, wiki: LocalWiki) -> None:
    engine.full_sync()
    again = SyncEngine(bot_client(wiki), engine.state, engine.config).full_sync()
    assert (again.pages_read, again.edits) == (0, [])


def test_the_parsed_pages_are_cached_even_when_writing_fails(
    engine: SyncEngine, wiki: LocalWiki, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: object, **kwargs: object) -> Saved:
        raise WikiError("the wiki refused to save: readonly")

    monkeypatch.setattr(engine.wiki, "edit", refuse)
    with pytest.raises(WikiError):
        engine.full_sync()
    fresh = SyncEngine(bot_client(wiki), engine.state, engine.config)
    again = fresh.full_sync()
    assert again.pages_read == 0
    assert REGISTRY in {e.title for e in again.edits}


def add_declaration(admin_site: mwclient.Site, title: str, amount: int) -> None:
    admin_site.pages[title].edit(
        f"{{{{Contribution|contributeur=Zoé Blanc|cercle=Animation|date=03/02/2026"
        f"|montant={amount}}}}}",
        "essai",
    )


def titles_asked(
    engine: SyncEngine, monkeypatch: pytest.MonkeyPatch, method: str = "fetch_titles"
) -> list[str]:
    """Every title the engine passes to the wiki's METHOD from now on (`fetch_titles`: the
    pages it reads; `page_infos`: the pages it looks at)."""
    asked: list[str] = []
    real = getattr(engine.wiki, method)

    def spy(titles: Iterable[str]) -> object:
        wanted = list(titles)
        asked.extend(wanted)
        return real(wanted)

    monkeypatch.setattr(engine.wiki, method, spy)
    return asked


def test_a_page_whose_revision_is_ours_is_updated_without_being_read(
    engine: SyncEngine,
    bot_site: mwclient.Site,
    admin_site: mwclient.Site,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    human = "Note du trésorier, à garder.\n\n"
    engine.full_sync()
    admin_site.pages[REGISTRY].edit(human + page_text(admin_site, REGISTRY), "note")
    add_declaration(admin_site, "Essai relu", 11)
    read = titles_asked(engine, monkeypatch)
    engine.full_sync()  # the registre's revision is a person's: read before writing
    assert REGISTRY in read
    read.clear()
    add_declaration(admin_site, "Essai relu", 12)
    result = engine.sync_pages({"Essai relu"})
    assert REGISTRY in {e.title for e in result.edits}
    assert REGISTRY not in read  # the bot's own revision: its text is known
    text = page_text(bot_site, REGISTRY)
    assert text.startswith(human)
    answer = bot_site.api("query", titles=REGISTRY, prop="revisions", rvprop="sha1")
    (page,) = answer["query"]["pages"].values()
    assert engine.state.written_text(REGISTRY) == text  # kept as MediaWiki stored it
    assert hashlib.sha1(text.encode()).hexdigest() == page["revisions"][0]["sha1"]


def test_a_live_sync_saves_on_its_own_revision_and_keeps_a_human_edit_made_since(
    engine: SyncEngine,
    bot_site: mwclient.Site,
    admin_site: mwclient.Site,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    engine.full_sync()
    add_declaration(admin_site, "Essai confiance", 21)
    engine.sync_pages({"Essai confiance"})  # looks at the registre: its revision is seen
    asked = titles_asked(engine, monkeypatch, "page_infos")
    add_declaration(admin_site, "Essai confiance", 22)
    result = engine.sync_pages({"Essai confiance"})
    assert REGISTRY in {e.title for e in result.edits}
    assert REGISTRY not in asked  # saved on the revision of the bot's last save, unasked
    assert "882,00" in (extract_generated(page_text(bot_site, REGISTRY)) or "")  # 860 + 22

    human = "Note de la trésorière, ajoutée entre deux mises à jour.\n\n"
    admin_site.pages[REGISTRY].edit(human + page_text(admin_site, REGISTRY), "note")
    add_declaration(admin_site, "Essai confiance", 23)
    result = engine.sync_pages({"Essai confiance"})
    assert REGISTRY in {e.title for e in result.edits}
    assert REGISTRY not in asked  # the wiki answered the save: a conflict, or merged
    text = page_text(bot_site, REGISTRY)
    assert text.startswith(human + MARKER_START)  # the person's note is kept
    assert "883,00" in (extract_generated(text) or "")
    assert engine.full_sync().edits == []  # and a full look finds nothing left to do


def test_a_kept_text_that_differs_from_the_wiki_is_never_written_back(
    engine: SyncEngine,
    bot_site: mwclient.Site,
    admin_site: mwclient.Site,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    engine.full_sync()
    kept = engine.state.all_written()[REGISTRY]
    engine.state.save_written(kept, "Texte périmé qui écraserait la page.")
    add_declaration(admin_site, "Essai périmé", 13)
    read = titles_asked(engine, monkeypatch)
    engine.full_sync()
    assert REGISTRY in read  # its SHA-1 is not the revision's: read the page instead
    text = page_text(bot_site, REGISTRY)
    assert "Texte périmé" not in text
    assert text.startswith(MARKER_START)
    assert not same(extract_generated(text) or "", kept.generated)  # the new total is there


def circle_with_one_declaration(admin_site: mwclient.Site, circle: str) -> tuple[Page, str]:
    """A page declaring `circle` and one 2026 declaration for it (mission « Atelier unique »);
    that page, and the title of the circle's page of declarations."""
    source = admin_site.pages[f"Page du cercle {circle}"]
    source.edit(
        f"{{{{Cercle|nom={circle}}}}}\n"
        f"{{{{Contribution|contributeur=Zoé Blanc|cercle={circle}|date=04/02/2026"
        "|montant=77|mission=Atelier unique}}\n",
        "essai",
    )
    return source, f"{REGISTRY}/{circle}"


def test_a_circle_page_is_emptied_when_its_last_declaration_of_the_year_goes(
    engine: SyncEngine, bot_site: mwclient.Site, admin_site: mwclient.Site
) -> None:
    source, circle_page = circle_with_one_declaration(admin_site, "Essai éphémère")
    engine.full_sync()
    assert "Atelier unique" in (extract_generated(page_text(bot_site, circle_page)) or "")
    human = "Note du cercle, à garder.\n\n"
    admin_site.pages[circle_page].edit(human + page_text(admin_site, circle_page), "note")
    source.edit("{{Cercle|nom=Essai éphémère}}\nPlus de déclaration ici.\n", "retrait")
    result = engine.full_sync()
    assert circle_page in {e.title for e in result.edits}
    text = page_text(bot_site, circle_page)
    assert text.startswith(human)
    generated = extract_generated(text) or ""
    assert "Atelier unique" not in generated
    assert "Plus rien à récapituler ici" in generated
    assert circle_page not in {e.title for e in engine.full_sync().edits}  # written once


def test_a_retired_page_deleted_by_someone_is_not_recreated(
    engine: SyncEngine, bot_site: mwclient.Site, admin_site: mwclient.Site
) -> None:
    source, circle_page = circle_with_one_declaration(admin_site, "Essai supprimé")
    engine.full_sync()
    assert bot_site.pages[circle_page].exists
    admin_site.pages[circle_page].delete(reason="plus utile")
    source.edit("Plus rien.\n", "retrait")
    result = engine.full_sync()
    assert circle_page not in {e.title for e in result.edits}
    assert not bot_site.pages[circle_page].exists
