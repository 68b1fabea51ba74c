"""Which pages a computation gives, each circle's page of declarations, and the render memo."""

from __future__ import annotations

import datetime

import pytest

from ledger.record import Problem, Records
from parsers.page import parse_page
from render.card import CARD_SHARDS
from render.compute import Computation, compute_all
from render.config import PageTitles, SyncConfig
from render.pages import without_timestamp
from render.plan import (
    OutputPage,
    RenderMemo,
    circle_pages,
    plan_outputs,
    plan_pages,
    plan_retired,
)

CONFIG = SyncConfig()
TODAY = datetime.date(2026, 4, 15)
REGISTRY = "Contribution-rétribution/Registre 2026"
ALICE = "Utilisateur:Alice Martin/Contributions 2026"
PAGES = {
    "Cercles": (
        "{{Cercle|nom=Numérique}} {{Cercle|nom=Accueil}} {{Cercle|nom=Jardin}}\n"
        "{{Enveloppe cercle|cercle=Numérique|année=2026|montant=1000}}\n"
        "{{Enveloppe cercle|cercle=Accueil|année=2026|montant=500}}\n"
        "{{Enveloppe cercle|cercle=Jardin|année=2026|montant=200}}\n"
    ),
    ALICE: (
        "{{Contribution|contributeur=Alice Martin|cercle=Numérique|date=12/03/2026"
        "|montant=300|mission=Site}}\n"
        "{{Contribution|contributeur=Alice Martin|cercle=Accueil|date=02/04/2026|heures=2}}\n"
    ),
    "Utilisateur:Bob/Contributions 2026": (
        "{{Contribution|contributeur=Bob|cercle=Numérique|date=03/02/2026|montant=450"
        "|statut=versée}}\n"
    ),
    "Utilisateur:Bob": "{{Relevé}}",
    "Utilisateur:Alice Martin": "{{Relevé}}",
    "Cobudget Été": (
        "{{Cobudget|campagne=Été|enveloppe=1000|participants=Alice Martin, Bob"
        "|clôture=30/04/2026}}\n{{Projet cobudget|campagne=Été|titre=Four|minimum=300}}\n"
    ),
}


def compute(
    pages: dict[str, str] = PAGES,
    *,
    today: datetime.date = TODAY,
    at: datetime.datetime = datetime.datetime(2026, 4, 15, 12, tzinfo=datetime.UTC),
) -> Computation:
    records, problems = Records(), list[Problem]()
    for title, text in pages.items():
        page_records, page_problems = parse_page(title, text)
        records.extend(page_records)
        problems.extend(page_problems)
    computation = compute_all(records, problems, CONFIG, today=today)
    computation.computed_at = at
    return computation


def by_title(outputs: list[OutputPage]) -> dict[str, OutputPage]:
    return {o.title: o for o in outputs}


def later(hours: int) -> datetime.datetime:
    return datetime.datetime(2026, 4, 15, 12 + hours, tzinfo=datetime.UTC)


def stamp_of(output: OutputPage) -> str:
    """The "updated on" line (data pages have none)."""
    return output.generated[: output.generated.index("</span>")]


# --- Circle pages ---------------------------------------------------------------------------


def test_each_circle_with_declarations_gets_its_page_right_after_the_registre() -> None:
    titles = [o.title for o in plan_outputs(compute(), CONFIG)]
    start = titles.index(REGISTRY)
    assert titles[start : start + 3] == [REGISTRY, f"{REGISTRY}/Accueil", f"{REGISTRY}/Numérique"]
    assert f"{REGISTRY}/Jardin" not in titles  # an envelope but no declaration: no page


def test_pages_are_written_registres_circles_and_bilans_data_cards_then_the_rest() -> None:
    """The order a member looks at pages after a save; the data pages the boxes on members'
    pages read come before the card shards, so a card saying "compté" is never rendered
    beside a box still showing the old total."""
    titles = [o.title for o in plan_outputs(compute(), CONFIG)]
    pages = CONFIG.pages
    cards = [titles.index(pages.card_data_for(n)) for n in range(CARD_SHARDS)]
    registres = [titles.index(REGISTRY)]
    circles = [titles.index(f"{REGISTRY}/{c}") for c in ("Accueil", "Numérique")]
    circles.append(titles.index(pages.bilan_for("Été")))
    data = [titles.index(pages.contribution_data), titles.index(pages.campaign_data_for("Été"))]
    rest = [titles.index(pages.anomalies), titles.index("Utilisateur:Bob")]
    assert max(registres) < min(circles)
    assert max(circles) < min(data)
    assert max(data) < min(cards)
    assert max(cards) < min(rest)


