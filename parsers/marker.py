"""The two marker comments around the generated part of a page, and splicing text between them.

Text outside the markers belongs to people and is kept byte for byte. The generated part is
never read as a source: `blank_generated` replaces it by as many empty lines, so that line
numbers of what follows stay true.
"""

from __future__ import annotations

MARKER_START = (
    "<!-- wikiledger:début — partie générée automatiquement par wikiledger ;"
    " toute modification entre ces deux marqueurs sera remplacée -->"
)
MARKER_END = "<!-- wikiledger:fin -->"
_START_PREFIX = "<!-- wikiledger:début"


def _find(text: str) -> tuple[int, int, int, int] | None:
    """Offsets (start of start marker, end of it, start of end marker, end of it), or None."""
    start = text.find(_START_PREFIX)
    if start < 0:
        return None
    start_end = text.find("-->", start)
    if start_end < 0:
        return None
    start_end += 3
    end = text.find(MARKER_END, start_end)
    if end < 0:
        return None
    return start, start_end, end, end + len(MARKER_END)


def extract_generated(text: str) -> str | None:
    """The generated part between the markers (without them), or None when there are none."""
    found = _find(text)
    if found is None:
        return None
    _, start_end, end, _ = found
    return text[start_end:end].strip("\n")


def splice_generated(text: str, generated: str, *, append: bool = True) -> str:
    """Put `generated` between the markers of `text`, keeping everything outside byte for byte.

    A page without markers gets them appended after its text (or is made of them when empty).
    """
    block = f"{MARKER_START}\n{generated.strip(chr(10))}\n{MARKER_END}"
    found = _find(text)
    if found is None:
        if not text.strip():
            return block + "\n"
        separator = "" if text.endswith("\n") else "\n"
        return f"{text}{separator}{block}\n" if append else f"{block}\n{text}"
    start, _, _, end_end = found
    return text[:start] + block + text[end_end:]


def blank_generated(text: str) -> str:
    """`text` with the generated part (markers included) replaced by its newlines only."""
    found = _find(text)
    if found is None:
        return text
    start, _, _, end_end = found
    return text[:start] + "\n" * text.count("\n", start, end_end) + text[end_end:]


def without_markers(text: str) -> bool:
    """Whether the page holds neither marker (a page the bot never wrote, or lost both)."""
    return _START_PREFIX not in text and MARKER_END not in text


def marker_fault(text: str) -> str | None:
    """What is wrong with the markers of a page (in French), or None when there is exactly one
    start marker, then one end marker. A page without any marker is also a fault here: the
    caller decides whether such a page is new to the bot or lost its markers."""
    starts, ends = text.count(_START_PREFIX), text.count(MARKER_END)
    if starts == 0 and ends == 0:
        return "les deux marqueurs de la partie générée ont disparu"
    if starts == 0:
        return "le marqueur de début de la partie générée a disparu"
    if ends == 0:
        return "le marqueur de fin de la partie générée a disparu"
    if starts > 1:
        return "le marqueur de début de la partie générée est présent deux fois"
    if ends > 1:
        return "le marqueur de fin de la partie générée est présent deux fois"
    start = text.find(_START_PREFIX)
    if text.find(MARKER_END) < start:
        return "le marqueur de fin est placé avant le marqueur de début"
    if text.find("-->", start) > text.find(MARKER_END):
        return "le marqueur de début n’est plus refermé"
    return None
