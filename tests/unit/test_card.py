"""Card feedback: the key a card computes, and what the ledger made of each call, by shard."""

from __future__ import annotations

import datetime
import pickle
from pathlib import Path

from ledger.record import Problem, Records
from parsers.card import SEPARATOR, card_key
from parsers.page import parse_page, parse_page_cards
from render.card import CARD_SHARDS, card_entries, card_pages, render_card_data
from render.compute import Computation, compute_all
from render.config import SyncConfig
from render.plan import plan_outputs
from sync.card_refresh import PARSER_CACHE_SECONDS, newest_revision, wait_for_rendered_sources
from sync.state import ParsedPage, StateStore

CONFIG = SyncConfig()
TODAY = datetime.date(2026, 3, 20)
CIRCLES = (
    "{{Cercle|nom=Numérique}}\n"
    "{{Enveloppe cercle|cercle=Numérique|année=2026|montant=10000|taux horaire=30}}\n"
    "{{Cobudget|campagne=2026|dotation=200|participants=Alice Martin, Bruno Lefèvre"
    "|ouverture=2026-03-01|clôture=2026-03-31}}\n"
    "{{Projet cobudget|campagne=2026|titre=Vélo cargo|minimum=900}}\n"
)
ALICE = (
    "{{Contribution\n"
    "| contributeur = Alice Martin\n"
    "| cercle = Numérique\n"
    "| date = 2026-03-12\n"
    "| montant = 450\n"
    "| statut = validée\n"
    "}}\n"
    "{{Contribution|contributeur=Alice Martin|cercle=Numerique|date=2026-03-13|heures=2}}\n"
    "{{Contribution|contributeur=Alice Martin|cercle=Numérique|date=2026-03-14|heures=1"
    "|montant=100}}\n"
    "{{Contribution|contributeur=Alice Martin|cercle=Numérique|date=2026-03-15}}\n"
    "{{Soutien cobudget|campagne=2026|projet=Vélo cargo|membre=Alice Martin|montant=150}}\n"
    "{{Soutien cobudget|campagne=2026|projet=Vélo cargo|membre=Zoé|montant=10}}\n"
)
BRUNO = "{{Soutien cobudget|campagne=2026|projet=Vélo cargo|membre=Bruno Lefèvre|montant=250}}\n"
PAGES = {"Cercles": (7, CIRCLES), "Utilisateur:Alice Martin": (42, ALICE), "Bruno": (9, BRUNO)}


def computation() -> Computation:
    records, problems = Records(), list[Problem]()
    cards = {}
    for title, (page_id, text) in PAGES.items():
        page_records, page_problems, page_cards = parse_page_cards(title, text)
        records.extend(page_records)
        problems.extend(page_problems)
        cards[title] = (page_id, page_cards)
    result = compute_all(records, problems, CONFIG, today=TODAY)
    result.cards = cards
    return result


def feedback(page_id: int, *values: str) -> tuple[str, str]:
    found = card_entries(computation())[page_id % CARD_SHARDS][card_key(page_id, "¦".join(values))]
    return found.state, found.text


def test_parse_page_cards_gives_the_same_records_and_problems_as_parse_page() -> None:
    records, problems, cards = parse_page_cards("P", ALICE)
    assert (records, problems) == parse_page("P", ALICE)
    assert [card.kind for card in cards] == ["contribution"] * 4 + ["pledge"] * 2


def test_the_card_key_is_the_identifying_values_as_written_after_a_kind_letter() -> None:
    _, _, cards = parse_page_cards("P", ALICE)
    assert cards[0].key == SEPARATOR.join(
        ["C", "Alice Martin", "Numérique", "2026-03-12", "", "450", "validée"]
    )
    assert cards[0].line == 1 and cards[0].lines == (1, 2, 3, 4, 5, 6)
    assert cards[4].key == SEPARATOR.join(["S", "2026", "Vélo cargo", "Alice Martin", "150"])
    assert card_key(42, "x") == "42¦x"


def test_a_counted_declaration_shows_its_amount_and_status() -> None:
    state, text = feedback(42, "C", "Alice Martin", "Numérique", "2026-03-12", "", "450", "validée")
    assert (state, text) == ("ok", "comptée : 450,00\xa0€ · validée")


def test_an_unknown_circle_shows_the_problem_and_the_suggestion() -> None:
    state, text = feedback(42, "C", "Alice Martin", "Numerique", "2026-03-13", "2", "", "")
    assert state == "error"
    assert text.startswith("non comptée : ")
    assert "« Numerique »" in text and "« Numérique »" in text


