"""Name comparison for member-typed names: folding accents and case, and near-miss suggestions."""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Iterable


def fold(text: str) -> str:
    """A key for loose comparison: no accents, case folded, `_` as space, spaces collapsed."""
    decomposed = unicodedata.normalize("NFKD", text.replace("_", " "))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.casefold().split())


def suggest(name: str, candidates: Iterable[str]) -> str | None:
    """The candidate closest to `name` (accents and case ignored), or None when none is close."""
    by_key: dict[str, str] = {}
    for candidate in sorted(set(candidates)):
        by_key.setdefault(fold(candidate), candidate)
    key = fold(name)
    if key in by_key:
        return by_key[key]
    close = difflib.get_close_matches(key, list(by_key), n=1, cutoff=0.75)
    return by_key[close[0]] if close else None


_FEMININE = {"campagne", "enveloppe", "personne"}


def unknown_message(kind: str, name: str, candidates: Iterable[str]) -> str:
    """French message for an unknown name, with a suggestion for a near miss.

    >>> unknown_message("cercle", "Numerique", ["Numérique"])
    'cercle inconnu « Numerique » — vouliez-vous dire « Numérique » ?'
    """
    hint = suggest(name, candidates)
    adjective = "inconnue" if kind in _FEMININE else "inconnu"
    message = f"{kind} {adjective} « {name} »"
    if hint is not None and hint != name:
        return f"{message} — vouliez-vous dire « {hint} » ?"
    return message
