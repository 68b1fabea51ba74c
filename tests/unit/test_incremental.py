"""Incremental compute (issue 16): after any sequence of edits, the engine's computation and
every page it would write equal the full path's (`HistoryKeeper.compute`: the records judged
with their history, then `compute_all`) on the same pages; and the incremental computer, kept
across the same edits, equals the full path without a history, the one case where
`sync.pipeline.compute_pages` uses it.

Pages of a small cooperative are written at random on the in-memory wiki (`tests.fakewiki`):
circles, envelopes and closings, declarations (some on one line, some with mistakes or above
the ceiling), a co-budget with projects and pledges, statement requests; then pages are
rewritten or deleted one at a time, each followed by the live sync a webhook would start.
"""

from __future__ import annotations

import datetime
import tempfile
from dataclasses import replace
from pathlib import Path
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledger.governance import GovernanceSettings, Mode
from ledger.record import Problem, Records
from render.compute import Computation
from render.config import SyncConfig
from render.incremental import IncrementalComputer
from render.plan import plan_outputs
from sync.engine import SyncEngine
from sync.keeper import HistoryKeeper
from sync.pipeline import compute_pages
from sync.publish import with_holds
from sync.state import ParsedPage, StateStore
from tests.fakewiki import FakeWiki

CONFIG = SyncConfig()
TODAY = datetime.date(2026, 6, 1)
MEMBERS = ("Zoé Blanc", "Yves Roux", "Ali Ben")
CIRCLES = ("Animation", "Numérique")
TITLES = (
    "Cercle Animation",
    "Cercle Numérique",
    "Utilisateur:Zoé Blanc/Contributions",
    "Utilisateur:Yves Roux/Contributions",
    "Utilisateur:Ali Ben/Contributions",
    "Cobudget Fête",
    "Utilisateur:Zoé Blanc",
    "Utilisateur:Yves Roux",
)

declarations = st.builds(
    lambda who, circle, day, hours, amount, status: (
        "{{Contribution|contributeur="
        + who
        + "|cercle="
        + circle
        + "|date="
        + day
        + hours
        + amount
        + status
        + "}}"
    ),
    st.sampled_from(MEMBERS),
    st.sampled_from((*CIRCLES, "Animaton")),  # an unknown circle now and then
    st.sampled_from(("03/02/2026", "03/02/2026", "15/06/2026", "12/11/2025", "31/02/2026")),
    st.sampled_from(("", "|heures=2", "|heures=0", "|heures=250")),
    st.sampled_from(("|montant=40", "|montant=60", "|montant=300", "|montant=12000", "")),
    st.sampled_from(("", "", "|statut=validée", "|statut=versée", "|statut=refusée")),
)
lines = st.one_of(
    declarations,
    st.tuples(declarations, declarations).map(" ".join),  # two calls on one line
    st.sampled_from(CIRCLES).map(lambda c: "{{Cercle|nom=" + c + "}}"),
    st.sampled_from(CIRCLES).map(lambda c: "{{Cercle|nom=" + c + "|référents=Yves Roux}}"),
    st.builds(
        lambda c, year, amount: (
            f"{{{{Enveloppe cercle|cercle={c}|année={year}|montant={amount}}}}}"
        ),
        st.sampled_from(CIRCLES),
        st.sampled_from((2025, 2026)),
        st.sampled_from((50, 200, 1000)),
    ),
    st.sampled_from(CIRCLES).map(
        lambda c: f"{{{{Clôture cercle|cercle={c}|année=2025|règle=prorata}}}}"
    ),
    st.builds(
        lambda who, dates: (
            f"{{{{Cobudget|campagne=Fête|enveloppe=300|participants={who}{dates}}}}}"
        ),
        st.sampled_from(("Zoé Blanc, Yves Roux", "Zoé Blanc, Yves Roux, Ali Ben")),
        # the in-memory wiki saves every revision on 1 March 2026: pledges before the
        # opening, after the closing, or within the round
        st.sampled_from(
            ("", "|clôture=28/02/2026", "|ouverture=02/03/2026", "|clôture=01/03/2026")
        ),
    ),
    st.sampled_from(("Vélo", "Four", "Fanfare")).map(
        lambda t: f"{{{{Projet cobudget|campagne=Fête|titre={t}|minimum=100}}}}"
    ),
    st.builds(
        lambda t, who, amount: (
            f"{{{{Soutien cobudget|campagne=Fête|projet={t}|membre={who}|montant={amount}}}}}"
        ),
        st.sampled_from(("Vélo", "Four", "Fanfare", "Fanfar")),
        st.sampled_from(MEMBERS),
        st.sampled_from((20, 80, 150)),
    ),
    st.sampled_from(MEMBERS).map(lambda who: f"{{{{Relevé|{who}}}}}"),
    st.just("Une phrase sans modèle."),
)
texts = st.lists(lines, max_size=6).map("\n".join)
# an edit: a page rewritten (by one member or another), or deleted (None)
edits = st.tuples(
    st.sampled_from(TITLES), st.one_of(st.none(), texts, texts), st.sampled_from(MEMBERS)
)
ENFORCE = replace(CONFIG, governance=GovernanceSettings(mode=Mode.ENFORCE))


