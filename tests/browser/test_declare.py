"""A member declares in a real browser: VisualEditor's template form, the cards' "Déclarer"
buttons with the source editor, and the feedback each card shows once the service has synced.

The live path only: the member's save reaches the service through the extension's webhook;
nothing here triggers a sync.
"""

from __future__ import annotations

import datetime

from playwright.sync_api import Locator

from devwiki.members import create_member
from tests.browser.conftest import CAMPAIGN, NARROW, PROJECT, PROPOSAL, Site, Visit

LIVE_TIMEOUT = 30.0  # seconds from a save to the updated registre or card
ALICE = "Alice Martin"


def today() -> datetime.date:
    return datetime.date.today()


def open_visual_editor(visit: Visit, title: str) -> None:
    visit.open(title, veaction="edit")
    visit.page.wait_for_selector("html.ve-active .ve-ui-toolbar-group-insert")
    visit.page.wait_for_selector(".ve-ui-toolbar-saveButton")
    # A member's first visit shows a welcome dialog over the inert page, as for a person.
    welcome = visit.page.get_by_role("button", name="Commencer à modifier")
    visit.page.wait_for_function(
        "() => document.querySelector('.ve-ui-toolbar-group-insert').closest('[inert]') === null"
        " || [...document.querySelectorAll('.oo-ui-window-active .oo-ui-labelElement-label')]"
        ".some(e => e.textContent === 'Commencer à modifier')"
    )
    if welcome.count():
        visit.shot("bienvenue")
        welcome.click()
        visit.page.wait_for_function(
            "() => document.querySelector('.ve-ui-toolbar-group-insert').closest('[inert]')"
            " === null"
        )
    # the document is editable (1.43's VisualEditor makes it so once the dialog is closed)
    visit.page.wait_for_selector('html.ve-active .ve-ce-documentNode[contenteditable="true"]')


def insert_template(
    visit: Visit,
    name: str,
    values: dict[str, str],
    shot: str,
    suggested: frozenset[str] = frozenset(),
) -> None:
    """Insérer > Modèle, search the template, fill the French form by label, insert.

    The fields labelled in `suggested` are filled by choosing their value in the list the
    form suggests (TemplateData's `suggestedvalues`), after typing its first letters."""
    page = visit.page
    page.click(".ve-ui-toolbar-group-insert .oo-ui-popupToolGroup-handle")
    page.click(".oo-ui-tool-name-transclusion")
    search = page.locator(".ve-ui-mwTemplatePlaceholderPage input")
    search.click()
    search.press_sequentially(name, delay=30)  # the lookup follows key strokes
    page.get_by_role("option").filter(has_text=name).first.click()
    for label, value in values.items():
        field = page.locator(
            ".ve-ui-mwParameterPage",
            has=page.locator(".ve-ui-mwParameterPage-label", has_text=label),
        ).locator("input, textarea")
        if label in suggested:
            field.first.press_sequentially(value[:3], delay=30)
            option = page.get_by_role("option", name=value, exact=True)
            option.first.wait_for(state="visible", timeout=10_000)
            visit.shot(f"{shot}-suggestions")
            option.first.click()
            assert field.first.input_value() == value
            continue
        field.first.fill(value)
    visit.shot(shot)
    page.click(".oo-ui-processDialog-actions-primary .oo-ui-buttonElement-button")
    page.wait_for_selector(".ve-ui-mwTransclusionDialog", state="hidden")


def save_visual_edit(visit: Visit, summary: str) -> None:
    page = visit.page
    page.click(".ve-ui-toolbar-saveButton")
    page.fill(".ve-ui-mwSaveDialog-summary textarea", summary)
    visit.shot("enregistrer")
    page.click(".ve-ui-mwSaveDialog .oo-ui-processDialog-actions-primary .oo-ui-buttonElement")
    page.wait_for_selector("html:not(.ve-active)")  # back to reading: the edit is saved


def card(visit: Visit, selector: str, text: str) -> Locator:
    return visit.page.locator(selector).filter(has_text=text)


def feedback_of(visit: Visit, selector: str, text: str) -> str:
    found = card(visit, selector, text)
    if found.count() != 1:
        return ""
    line = found.locator(".wikiledger-suivi-ligne")
    return line.inner_text() if line.count() else ""


def test_a_member_declares_a_contribution_in_visualeditor_and_sees_it_counted(
    visit: Visit, site: Site
) -> None:
    mission = "Essai dans le navigateur : éditeur visuel"
    visit.log_in(ALICE)
    own_page = f"Utilisateur:{ALICE}/Contributions {today().year}"
    open_visual_editor(visit, own_page)
    visit.shot("editeur-visuel")
    insert_template(
        visit,
        "Contribution",
        {
            "Contributeur·rice": ALICE,
            "Cercle": "Numérique",
            "Date": today().isoformat(),
            "Montant demandé": "123,45 €",
            "Mission": mission,
        },
        "formulaire-rempli",
        suggested=frozenset({"Cercle"}),  # the circles the bot keeps in the TemplateData
    )
    visit.shot("modele-insere")
    save_visual_edit(visit, "Déclaration depuis l'éditeur visuel")
    visit.shot("enregistre")

    visit.open(f"Contribution-rétribution/Registre {today().year}/Numérique")
    registre = visit.page.locator("#mw-content-text")
    visit.reload_until(
        lambda: mission in registre.inner_text(), timeout=LIVE_TIMEOUT, what="the registre"
    )
    row = visit.page.locator("tr").filter(has_text=mission)
    assert "123,45" in row.inner_text()
    visit.shot("registre", full_page=True)

    visit.open(own_page)
    seconds = visit.reload_until(
        lambda: "comptée" in feedback_of(visit, ".wikiledger-contribution", mission),
        timeout=LIVE_TIMEOUT,
        what="the card's feedback",
    )
    assert feedback_of(visit, ".wikiledger-contribution", mission) == (
        "✓ comptée : 123,45\xa0€ · déclarée"
    )
    assert seconds < LIVE_TIMEOUT
    card(visit, ".wikiledger-contribution", mission).scroll_into_view_if_needed()
    visit.shot("fiche-comptee")


