"""`as_saved`: the text MediaWiki stores for what the bot sends (its normalizeLineEndings)."""

from __future__ import annotations

import pytest

from sync.engine import as_saved


@pytest.mark.parametrize(
    ("sent", "stored"),
    [
        ("texte\n", "texte"),
        ("texte \t\n\n", "texte"),
        ("a\r\nb\rc\n", "a\nb\nc"),
        ("  retrait gardé\n", "  retrait gardé"),  # leading whitespace is kept
        ("montant 12\u00a0€\u00a0", "montant 12\u00a0€\u00a0"),  # PHP's rtrim keeps U+00A0
        ("fin\u202f", "fin\u202f"),  # and the narrow no-break space of French amounts
        ("nul\x00\x0b", "nul"),
    ],
)
def test_trailing_ascii_whitespace_goes_and_line_ends_become_newlines(
    sent: str, stored: str
) -> None:
    assert as_saved(sent) == stored