def test_the_registre_links_its_circles_and_lists_no_declaration() -> None:
    outputs = by_title(plan_outputs(compute(), CONFIG))
    registry = outputs[REGISTRY].generated
    assert f"| [[:{REGISTRY}/Numérique|Numérique]]\n" in registry
    assert "\n| Jardin\n" in registry
    assert "Site" not in registry and "== Déclarations ==" not in registry
    numerique = outputs[f"{REGISTRY}/Numérique"].generated
    assert "| Site\n" in numerique and "Bob" in numerique and "Accueil" not in numerique
    assert outputs[REGISTRY].digest == "3 déclarations, demandé 810,00 €, versé 450,00 €"


def test_a_circle_page_digest_says_its_declarations_and_amounts() -> None:
    outputs = by_title(plan_outputs(compute(), CONFIG))
    assert outputs[f"{REGISTRY}/Numérique"].digest == (
        "2 déclarations, demandé 750,00 €, versé 450,00 €"
    )
    assert outputs[f"{REGISTRY}/Accueil"].digest == "1 déclaration, demandé 60,00 €, versé 0,00 €"


def test_circle_pages_are_the_bots_own_pages_and_never_read_as_sources() -> None:
    pages = PageTitles()
    assert pages.registry_circle_for(2026, "Numérique") == f"{REGISTRY}/Numérique"
    assert pages.is_output(f"{REGISTRY}/Numérique")
    assert pages.is_output("Contribution-rétribution/Registre_2026/Pôle_numérique")
    custom = PageTitles(
        registry="Registre {année}", registry_circle="Déclarations {cercle} {année}"
    )
    assert custom.is_output("Déclarations Accueil 2026")
    assert not custom.is_output("Déclarations 2026")


def test_a_circle_page_title_has_dashes_for_what_titles_refuse_and_spaces_as_mediawiki() -> None:
    assert PageTitles().registry_circle_for(2026, "Pôle [com] #1") == f"{REGISTRY}/Pôle -com- -1"
    assert PageTitles().registry_circle_for(2026, " Pôle_com  2") == f"{REGISTRY}/Pôle com 2"


def test_two_circles_that_would_share_a_page_link_only_the_first() -> None:
    pages = dict(PAGES)
    pages["Cercles"] += "{{Cercle|nom=Pôle_A}} {{Cercle|nom=Pôle A}}\n"
    pages[ALICE] += (
        "{{Contribution|contributeur=Alice Martin|cercle=Pôle A|date=02/04/2026|montant=1}}\n"
        "{{Contribution|contributeur=Alice Martin|cercle=Pôle_A|date=02/04/2026|montant=2}}\n"
    )
    report = compute(pages).contributions[2026]
    linked = circle_pages(report, PageTitles())
    assert linked["Pôle A"] == f"{REGISTRY}/Pôle A" and "Pôle_A" not in linked
    titles = [o.title for o in plan_outputs(compute(pages), CONFIG)]
    assert len(titles) == len(set(titles))


# --- Render memo ----------------------------------------------------------------------------


def test_no_memo_and_an_empty_memo_give_the_same_pages() -> None:
    computation = compute()
    memo: RenderMemo = {}
    assert plan_outputs(computation, CONFIG, memo) == plan_outputs(computation, CONFIG)
    assert set(memo) == {o.title for o in plan_outputs(computation, CONFIG)}


def test_unchanged_data_keeps_every_previous_text_with_its_generation_time() -> None:
    memo: RenderMemo = {}
    first = plan_outputs(compute(), CONFIG, memo)
    again = plan_outputs(compute(at=later(2)), CONFIG, memo)
    assert again == first
    assert all(a.generated is f.generated for a, f in zip(again, first, strict=True))
    assert "15/04/2026 à 14:00" in stamp_of(by_title(again)[REGISTRY])  # not 16:00