def written(title: str, text: str) -> str:
    """A member's own page always asks for their statement."""
    owner = title.removeprefix("Utilisateur:")
    return f"{{{{Relevé|{owner}}}}}\n{text}" if owner in MEMBERS else text


def source_pages(engine: SyncEngine) -> list[ParsedPage]:
    return sorted(engine.cache.pages().values(), key=lambda p: (p.title, p.page_id))


def full_recompute(engine: SyncEngine, keeper: HistoryKeeper | None = None) -> Computation:
    """The full path: the records judged with the history of KEEPER (the engine's by default),
    then `compute_all`; without a history that is `compute_all` on the records as written."""
    records, problems = Records(), list[Problem]()
    pages = source_pages(engine)
    for page in pages:
        records.extend(page.records)
        problems.extend(page.problems)
    full = (engine.keeper if keeper is None else keeper).compute(
        records, problems, CONFIG, today=TODAY
    )
    if keeper is None:  # the engine's: with the pages its last sync held back (sync.publish)
        with_holds(full, {}, engine.holds)
    full.cards = {p.title: (p.page_id, p.cards) for p in pages}
    return full


def no_history(engine: SyncEngine) -> HistoryKeeper:
    """A keeper that has read no history: the case `sync.pipeline.compute_pages` gives to the
    incremental computer."""
    keeper = HistoryKeeper(
        engine.wiki, engine.state.path, CONFIG.governance, ZoneInfo(CONFIG.timezone)
    )
    assert keeper.history is None
    return keeper


def assert_same(incremental: Computation, full: Computation) -> None:
    assert incremental.records == full.records
    assert incremental.parse_problems == full.parse_problems
    assert incremental.contributions == full.contributions
    assert incremental.campaigns == full.campaigns
    assert incremental.problems == full.problems
    assert incremental.governance == full.governance
    assert {title: c for title, c in incremental.cards.items() if title} == full.cards
    full.computed_at = incremental.computed_at
    assert [(p.title, p.generated, p.digest) for p in plan_outputs(incremental, CONFIG)] == [
        (p.title, p.generated, p.digest) for p in plan_outputs(full, CONFIG)
    ]


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    start=st.lists(texts, min_size=len(TITLES), max_size=len(TITLES)),
    steps=st.lists(edits, min_size=1, max_size=8),
    config=st.sampled_from((CONFIG, ENFORCE)),
    left=st.lists(st.booleans(), min_size=8, max_size=8),
)
def test_after_any_edits_the_incremental_computation_equals_a_full_recompute(
    start: list[str],
    steps: list[tuple[str, str | None, str]],
    config: SyncConfig,
    left: list[bool],
) -> None:
    wiki = FakeWiki()
    for title, text in zip(TITLES, start, strict=True):
        wiki.save(title, written(title, text))
    with tempfile.TemporaryDirectory() as directory:
        state = StateStore(Path(directory) / "state.sqlite3")
        try:
            engine = SyncEngine(wiki, state, config, today=lambda: TODAY)
            engine.full_sync()
            keeper = no_history(engine)
            incremental = IncrementalComputer(CONFIG)
            incremental.compute(source_pages(engine), TODAY)
            for step, (title, text, user) in enumerate(steps):
                if text is None:
                    if wiki.text(title) is None:
                        continue
                    wiki.delete(title)
                else:
                    wiki.save(title, written(title, text), user=user)
                engine.sync_pages({title})
                # the engine holds a history: what it computed is the full path's
                assert engine.last is not None
                assert_same(engine.last, full_recompute(engine))
                # the incremental computer, kept across the same edits, is the full path's
                # without a history (where `compute_pages` uses it); its cards and statements
                # deferred, and some left incomplete, as a live sync stopped early leaves them
                pages = source_pages(engine)
                computed = compute_pages(keeper, incremental, pages, today=TODAY, defer=True)
                if left[step]:
                    assert computed.card_shards is None  # the next computation completes it
                    continue
                assert_same(computed, full_recompute(engine, keeper))
            keeper.close()
        finally:
            state.close()


