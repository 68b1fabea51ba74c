"""Deleted and moved pages: declarations leave the ledger, or follow the page to its new title."""

from __future__ import annotations

from tests.e2e.conftest import Live, wait_for


def declaration(contributor: str, amount: str) -> str:
    return (
        f"Mes déclarations.\n\n* {{{{Contribution|contributeur={contributor}|cercle=Animation"
        f"|date=2026-07-14|montant={amount}|mission=Essai}}}}\n"
    )


def test_the_declarations_of_a_deleted_page_leave_the_ledger(live: Live) -> None:
    live.wait_idle()
    title = "Utilisateur:Zoé Supprimée/Contributions 2026"
    live.admin.pages[title].edit(declaration("Zoé Supprimée", "77"), "essai")
    wait_for(lambda: "Zoé Supprimée" in live.generated(), timeout=15, what="the registre")
    assert live.declarations_of("Zoé Supprimée") != []
    live.admin.pages[title].delete(reason="essai de suppression")
    wait_for(
        lambda: "Zoé Supprimée" not in live.generated(),
        timeout=15,
        what="the registre without the deleted page",
    )
    assert live.declarations_of("Zoé Supprimée") == []
    assert all(p["page"] != title for p in live.get("/api/problems").json()["problems"])


def test_a_moved_page_keeps_its_declarations_under_its_new_title(live: Live) -> None:
    live.wait_idle()
    old, new = "Utilisateur:Yves Déplacé/Brouillon", "Utilisateur:Yves Déplacé/Contributions 2026"
    live.admin.pages[old].edit(declaration("Yves Déplacé", "88"), "essai")
    wait_for(lambda: live.declarations_of("Yves Déplacé"), timeout=15, what="the declaration")
    live.admin.pages[old].move(new, reason="essai de renommage")
    wait_for(
        lambda: [c["page"] for c in live.declarations_of("Yves Déplacé")] == [new],
        timeout=15,
        what="the declaration under the new title",
    )
    live.wait_idle()
    (moved,) = live.declarations_of("Yves Déplacé")
    assert (moved["amount"], moved["line"]) == ("88.00", 3)
    # the circle's page lists each declaration with its source page
    assert new in live.generated("Contribution-rétribution/Registre 2026/Animation")


def test_the_declarations_of_an_undeleted_page_come_back_through_its_webhook(live: Live) -> None:
    live.wait_idle()
    title = "Utilisateur:Ugo Restauré/Contributions 2026"
    live.admin.pages[title].edit(declaration("Ugo Restauré", "66"), "essai")
    wait_for(lambda: live.declarations_of("Ugo Restauré"), timeout=15, what="the declaration")
    live.admin.pages[title].delete(reason="essai de suppression")
    wait_for(lambda: not live.declarations_of("Ugo Restauré"), timeout=15, what="the deletion")
    # the computation changes before the pages are saved: wait for the registre too, or the
    # check below would see the registre of before the deletion
    wait_for(
        lambda: "Ugo Restauré" not in live.generated(),
        timeout=15,
        what="the registre without the deleted page",
    )
    live.admin.post(
        "undelete", title=title, reason="essai de restauration", token=live.admin.get_token("csrf")
    )
    wait_for(
        lambda: "Ugo Restauré" in live.generated(),
        timeout=15,
        what="the registre with the undeleted page",
    )
    (restored,) = live.declarations_of("Ugo Restauré")
    assert (restored["page"], restored["amount"], restored["line"]) == (title, "66.00", 3)
