"""The engine's pure helpers: the text MediaWiki stores for what the bot sends (its
normalizeLineEndings), and how page reads are batched."""

from __future__ import annotations

import pytest

from sync.batches import read_batches
from sync.writer import as_saved


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


@pytest.mark.parametrize(
    ("pages", "size", "sizes"),
    [
        (2000, 500, [500, 500, 500, 400, 100]),
        (501, 500, [401, 100]),
        (500, 500, [400, 100]),
        (200, 500, [160, 40]),
        (50, 500, [40, 10]),
        (49, 500, [49]),  # too few to be worth a second request
        (3, 500, [3]),
        (120, 50, [50, 50, 10, 10]),
    ],
)
def test_reads_come_in_full_batches_but_the_last_holds_a_fifth_of_one(
    pages: int, size: int, sizes: list[int]
) -> None:
    ids = list(range(1, pages + 1))
    batches = read_batches(ids, size)
    assert [len(b) for b in batches] == sizes
    assert [i for b in batches for i in b] == ids
