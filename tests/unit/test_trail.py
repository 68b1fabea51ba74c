"""Declarations followed across edits (issue 12, item 2), from real parses of wikitext revisions."""

from __future__ import annotations

import pickle
import random

from ledger.history import CREATED, MOVED, contribution_events
from ledger.matching import CONTRIBUTION, match_records
from ledger.record import Contribution
from ledger.trail import History
from parsers.page import parse_page
from tests.unit.history_helpers import Wiki, declaration

PAGE, OTHER = 10, 11


def trails(wiki: Wiki) -> list[tuple[int, int, str]]:
    """(trail number, line, contributor) of the declarations now, in page order."""
    found = []
    for trail in wiki.history.current("contribution"):
        record = trail.record
        assert isinstance(record, Contribution)
        found.append((trail.number, record.source.line, record.contributor))
    return found


def events(wiki: Wiki, number: int) -> list[tuple[str, str, str, str]]:
    """(field, from, to, user) of one trail's events."""
    trail = wiki.history.trails[number]
    return [(e.field, e.old, e.new, e.revision.user) for e in contribution_events(trail.versions)]


def lines(*calls: str) -> str:
    return "\n".join(calls) + "\n"


ALICE = declaration("Alice Martin", mission="Accueil")
BRUNO = declaration("Bruno Lefèvre", mission="Compta", amount="200 €")
CLAIRE = declaration("Claire Petit", mission="Site web", amount="90 €")


def test_a_declaration_moved_down_the_page_keeps_its_identity_and_no_event() -> None:
    wiki = Wiki()
    wiki.edit(PAGE, lines(ALICE, BRUNO, CLAIRE))
    wiki.edit(PAGE, lines(BRUNO, CLAIRE, ALICE), user="Bruno Lefèvre")
    assert trails(wiki) == [(2, 1, "Bruno Lefèvre"), (3, 2, "Claire Petit"), (1, 3, "Alice Martin")]
    assert events(wiki, 1) == [(CREATED, "", "déclarée", "Alice Martin")]


def test_lines_inserted_or_removed_above_change_nothing_but_the_line() -> None:
    wiki = Wiki()
    wiki.edit(PAGE, lines(ALICE, BRUNO))
    wiki.edit(PAGE, "== Mars ==\nTexte.\n" + lines(CLAIRE, ALICE, BRUNO), user="Claire Petit")
    assert trails(wiki) == [(3, 3, "Claire Petit"), (1, 4, "Alice Martin"), (2, 5, "Bruno Lefèvre")]
    wiki.edit(PAGE, lines(BRUNO), user="Alice Martin")  # everything above removed
    assert trails(wiki) == [(2, 1, "Bruno Lefèvre")]
    assert events(wiki, 2) == [(CREATED, "", "déclarée", "Alice Martin")]


def test_an_envelope_respelled_annee_to_annee_with_an_accent_is_the_same_envelope() -> None:
    wiki = Wiki()
    wiki.edit(PAGE, "{{Enveloppe cercle|cercle=Numérique|annee=2026|montant=1200}}\n")
    wiki.edit(PAGE, "Budget :\n{{Enveloppe cercle|année=2026|montant=1 200 €|cercle=Numérique}}\n")
    [trail] = wiki.history.current("envelope")
    assert trail.number == 1 and len(trail.versions) == 1
    assert trail.created.user == "Alice Martin"


def test_reordered_and_respelled_parameters_are_the_same_declaration() -> None:
    wiki = Wiki()
    wiki.edit(
        PAGE,
        "{{Contribution|contributeur=Alice Martin|cercle=Numérique|date=12/03/2026"
        "|montant=1200|statut=validée|mission=Accueil}}\n",
    )
    wiki.edit(
        PAGE,
        "{{Contribution\n| Statut = Validée\n| montant = 1 200,00 €\n| Date = 12 mars 2026\n"
        "| contributrice = [[Utilisateur:Alice_Martin|Alice]]\n| cercle = numérique \n"
        "| mission = Accueil\n}}\n",
        user="Bruno Lefèvre",
    )
    [trail] = wiki.history.current("contribution")
    assert len(trail.versions) == 1  # nothing that counts changed: no version, no event
    assert events(wiki, 1) == [(CREATED, "", "validée", "Alice Martin")]


def test_a_status_change_is_one_event_with_the_values_as_written() -> None:
    wiki = Wiki()
    wiki.edit(PAGE, lines(ALICE, declaration("Alice Martin", mission="Site", status="déclarée")))
    wiki.edit(
        PAGE,
        lines(ALICE, declaration("Alice Martin", mission="Site", status="Versée")),
        user="Nouveau Membre",
    )
    assert events(wiki, 1) == [(CREATED, "", "déclarée", "Alice Martin")]
    assert events(wiki, 2) == [
        (CREATED, "", "déclarée", "Alice Martin"),
        ("statut", "déclarée", "Versée", "Nouveau Membre"),
    ]