def test_a_changed_declaration_renders_again_only_the_pages_showing_its_data() -> None:
    memo: RenderMemo = {}
    first = by_title(plan_outputs(compute(), CONFIG, memo))
    pages = dict(PAGES, **{ALICE: PAGES[ALICE].replace("montant=300", "montant=310")})
    second = plan_outputs(compute(pages, at=later(1)), CONFIG, memo)
    rendered = {o.title for o in second if o.generated is not first[o.title].generated}
    # Accueil, Bob's statement, the campaign and the anomalies do not show it
    assert rendered == {
        REGISTRY,
        f"{REGISTRY}/Numérique",
        "Contribution-rétribution/Données",
        "Utilisateur:Alice Martin",
    }
    fresh = plan_outputs(compute(pages, at=later(1)), CONFIG)
    assert [(o.title, without_timestamp(o.generated), o.digest) for o in second] == [
        (o.title, without_timestamp(o.generated), o.digest) for o in fresh
    ]


def test_the_bilan_renders_again_when_the_day_changes() -> None:
    memo: RenderMemo = {}
    plan_outputs(compute(), CONFIG, memo)
    after_closing = by_title(
        plan_outputs(compute(today=datetime.date(2026, 5, 2), at=later(1)), CONFIG, memo)
    )
    assert "close depuis le 30/04/2026" in after_closing["Cobudget Été/Bilan"].generated
    assert "15/04/2026 à 15:00" in stamp_of(after_closing["Cobudget Été/Bilan"])
    assert "15/04/2026 à 14:00" in stamp_of(after_closing[REGISTRY])  # unchanged: kept


@pytest.mark.parametrize("gone", ["Utilisateur:Bob", "Utilisateur:Bob/Contributions 2026"])
def test_a_page_no_longer_written_leaves_the_memo(gone: str) -> None:
    memo: RenderMemo = {}
    plan_outputs(compute(), CONFIG, memo)
    pages = {title: text for title, text in PAGES.items() if title != gone}
    outputs = plan_outputs(compute(pages), CONFIG, memo)
    assert set(memo) == {o.title for o in outputs}
    assert gone not in memo


# --- Planning before rendering ---------------------------------------------------------------


def test_planning_renders_nothing_until_each_page_is_asked_for() -> None:
    computation = compute()
    memo: RenderMemo = {}
    planned = plan_pages(computation, CONFIG, memo)
    assert [p.title for p in planned] == [o.title for o in plan_outputs(computation, CONFIG)]
    assert memo == {}  # nothing rendered yet
    first = planned[0].render()
    assert set(memo) == {first.title}
    assert [p.render() for p in planned] == plan_outputs(computation, CONFIG)


def test_a_planned_page_takes_its_text_from_the_memo_when_its_data_is_unchanged() -> None:
    memo: RenderMemo = {}
    before = by_title(plan_outputs(compute(), CONFIG, memo))
    planned = {p.title: p for p in plan_pages(compute(at=later(3)), CONFIG, memo)}
    assert planned[REGISTRY].render().generated is before[REGISTRY].generated


# --- Pages with nothing left to summarise ---------------------------------------------------


def test_a_page_no_longer_planned_gets_a_notice_and_a_data_page_an_empty_switch() -> None:
    computation = compute()
    retired = plan_retired(
        [
            f"{REGISTRY}/Jardin",
            "Cobudget Hiver/Données",
            "Utilisateur:Bob",  # a statement: the member's page is left alone
            "Page sans rapport",
        ],
        computation,
        CONFIG,
    )
    pages = {p.title: p.render() for p in retired}
    assert set(pages) == {f"{REGISTRY}/Jardin", "Cobudget Hiver/Données"}
    notice = pages[f"{REGISTRY}/Jardin"].generated
    assert "Plus rien à récapituler ici" in notice
    assert "[[:Contribution-rétribution/Anomalies|des anomalies]]" in notice
    assert "15/04/2026" in notice  # stamped like every generated part
    data = pages["Cobudget Hiver/Données"].generated
    assert "{{#switch:{{{1|}}}" in data and "| #default =" in data
    assert "récapituler" not in data  # a template reading it shows nothing, not the notice
    assert all(p.must_exist for p in retired)  # deleted by someone: never recreated