def test_a_member_pledges_on_a_proposal_page_in_visualeditor(visit: Visit, site: Site) -> None:
    campaign, project, proposal = CAMPAIGN, PROJECT, PROPOSAL
    visit.log_in(ALICE)
    visit.open(proposal)
    box = visit.page.locator(".wikiledger-projet")
    visit.reload_until(
        lambda: "aucun soutien" in box.inner_text(), timeout=LIVE_TIMEOUT, what="the new project"
    )
    visit.shot("projet")

    open_visual_editor(visit, proposal)
    insert_template(
        visit,
        "Soutien cobudget",
        {"Campagne": campaign, "Projet": project, "Membre": ALICE, "Montant": "120"},
        "formulaire-soutien",
    )
    save_visual_edit(visit, "Mon soutien")

    visit.reload_until(
        lambda: "compté" in feedback_of(visit, ".wikiledger-soutien", ALICE),
        timeout=LIVE_TIMEOUT,
        what="the pledge card's feedback",
    )
    assert feedback_of(visit, ".wikiledger-soutien", ALICE) == "✓ compté : 120,00\xa0€"
    assert "120,00\xa0€ promis" in box.inner_text()
    visit.shot("soutien-compte")
    bilan = site.live.generated(f"Cobudget {campaign}/Bilan")
    assert project in bilan and "120,00" in bilan


def test_the_circle_card_button_opens_the_source_editor_on_the_members_own_page(
    visit: Visit, site: Site
) -> None:
    zoe = "Zoé Petit"  # no page of hers yet: the button creates it
    site.members[zoe] = create_member(site.wiki, zoe)
    visit.log_in(zoe)
    visit.open("Cercle Accompagnement")
    button = visit.page.locator(".wikiledger-cercle .wikiledger-declarer a")
    assert button.inner_text() == "Déclarer une contribution"
    visit.shot("fiche-cercle")
    button.click()
    visit.page.wait_for_selector("#wpTextbox1")
    # her first edit: the same welcome dialog over the source editor
    visit.page.get_by_role("button", name="Commencer à modifier").click()
    own_page = f"Utilisateur:{zoe}/Contributions {today().year}"
    assert visit.page.locator("#firstHeading").inner_text().endswith(own_page)
    text = visit.page.locator("#wpTextbox1").input_value()
    assert f"| cercle = Accompagnement\n| date = {today().isoformat()}\n" in text
    assert "| contributeur = ~~~\n" in text
    assert visit.page.locator("#wpSummary").input_value() == "Contribution au cercle Accompagnement"
    visit.shot("editeur-source-precharge")
    mission = "Essai dans le navigateur : éditeur de code source"
    text = text.replace("| montant = \n", "| montant = 80\n").replace(
        "| mission = \n", f"| mission = {mission}\n"
    )
    visit.page.fill("#wpTextbox1", text)
    visit.page.click("#wpSave")
    visit.page.wait_for_selector(".wikiledger-contribution")
    assert visit.page.locator("#firstHeading").inner_text() == own_page

    seconds = visit.reload_until(
        lambda: "comptée" in feedback_of(visit, ".wikiledger-contribution", mission),
        timeout=LIVE_TIMEOUT,
        what="the card's feedback",
    )
    assert feedback_of(visit, ".wikiledger-contribution", mission) == (
        "✓ comptée : 80,00\xa0€ · déclarée"
    )
    assert seconds < LIVE_TIMEOUT
    contributor = card(visit, ".wikiledger-contribution", mission).locator("a").first
    assert contributor.inner_text() == zoe  # ~~~ became her name when she saved
    visit.shot("fiche-comptee", full_page=True)
    declared = site.live.declarations_of(zoe, today().year)
    assert [(d["circle"], d["amount"], d["mission"]) for d in declared] == [
        ("Accompagnement", "80.00", mission)
    ]


def test_cards_and_pages_stay_readable_at_420_px(visit: Visit, site: Site) -> None:
    visit.page.set_viewport_size(NARROW)
    visit.log_in(ALICE)
    for title, selector in (
        ("Cercle Numérique", ".wikiledger-cercle"),
        (f"Utilisateur:{ALICE}/Contributions {today().year}", ".wikiledger-contribution"),
        ("Cobudget 2026/Projet Vélo cargo", ".wikiledger-projet"),
        # summary pages: their wide tables scroll inside a box of the column's width
        (f"Contribution-rétribution/Registre {today().year}", 'div[style*="overflow-x:auto"]'),
        ("Cobudget 2026/Bilan", 'div[style*="overflow-x:auto"]'),
    ):
        visit.open(title)
        cards = visit.page.locator(selector)
        assert cards.count() > 0
        content = visit.page.locator("#mw-content-text").bounding_box()
        assert content is not None
        for index in range(cards.count()):
            box = cards.nth(index).bounding_box()
            assert box is not None
            # within the content column, nothing cut off or pushing the page sideways
            assert box["x"] + box["width"] <= content["x"] + content["width"] + 1, title
            if "overflow-x" not in selector:  # a card wraps; a scroll box scrolls
                overflow = cards.nth(index).evaluate("e => e.scrollWidth - e.clientWidth")
                assert overflow <= 1, title
        cards.first.scroll_into_view_if_needed()
        visit.shot(title.split("/")[-1].replace(" ", "-").lower())