def test_an_amount_change_respelled_at_the_same_time_shows_both_spellings() -> None:
    wiki = Wiki()
    wiki.edit(PAGE, lines(declaration(amount="1200")))
    wiki.edit(PAGE, lines(declaration(amount="1 500 €")), user="Bruno Lefèvre")
    assert events(wiki, 1)[1:] == [("montant", "1200", "1 500 €", "Bruno Lefèvre")]


def test_two_fields_changed_in_one_edit_keep_the_identity_and_give_two_events() -> None:
    wiki = Wiki()
    wiki.edit(PAGE, lines(ALICE, BRUNO))
    changed = declaration("Alice Martin", mission="Accueil", amount="150 €", status="validée")
    wiki.edit(PAGE, lines(BRUNO, changed), user="Bruno Lefèvre")
    assert trails(wiki) == [(2, 1, "Bruno Lefèvre"), (1, 2, "Alice Martin")]
    assert events(wiki, 1)[1:] == [
        ("statut", "déclarée", "validée", "Bruno Lefèvre"),
        ("montant", "120 €", "150 €", "Bruno Lefèvre"),
    ]


def test_three_fields_changed_at_once_is_a_new_declaration() -> None:
    wiki = Wiki()
    wiki.edit(PAGE, lines(ALICE))
    other = declaration("Bruno Lefèvre", mission="Accueil", amount="150 €", day="13/03/2026")
    wiki.edit(PAGE, lines(other), user="Bruno Lefèvre")
    assert trails(wiki) == [(2, 1, "Bruno Lefèvre")]
    assert not wiki.history.trails[1].present


def test_identical_duplicates_pair_in_page_order_and_a_change_goes_to_the_changed_one() -> None:
    wiki = Wiki()
    wiki.edit(PAGE, lines(ALICE, ALICE, BRUNO))
    validated = declaration("Alice Martin", mission="Accueil", status="validée")
    wiki.edit(PAGE, lines(ALICE, validated, BRUNO), user="Bruno Lefèvre")
    assert trails(wiki) == [(1, 1, "Alice Martin"), (2, 2, "Alice Martin"), (3, 3, "Bruno Lefèvre")]
    assert events(wiki, 1) == [(CREATED, "", "déclarée", "Alice Martin")]
    assert events(wiki, 2)[1:] == [("statut", "déclarée", "validée", "Bruno Lefèvre")]
    wiki.edit(PAGE, lines(validated, BRUNO), user="Alice Martin")  # the unchanged twin removed
    assert trails(wiki) == [(2, 1, "Alice Martin"), (3, 2, "Bruno Lefèvre")]


def test_matching_of_duplicates_is_deterministic_whatever_changes() -> None:
    rng = random.Random(12)
    calls = [ALICE, ALICE, BRUNO, BRUNO, CLAIRE]
    old = parse_page("P", lines(*calls))[0].contributions
    for _ in range(50):
        shuffled = calls[:]
        rng.shuffle(shuffled)
        new = parse_page("P", lines(*shuffled))[0].contributions
        first = match_records(CONTRIBUTION, old, new)
        assert first == match_records(CONTRIBUTION, old, new)
        assert len(first.pairs) == 5 and not first.removed and not first.added
        values = CONTRIBUTION.values
        assert all(values(old[i]) == values(new[j]) for i, j in first.pairs)


def test_cut_from_one_page_and_pasted_on_another_is_the_same_declaration_moved() -> None:
    wiki = Wiki()
    wiki.edit(PAGE, lines(ALICE, BRUNO), title="Contributions/Mars")
    wiki.edit(PAGE, lines(BRUNO), user="Claire Petit")
    assert not wiki.history.trails[1].present
    pasted = ALICE.replace("120 €", "120,00 €")  # re-spelled on the way
    wiki.edit(OTHER, lines(CLAIRE, pasted), user="Claire Petit", title="Contributions/Avril")
    assert trails(wiki) == [(2, 1, "Bruno Lefèvre"), (3, 1, "Claire Petit"), (1, 2, "Alice Martin")]
    assert events(wiki, 1) == [
        (CREATED, "", "déclarée", "Alice Martin"),
        (MOVED, "Contributions/Mars", "Contributions/Avril", "Claire Petit"),
    ]


def test_pasted_on_another_page_before_being_cut_is_the_same_declaration_moved() -> None:
    wiki = Wiki()
    wiki.edit(PAGE, lines(ALICE, BRUNO), title="Contributions/Mars")
    wiki.edit(OTHER, lines(ALICE), user="Claire Petit", title="Contributions/Avril")
    assert len(wiki.history.current("contribution")) == 3  # for now a copy
    wiki.edit(PAGE, lines(BRUNO), user="Claire Petit")
    assert trails(wiki) == [(2, 1, "Bruno Lefèvre"), (1, 1, "Alice Martin")]
    assert 3 not in wiki.history.trails
    assert events(wiki, 1) == [
        (CREATED, "", "déclarée", "Alice Martin"),
        (MOVED, "Contributions/Mars", "Contributions/Avril", "Claire Petit"),
    ]


