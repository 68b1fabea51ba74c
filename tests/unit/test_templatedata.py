"""The circles `{{Contribution}}`'s form suggests (issue 14, item 4): the TemplateData edit
itself (render.templatedata) and the engine keeping it current on an in-memory wiki."""

from __future__ import annotations

import datetime
import difflib
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from ledger.record import Circle, Source
from render.config import SyncConfig
from render.templatedata import circle_names, suggested_circles, with_suggested_circles
from sync.engine import SyncEngine
from sync.state import StateStore
from sync.templates import template_sources
from tests.fakewiki import FakeWiki

TEMPLATE = "Modèle:Contribution"
INSTALLED = next(
    s.text for s in template_sources(SyncConfig()) if s.title == "Template:Contribution"
)


def templatedata(text: str) -> dict:
    return json.loads(text.split("<templatedata>")[1].split("</templatedata>")[0])


def test_the_installed_template_has_a_cercle_parameter_without_suggestions_yet() -> None:
    assert suggested_circles(INSTALLED) == []


def test_only_the_suggested_circles_change_and_the_rest_of_the_page_stays_byte_for_byte() -> None:
    page = "Texte d'un humain.\n" + INSTALLED + "\n[[Catégorie:Modèles]]\n"
    updated = with_suggested_circles(page, ["Accueil", "Numérique"])
    assert updated is not None
    before, after = templatedata(page), templatedata(updated)
    assert after["params"]["cercle"].pop("suggestedvalues") == ["Accueil", "Numérique"]
    assert after == before
    head, tail = page.split("<templatedata>")[0], page.split("</templatedata>")[1]
    assert updated.startswith(head + "<templatedata>") and updated.endswith(
        "</templatedata>" + tail
    )
    # only the lines of the new key change: the JSON keeps the installed layout
    changes = [
        line
        for line in difflib.ndiff(page.splitlines(), updated.splitlines())
        if line[:2] in ("+ ", "- ")
    ]
    assert changes == [
        '- \t\t\t"example": "Numérique"',
        '+ \t\t\t"example": "Numérique",',
        '+ \t\t\t"suggestedvalues": [',
        '+ \t\t\t\t"Accueil",',
        '+ \t\t\t\t"Numérique"',
        "+ \t\t\t]",
    ]
    assert suggested_circles(updated) == ["Accueil", "Numérique"]
    assert with_suggested_circles(updated, []) == page


def test_a_page_without_readable_templatedata_is_left_alone() -> None:
    assert with_suggested_circles("{{{cercle}}}", ["Accueil"]) is None
    broken = "<templatedata>{ oops </templatedata>"
    assert with_suggested_circles(broken, ["Accueil"]) is None
    assert suggested_circles(broken) is None
    no_circle = '<templatedata>{"params": {"date": {}}}</templatedata>'
    assert with_suggested_circles(no_circle, ["Accueil"]) is None


def test_each_circle_is_suggested_once_in_french_order() -> None:
    circles = [
        Circle(name, Source("Cercles", line))
        for line, name in enumerate(
            ["Numérique", "accueil", "Éducation", "Accueil", "Zèbre"], start=1
        )
    ]
    assert circle_names(circles) == ["accueil", "Éducation", "Numérique", "Zèbre"]


@pytest.fixture
def state(tmp_path: Path) -> Iterator[StateStore]:
    store = StateStore(tmp_path / "state.sqlite3")
    yield store
    store.close()


def test_a_sync_keeps_the_suggested_circles_current_and_edits_only_when_they_change(
    state: StateStore,
) -> None:
    wiki = FakeWiki()
    wiki.save(TEMPLATE, "Documentation.\n" + INSTALLED, user="Admin")
    wiki.save("Cercle Animation", "{{Cercle|nom=Animation}}\n")
    engine = SyncEngine(wiki, state, SyncConfig(), today=lambda: datetime.date(2026, 3, 1))

    first = engine.full_sync()
    assert TEMPLATE in {edit.title for edit in first.edits}
    text = wiki.text(TEMPLATE) or ""
    assert suggested_circles(text) == ["Animation"] and text.startswith("Documentation.\n")

    again = engine.full_sync()
    assert TEMPLATE not in {edit.title for edit in again.edits}
    assert wiki.text(TEMPLATE) == text

    wiki.save("Cercle Numérique", "{{Cercle|nom=Numérique}}\n")
    third = engine.full_sync()
    assert TEMPLATE in {edit.title for edit in third.edits}
    assert suggested_circles(wiki.text(TEMPLATE) or "") == ["Animation", "Numérique"]


def test_a_wiki_without_the_template_page_gets_no_template_edit(state: StateStore) -> None:
    wiki = FakeWiki()
    wiki.save("Cercle Animation", "{{Cercle|nom=Animation}}\n")
    engine = SyncEngine(wiki, state, SyncConfig(), today=lambda: datetime.date(2026, 3, 1))
    assert TEMPLATE not in {edit.title for edit in engine.full_sync().edits}
    assert wiki.text(TEMPLATE) is None
