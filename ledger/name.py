"""Name comparison for member-typed names: folding accents and case, and near-miss suggestions."""

from __future__ import annotations

import difflib
import functools
import unicodedata
from collections.abc import Iterable


def name_key(name: str) -> str:
    """The key circles, campaigns and projects match by: spaces collapsed, case ignored, the
    same letters however their accents are encoded (NFC); accents themselves count."""
    return " ".join(unicodedata.normalize("NFC", name).split()).casefold()


@functools.lru_cache(maxsize=1 << 16)  # the same few thousand names, folded on every sync
def fold(text: str) -> str:
    """A key for loose comparison: no accents, case folded, `_` as space, spaces collapsed."""
    decomposed = unicodedata.normalize("NFKD", text.replace("_", " "))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.casefold().split())


class NameHints:
    """Suggestions against one fixed set of candidates, each asked-for name worked out once.

    Checking thousands of records against the same names (circles, campaigns, participants)
    would otherwise fold every candidate and run difflib again for each repeated mistake.
    The candidates are folded on the first question only: most checks find nothing unknown.
    """

    __slots__ = ("_by_key", "_candidates", "_hints")

    def __init__(self, candidates: Iterable[str]) -> None:
        self._candidates: Iterable[str] | None = candidates
        self._by_key: dict[str, str] = {}
        self._hints: dict[str, str | None] = {}

    def suggest(self, name: str) -> str | None:
        """The candidate closest to `name` (accents and case ignored), or None if none is close."""
        if name in self._hints:
            return self._hints[name]
        if self._candidates is not None:
            for candidate in sorted(set(self._candidates)):
                self._by_key.setdefault(fold(candidate), candidate)
            self._candidates = None
        key = fold(name)
        hint = self._by_key.get(key)
        if hint is None:
            close = difflib.get_close_matches(key, list(self._by_key), n=1, cutoff=0.75)
            hint = self._by_key[close[0]] if close else None
        self._hints[name] = hint
        return hint

    def unknown_message(self, kind: str, name: str) -> str:
        """French message for an unknown `kind` named `name`, as `unknown_message` writes it."""
        hint = self.suggest(name)
        adjective = "inconnue" if kind in _FEMININE else "inconnu"
        message = f"{kind} {adjective} « {name} »"
        if hint is not None and hint != name:
            return f"{message} — vouliez-vous dire « {hint} » ?"
        return message


def suggest(name: str, candidates: Iterable[str]) -> str | None:
    """The candidate closest to `name` (accents and case ignored), or None when none is close."""
    return NameHints(candidates).suggest(name)


_FEMININE = {"campagne", "enveloppe", "personne"}


def unknown_message(kind: str, name: str, candidates: Iterable[str]) -> str:
    """French message for an unknown name, with a suggestion for a near miss.

    >>> unknown_message("cercle", "Numerique", ["Numérique"])
    'cercle inconnu « Numerique » — vouliez-vous dire « Numérique » ?'
    """
    return NameHints(candidates).unknown_message(kind, name)


# --- whose page, whose name ------------------------------------------------------------------

DEFAULT_USER_NAMESPACES: tuple[str, ...] = ("Utilisateur", "Utilisatrice", "User")


def member_name(name: str, user_namespaces: Iterable[str] = DEFAULT_USER_NAMESPACES) -> str:
    """A user name as MediaWiki stores it, the one key of a member everywhere: `_` as space,
    spaces collapsed, first letter upper case; a leading user namespace (`Utilisateur:`) is
    dropped, so a page title works as well."""
    text = " ".join(name.replace("_", " ").split())
    namespace, colon, rest = text.partition(":")
    if colon and fold(namespace) in {fold(n) for n in user_namespaces}:
        text = rest.strip()
    return text[:1].upper() + text[1:]


def page_owner(title: str, user_namespaces: Iterable[str] = DEFAULT_USER_NAMESPACES) -> str | None:
    """The member whose page `title` is: `Utilisateur:Alice_Martin/Relevé` -> `Alice Martin`.

    The one rule of "whose page is this", for the parser's `{{Relevé}}` check and for the
    statements the bot writes: None when the page is not in one of `user_namespaces` (the
    wiki's configured ones) or its root cannot be a user name.
    """
    namespace, colon, rest = " ".join(title.replace("_", " ").split()).partition(":")
    if not colon or fold(namespace) not in {fold(n) for n in user_namespaces}:
        return None
    root = rest.split("/", 1)[0]
    # MediaWiki refuses these characters in user names: such a root is nobody's page.
    if not root.strip() or any(ch in root for ch in "@:>=#"):
        return None
    return member_name(root, ())