def test_a_declaration_changed_recomputes_only_its_circle_years(tmp_path: Path) -> None:
    wiki = FakeWiki()
    wiki.save(
        "Cercle Animation",
        "{{Cercle|nom=Animation}}\n{{Cercle|nom=Numérique}}\n"
        "{{Enveloppe cercle|cercle=Animation|année=2026|montant=100}}\n"
        "{{Enveloppe cercle|cercle=Numérique|année=2026|montant=100}}",
    )
    zoe = "Utilisateur:Zoé Blanc/Contributions"
    wiki.save(
        zoe, "{{Contribution|contributeur=Zoé Blanc|cercle=Animation|date=03/02/2026|montant=40}}"
    )
    wiki.save(
        "Utilisateur:Yves Roux/Contributions",
        "{{Contribution|contributeur=Yves Roux|cercle=Numérique|date=03/02/2026|montant=40}}",
    )
    state = StateStore(tmp_path / "state.sqlite3")
    try:
        engine = SyncEngine(wiki, state, CONFIG, today=lambda: TODAY)
        engine.full_sync()
        keeper, incremental = no_history(engine), IncrementalComputer(CONFIG)
        compute_pages(keeper, incremental, source_pages(engine), today=TODAY)
        wiki.save(
            zoe,
            "{{Contribution|contributeur=Zoé Blanc|cercle=Animation|date=03/02/2026|montant=90}}",
        )
        engine.sync_pages({zoe})
        computed = compute_pages(keeper, incremental, source_pages(engine), today=TODAY)
        done = incremental.recomputed
        assert (done["context"], done["budget"], done["circle_years"]) == (0, 0, 1)
        assert done["card_pages"] == 1
        assert_same(computed, full_recompute(engine, keeper))
        assert engine.last is not None
        assert_same(engine.last, full_recompute(engine))
        keeper.close()
    finally:
        state.close()


ANIMATION = "Cercle Animation"
ZOE_PAGE, YVES_PAGE = "Utilisateur:Zoé Blanc/Contributions", "Utilisateur:Yves Roux/Contributions"
CALL = "{{Contribution|contributeur=%s|cercle=Animation|date=03/02/2026|montant=%d%s}}"


def two_members_in_animation() -> FakeWiki:
    """Animation with a 100 € envelope for 2026; Zoé and Yves each declare 80 € on their own
    page, each saving it."""
    wiki = FakeWiki()
    wiki.save(
        ANIMATION,
        "{{Cercle|nom=Animation}}\n{{Enveloppe cercle|cercle=Animation|année=2026|montant=100}}",
    )
    wiki.save(ZOE_PAGE, CALL % ("Zoé Blanc", 80, ""))
    wiki.save(YVES_PAGE, CALL % ("Yves Roux", 80, ""), user="Yves Roux")
    return wiki