def test_a_real_duplicate_on_another_page_is_not_taken_for_a_move_while_both_stay() -> None:
    wiki = Wiki()
    wiki.edit(PAGE, lines(ALICE))
    wiki.edit(OTHER, lines(ALICE), user="Alice Martin")
    wiki.edit(PAGE, lines(ALICE, BRUNO), user="Bruno Lefèvre")
    assert sorted(t.number for t in wiki.history.current("contribution")) == [1, 2, 3]


def test_a_vandalised_status_then_undone_leaves_a_consistent_trail() -> None:
    wiki = Wiki()
    wiki.edit(PAGE, lines(ALICE, BRUNO))
    paid = declaration("Alice Martin", mission="Accueil", status="versée")
    wiki.edit(PAGE, lines(paid, BRUNO), user="203.0.113.7", anonymous=True)
    wiki.edit(PAGE, lines(ALICE, BRUNO), user="Bruno Lefèvre")  # undo
    assert trails(wiki) == [(1, 1, "Alice Martin"), (2, 2, "Bruno Lefèvre")]
    assert events(wiki, 1) == [
        (CREATED, "", "déclarée", "Alice Martin"),
        ("statut", "déclarée", "versée", "203.0.113.7"),
        ("statut", "versée", "déclarée", "Bruno Lefèvre"),
    ]


def test_a_blanked_page_restored_brings_back_the_same_declarations() -> None:
    wiki = Wiki()
    wiki.edit(PAGE, lines(ALICE, BRUNO))
    wiki.edit(PAGE, "Vandalisme\n", user="203.0.113.7", anonymous=True)
    assert wiki.history.current("contribution") == []
    wiki.edit(PAGE, lines(ALICE, BRUNO), user="Bruno Lefèvre")
    assert trails(wiki) == [(1, 1, "Alice Martin"), (2, 2, "Bruno Lefèvre")]
    assert events(wiki, 1) == [(CREATED, "", "déclarée", "Alice Martin")]


def test_a_deleted_page_restored_brings_back_its_declarations() -> None:
    wiki = Wiki()
    wiki.edit(PAGE, lines(ALICE))
    wiki.delete(PAGE)
    assert wiki.history.current("contribution") == []
    wiki.edit(PAGE, lines(ALICE), user="Admin")
    assert trails(wiki) == [(1, 1, "Alice Martin")]


def test_a_page_undeleted_at_its_old_revision_brings_back_its_declarations() -> None:
    wiki = Wiki()
    wiki.edit(PAGE, lines(ALICE, BRUNO))
    last = wiki.log[-1]
    wiki.delete(PAGE)
    wiki.history.apply(last)  # undelete: the page's current revision is its old one again
    assert trails(wiki) == [(1, 1, "Alice Martin"), (2, 2, "Bruno Lefèvre")]
    assert events(wiki, 1) == [(CREATED, "", "déclarée", "Alice Martin")]


def test_a_page_renamed_keeps_its_declarations_where_they_are() -> None:
    wiki = Wiki()
    wiki.edit(PAGE, lines(ALICE), title="Brouillon")
    wiki.edit(PAGE, lines(ALICE), user="Admin", title="Contributions/Mars")
    assert events(wiki, 1) == [(CREATED, "", "déclarée", "Alice Martin")]
    [trail] = wiki.history.current("contribution")
    assert isinstance(trail.record, Contribution)
    assert trail.record.source.page == "Contributions/Mars"


def test_the_same_revision_applied_twice_or_an_older_one_changes_nothing() -> None:
    wiki = Wiki()
    wiki.edit(PAGE, lines(ALICE))
    wiki.edit(PAGE, lines(declaration(status="validée")), user="Bruno Lefèvre")
    before = pickle.dumps(wiki.history)
    for change in wiki.log:
        wiki.history.apply(change)
    assert pickle.dumps(wiki.history) == before


def test_a_rebuild_from_the_revisions_in_any_order_equals_the_live_history() -> None:
    wiki = Wiki()
    wiki.edit(PAGE, lines(ALICE, BRUNO), title="Contributions/Mars")
    wiki.edit(OTHER, lines(CLAIRE), user="Claire Petit", title="Contributions/Avril")
    wiki.edit(PAGE, lines(BRUNO, declaration(status="validée")), user="Bruno Lefèvre")
    wiki.edit(PAGE, lines(declaration(status="validée")), user="Bruno Lefèvre")
    wiki.edit(OTHER, lines(CLAIRE, BRUNO), user="Claire Petit")
    shuffled = wiki.log[:]
    random.Random(3).shuffle(shuffled)
    rebuilt = History.rebuild(shuffled)
    assert pickle.dumps(rebuilt) == pickle.dumps(wiki.history)
    assert events(wiki, 2)[1:] == [
        (MOVED, "Contributions/Mars", "Contributions/Avril", "Claire Petit")
    ]
