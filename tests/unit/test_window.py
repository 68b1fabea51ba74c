"""The time rule of co-budget rounds (issue 12, item 4), from hand-written revisions."""

from __future__ import annotations

from decimal import Decimal
from zoneinfo import ZoneInfo

from ledger.record import Campaign
from ledger.window import Window, apply_window
from tests.unit.history_helpers import Wiki

PAGE = 20
PARIS = ZoneInfo("Europe/Paris")


def pledge(member: str = "Alice Martin", amount: str = "100 €", project: str = "Vélo") -> str:
    return (
        f"{{{{Soutien cobudget|campagne=2026|projet={project}|membre={member}|montant={amount}}}}}"
    )


def campaign_of(wiki: Wiki) -> Campaign:
    [trail] = wiki.history.current("campaign")
    assert isinstance(trail.record, Campaign)
    return trail.record


def started(opening: str = "13/03/2026", closing: str = "14/03/2026") -> Wiki:
    """Revision r is saved r hours after 12 March 2026 09:00 UTC (10:00 in Paris)."""
    wiki = Wiki()
    text = f"{{{{Cobudget|campagne=2026|dotation=500|ouverture={opening}|clôture={closing}}}}}"
    wiki.edit(1, text, user="Admin")  # rev 1
    return wiki


def at(wiki: Wiki, rev_id: int) -> None:
    assert wiki.next_rev <= rev_id
    wiki.next_rev = rev_id


def window(wiki: Wiki) -> Window:
    return apply_window(wiki.history.trails.values(), [campaign_of(wiki)], PARIS)


def verdicts(found: Window) -> list[tuple[str, Decimal, bool, str | None]]:
    return [(v.pledge.member, v.pledge.amount, v.counted, v.reason) for v in found.verdicts]


def test_a_pledge_written_before_the_opening_day_does_not_count() -> None:
    wiki = started()
    wiki.edit(PAGE, pledge() + "\n")  # rev 2: 12 March, 11:00 in Paris
    [(member, amount, counted, reason)] = verdicts(window(wiki))
    assert (member, amount, counted) == ("Alice Martin", Decimal("100.00"), False)
    assert reason == (
        "soutien écrit le 12/03/2026, avant l'ouverture de la campagne « 2026 » le 13/03/2026 :"
        " il n'est pas compté ; modifiez-le pendant la campagne"
    )
    assert window(wiki).pledges == []


def test_both_days_count_in_the_configured_timezone() -> None:
    wiki = started()
    at(wiki, 14)  # 23:00 UTC on 12 March: 13 March, midnight, in Paris
    wiki.edit(PAGE, pledge() + "\n")
    at(wiki, 62)  # 23:00 UTC on 14 March: 15 March in Paris, after the closing day
    wiki.edit(PAGE, pledge() + "\n" + pledge("Bruno Lefèvre") + "\n", user="Bruno Lefèvre")
    found = window(wiki)
    assert [(m, c) for m, _, c, _ in verdicts(found)] == [
        ("Alice Martin", True),
        ("Bruno Lefèvre", False),
    ]
    assert [p.member for p in found.pledges] == ["Alice Martin"]
    utc = apply_window(wiki.history.trails.values(), [campaign_of(wiki)], ZoneInfo("UTC"))
    assert [(m, c) for m, _, c, _ in verdicts(utc)] == [
        ("Alice Martin", False),  # 12 March in UTC: before the opening
        ("Bruno Lefèvre", True),  # 14 March in UTC: the closing day
    ]


def test_after_the_closing_day_changes_are_listed_and_the_figures_frozen() -> None:
    wiki = started()
    at(wiki, 30)  # 13 March
    wiki.edit(PAGE, pledge() + "\n" + pledge("Bruno Lefèvre", "50 €") + "\n")
    at(wiki, 80)  # 15 March: Alice raises hers, Bruno removes his, Claire pledges
    wiki.edit(PAGE, pledge(amount="300 €") + "\n" + pledge("Claire Petit") + "\n")
    found = window(wiki)
    assert sorted((p.member, p.amount) for p in found.pledges) == [
        ("Alice Martin", Decimal("100.00")),
        ("Bruno Lefèvre", Decimal("50.00")),
    ]
    assert sorted(verdicts(found))[2][:3] == ("Claire Petit", Decimal("100.00"), False)
    messages = sorted(p.message for p in found.problems)
    assert messages == [
        "soutien de Bruno Lefèvre à « Vélo » retiré le 15/03/2026, après la clôture du "
        "14/03/2026 : il reste compté (50,00\u00a0€), les chiffres sont figés",
        "soutien modifié le 15/03/2026, après la clôture du 14/03/2026 : la modification "
        "n'est pas comptée, le soutien compté reste de 100,00\u00a0€ à « Vélo »",
        "soutien écrit le 15/03/2026, après la clôture de la campagne « 2026 » le 14/03/2026 :"
        " il n'est pas compté",
    ]


def test_a_pledge_rewritten_during_the_round_counts_as_rewritten() -> None:
    wiki = started()
    wiki.edit(PAGE, pledge() + "\n")  # before the opening
    at(wiki, 30)
    wiki.edit(PAGE, pledge(amount="120 €") + "\n")  # changed during the round
    [(_, amount, counted, reason)] = verdicts(window(wiki))
    assert (amount, counted, reason) == (Decimal("120.00"), True, None)
    [verdict] = window(wiki).verdicts
    assert verdict.written.rev_id == 30


def test_a_pledge_moved_or_respelled_keeps_the_time_it_was_written() -> None:
    wiki = started()
    at(wiki, 30)
    wiki.edit(PAGE, pledge() + "\n")
    at(wiki, 80)  # after the closing: only moved down and re-spelled
    wiki.edit(PAGE, "Texte\n\n" + pledge(amount="100,00 €") + "\n", user="Bruno Lefèvre")
    found = window(wiki)
    assert verdicts(found) == [("Alice Martin", Decimal("100.00"), True, None)]
    assert found.problems == [] and found.pledges[0].source.line == 3


def test_a_campaign_without_dates_counts_every_pledge_as_on_the_page() -> None:
    wiki = Wiki()
    wiki.edit(1, "{{Cobudget|campagne=2026|dotation=500}}", user="Admin")
    wiki.edit(PAGE, pledge() + "\n")
    found = window(wiki)
    assert verdicts(found) == [("Alice Martin", Decimal("100.00"), True, None)]
    assert found.verdicts[0].written.user == "Alice Martin"