def test_a_declaration_above_the_hourly_ceiling_is_counted_with_the_warning() -> None:
    state, text = feedback(42, "C", "Alice Martin", "Numérique", "2026-03-14", "1", "100", "")
    assert state == "warning"
    assert text.startswith("comptée : 100,00\xa0€ · déclarée — ")
    assert "30" in text  # the ceiling the message names


def test_a_declaration_missing_amount_and_hours_says_what_to_add() -> None:
    state, text = feedback(42, "C", "Alice Martin", "Numérique", "2026-03-15", "", "", "")
    assert state == "error" and "heures" in text and "montant" in text


def test_pledges_counted_refused_and_suspended_say_so_and_why() -> None:
    assert feedback(42, "S", "2026", "Vélo cargo", "Alice Martin", "150") == (
        "ok",
        "compté : 150,00\xa0€",
    )
    state, text = feedback(42, "S", "2026", "Vélo cargo", "Zoé", "10")
    assert state == "error" and text.startswith("refusé : ") and "Zoé" in text
    state, text = feedback(9, "S", "2026", "Vélo cargo", "Bruno Lefèvre", "250")
    assert state == "error" and text.startswith("suspendu : ") and "dotation" in text


def test_entries_are_filed_by_page_id_modulo_the_shard_count_on_their_own_pages() -> None:
    shards = card_entries(computation())
    assert set(shards) == {42 % CARD_SHARDS, 9 % CARD_SHARDS}
    pages = card_pages(computation(), CONFIG.pages)
    titles = [title for title, _ in pages]
    assert titles == [CONFIG.pages.card_data_for(n) for n in range(CARD_SHARDS)]
    assert {n for n, (_, entries) in enumerate(pages) if entries} == set(shards)
    assert all(CONFIG.pages.is_output(t) and CONFIG.pages.is_data(t) for t in titles)
    planned = {page.title for page in plan_outputs(computation(), CONFIG)}
    assert set(titles) <= planned


def test_member_text_in_a_key_or_a_message_is_escaped_in_the_data_page() -> None:
    pages = dict(card_pages(computation(), CONFIG.pages))
    text = render_card_data(pages[CONFIG.pages.card_data_for(42 % CARD_SHARDS)])
    assert text.startswith("<onlyinclude>{{#switch:{{{1|}}}")
    assert "| 42¦C¦Alice Martin¦Numérique¦2026-03-12¦¦450¦validée = <span" in text
    assert text.rstrip().endswith("| #default = {{{2|}}}\n}}</onlyinclude>")
    injected = render_card_data(
        (
            (
                "1¦C¦{{x}}|a=b",
                card_entries(computation())[42 % CARD_SHARDS][
                    card_key(
                        42, "¦".join(["C", "Alice Martin", "Numerique", "2026-03-13", "2", "", ""])
                    )
                ],
            ),
        )
    )
    assert "{{x}}" not in injected and "|a=b" not in injected


def test_shards_wait_until_the_newest_source_read_was_rendered_a_second_earlier() -> None:
    newest = newest_revision(["2026-03-12T09:30:00Z", "", "2026-03-12T09:29:59Z"])
    assert newest == datetime.datetime(2026, 3, 12, 9, 30, tzinfo=datetime.UTC).timestamp()
    slept: list[float] = []
    waited = wait_for_rendered_sources(newest, clock=lambda: newest + 0.5, sleep=slept.append)
    assert waited == slept[0] == PARSER_CACHE_SECONDS - 0.5
    assert wait_for_rendered_sources(newest, clock=lambda: newest + 3, sleep=slept.append) == 0
    assert wait_for_rendered_sources(None, sleep=slept.append) == 0 and len(slept) == 1


def test_a_page_cached_before_cards_is_parsed_again_and_cards_are_kept(tmp_path: Path) -> None:
    state = StateStore(tmp_path / "state.sqlite3")
    with state.transaction() as db:
        db.execute(
            "INSERT INTO parsed_page VALUES (?, ?, ?, ?, ?)",
            (1, "P", 2, "new:x", pickle.dumps((Records(), []))),
        )
    assert state.load_pages("new") == []  # unreadable as (records, problems, cards)
    assert state.revisions("new:x") == {}  # so the next sync reads it again
    records, problems, cards = parse_page_cards("P", ALICE)
    assert cards
    state.save_pages([ParsedPage(3, "Q", 4, records, problems, cards)], "new:x")
    assert [p.cards for p in state.load_pages("new")] == [cards]
    state.close()
