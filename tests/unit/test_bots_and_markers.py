"""`{{nobots}}`/`{{bots|…}}` read as bot frameworks read them, and the faults of the markers
around a generated part."""

from __future__ import annotations

import pytest

from parsers.bots import bots_denied
from parsers.marker import MARKER_END, MARKER_START, marker_fault, without_markers

BOT = "WikiLedgerBot"


@pytest.mark.parametrize(
    "text",
    [
        "{{nobots}}",
        "{{ NoBots }}",
        "{{bots|deny=all}}",
        "{{bots|deny=Autre,WikiLedgerBot}}",
        "{{bots|deny=wikiledgerbot, Autre}}",
        "{{bots|allow=none}}",
        "{{bots|allow=AutreRobot}}",
    ],
)
def test_these_calls_keep_the_bot_off(text: str) -> None:
    assert bots_denied(f"Texte.\n{text}\nSuite.", BOT) == text


@pytest.mark.parametrize(
    "text",
    [
        "Rien de tel.",
        "{{bots}}",
        "{{bots|deny=AutreRobot}}",
        "{{bots|allow=all}}",
        "{{bots|allow=WikiLedgerBot}}",
        "{{Nobots cercle}}",
    ],
)
def test_these_leave_the_bot_free(text: str) -> None:
    assert bots_denied(text, BOT) is None


def test_a_bot_password_login_is_named_by_its_user_name() -> None:
    assert bots_denied("{{bots|deny=WikiLedgerBot}}", "WikiLedgerBot@wikiledger") is not None


WHOLE = f"Avant\n{MARKER_START}\nchiffres\n{MARKER_END}\nAprès"


@pytest.mark.parametrize(
    ("text", "fault"),
    [
        (WHOLE, None),
        (WHOLE.replace(MARKER_END, ""), "marqueur de fin de la partie générée a disparu"),
        (WHOLE.replace(MARKER_START, ""), "marqueur de début de la partie générée a disparu"),
        (WHOLE.replace(MARKER_START, MARKER_START * 2), "début de la partie générée est présent"),
        (WHOLE.replace(MARKER_END, MARKER_END * 2), "fin de la partie générée est présent"),
        (f"{MARKER_END}\n{MARKER_START}", "fin est placé avant"),
        ("Avant\nAprès", "les deux marqueurs"),
    ],
)
def test_each_fault_of_the_markers_is_named(text: str, fault: str | None) -> None:
    found = marker_fault(text)
    assert found == fault if fault is None else fault in (found or "")


def test_a_page_without_any_marker_is_told_apart() -> None:
    assert without_markers("Avant\nAprès")
    assert not without_markers(WHOLE.replace(MARKER_END, ""))