def test_a_members_statement_follows_the_split_another_members_declaration_changed(
    tmp_path: Path,
) -> None:
    wiki = two_members_in_animation()
    wiki.save("Utilisateur:Zoé Blanc", "{{Relevé|Zoé Blanc}}")
    state = StateStore(tmp_path / "state.sqlite3")
    try:
        engine = SyncEngine(wiki, state, CONFIG, today=lambda: TODAY)
        engine.full_sync()
        keeper, incremental = no_history(engine), IncrementalComputer(CONFIG)
        compute_pages(keeper, incremental, source_pages(engine), today=TODAY)
        wiki.save(YVES_PAGE, CALL % ("Yves Roux", 20, ""), user="Yves Roux")  # Zoé's share grows
        engine.sync_pages({YVES_PAGE})
        computed = compute_pages(keeper, incremental, source_pages(engine), today=TODAY)
        assert incremental.recomputed["statements"] == 1
        assert_same(computed, full_recompute(engine, keeper))
        assert engine.last is not None
        assert_same(engine.last, full_recompute(engine))
        keeper.close()
    finally:
        state.close()


def test_a_live_edit_judges_again_only_its_page_and_new_referents_judge_every_page(
    tmp_path: Path,
) -> None:
    wiki = two_members_in_animation()
    circles, zoe, call = ANIMATION, ZOE_PAGE, CALL
    state = StateStore(tmp_path / "state.sqlite3")
    try:
        engine = SyncEngine(wiki, state, CONFIG, today=lambda: TODAY)
        engine.full_sync()
        assert engine.keeper.pages.rejudged == 3
        # Yves validates Zoé's declaration without being a référent: a finding on her page only
        wiki.save(zoe, call % ("Zoé Blanc", 80, "|statut=validée"), user="Yves Roux")
        engine.sync_pages({zoe})
        assert engine.keeper.pages.rejudged == 1
        assert engine.last is not None
        assert_same(engine.last, full_recompute(engine))
        assert [p.source.page for p in engine.last.governance] == [zoe]
        # Yves becomes référent: every page is judged again; his validations count from then on
        wiki.save(
            circles,
            wiki.text(circles).replace("|nom=Animation}}", "|nom=Animation|référents=Yves Roux}}"),
        )
        engine.sync_pages({circles})
        assert engine.keeper.pages.rejudged == 3
        assert_same(engine.last, full_recompute(engine))
        wiki.save(zoe, call % ("Zoé Blanc", 90, "|statut=validée"), user="Yves Roux")
        engine.sync_pages({zoe})
        assert engine.keeper.pages.rejudged == 1
        assert_same(engine.last, full_recompute(engine))
    finally:
        state.close()


def test_a_page_with_findings_moved_keeps_the_findings_in_the_full_paths_order(
    tmp_path: Path,
) -> None:
    wiki = two_members_in_animation()
    state = StateStore(tmp_path / "state.sqlite3")
    try:
        engine = SyncEngine(wiki, state, CONFIG, today=lambda: TODAY)
        engine.full_sync()
        # each validates the other's declaration without being a référent: a finding on each
        wiki.save(ZOE_PAGE, CALL % ("Zoé Blanc", 80, "|statut=validée"), user="Yves Roux")
        wiki.save(YVES_PAGE, CALL % ("Yves Roux", 80, "|statut=validée"), user="Zoé Blanc")
        engine.sync_pages({ZOE_PAGE, YVES_PAGE})
        assert engine.last is not None
        assert [p.source.page for p in engine.last.governance] == [YVES_PAGE, ZOE_PAGE]
        # Zoé's page moved (as MediaWiki moves one: same page, new title) ahead of Yves's
        moved = "Utilisateur:Anna Zoé Blanc/Contributions"
        page = wiki.pages.pop(ZOE_PAGE)
        page.title = moved
        wiki.pages[moved] = page
        engine.sync_pages({ZOE_PAGE, moved})
        full = full_recompute(engine)
        assert_same(engine.last, full)
        assert [p.source.page for p in engine.last.governance] == [moved, YVES_PAGE]
        assert moved in engine.last.cards and ZOE_PAGE not in engine.last.cards
    finally:
        state.close()
