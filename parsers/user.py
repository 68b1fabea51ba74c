"""Member names, normalised as MediaWiki normalises user names, from text, links or `{{u|…}}`.

`Alice Martin`, `alice_martin`, `[[Utilisateur:Alice Martin|Alice]]`, `[[User:Alice_Martin]]`,
`[[Utilisatrice:…]]`, `{{u|Alice Martin}}`, `{{utilisateur|…}}` and a signature
(`[[Utilisateur:X|X]] ([[Discussion utilisateur:X|discuter]]) 12 mars 2026 à 10:00 (CET)`)
all name the user `Alice Martin`: `_` is a space, spaces are collapsed, the first letter is
upper case. Lists are separated by commas, semicolons, new lines or « et ».
"""

from __future__ import annotations

import re

from ledger.name import fold
from parsers.template import normalize_template_name
from parsers.text import ValueFormatError, clean, normalize_title, quote, upper_first

USER_NAMESPACES = frozenset(
    {
        "utilisateur",
        "utilisatrice",
        "user",
        "discussion utilisateur",
        "discussion utilisatrice",
        "user talk",
    }
)
USER_TEMPLATES = frozenset({"U", "U'", "User", "Utilisateur", "Utilisatrice", "Notif", "Ping"})
MAX_NAME_BYTES = 255  # MediaWiki's limit on a title
_LINK = re.compile(r"\[\[([^\[\]|]*)(?:\|[^\[\]]*)?\]\]")
_TEMPLATE = re.compile(r"\{\{([^{}|]*)\|([^{}]*)\}\}")
_SIGNATURE_TIME = re.compile(r"\d{1,2}(?:er)? \S+ \d{4} à \d{1,2}:\d{2} \([^)]*\)")
_NOT_IN_NAMES = re.compile(r"[\[\]{}|<>#@:]")  # characters no user name may contain
_SEPARATORS = re.compile(r"\s*(?:[,;\n]|\bet\b)\s*", re.IGNORECASE)
_BULLET = re.compile(r"^[*#:\s]+")
_HINT = "écrivez un nom d'utilisateur, par exemple Alice Martin ou [[Utilisateur:Alice Martin]]"


def normalize_user_name(name: str) -> str:
    """`alice_martin` -> `Alice martin`; `  Alice   Martin ` -> `Alice Martin`."""
    return upper_first(normalize_title(name))


def _link_user(target: str) -> str | None:
    namespace, colon, rest = target.strip().lstrip(":").partition(":")
    if not colon:
        return None
    key = fold(namespace)
    if key in USER_NAMESPACES:
        return rest.partition("/")[0]
    if key in ("special", "speciale") and fold(rest).startswith("contributions/"):
        return rest.partition("/")[2]
    return None


def _template_user(name: str, arguments: str) -> str | None:
    if normalize_template_name(name) not in USER_TEMPLATES:
        return None
    first = arguments.partition("|")[0]
    return first.partition("=")[2] if "=" in first else first


def parse_user(text: str, label: str = "contributeur") -> str:
    """The one user named by `text`, normalised; a `ValueFormatError` otherwise."""
    value = clean(text)
    users: list[str] = []

    def take(found: str | None, whole: str) -> str:
        if found is None:
            return whole
        users.append(normalize_user_name(found))
        return " "

    rest = _LINK.sub(lambda m: take(_link_user(m.group(1)), m.group(0)), value)
    rest = _TEMPLATE.sub(lambda m: take(_template_user(m.group(1), m.group(2)), m.group(0)), rest)
    if users:
        distinct = list(dict.fromkeys(user for user in users if user))
        leftover = _SIGNATURE_TIME.sub("", rest)
        if len(distinct) > 1:
            raise ValueFormatError(
                f"{label} : plusieurs utilisateurs dans {quote(text)} "
                f"({', '.join(distinct)}) ; n'en gardez qu'un"
            )
        if not distinct or any(ch.isalnum() for ch in leftover):
            raise ValueFormatError(f"{label} illisible {quote(text)} : {_HINT}")
        return distinct[0]
    _, colon, after = value.partition(":")
    if colon and fold(value.partition(":")[0]) in USER_NAMESPACES:
        value = after
    name = normalize_user_name(value)
    if not name or _NOT_IN_NAMES.search(name):
        raise ValueFormatError(f"{label} illisible {quote(text)} : {_HINT}")
    if len(name.encode()) > MAX_NAME_BYTES:
        raise ValueFormatError(f"{label} trop long {quote(text)} : {_HINT}")
    return name


def parse_user_list(text: str, label: str = "participants") -> tuple[str, ...]:
    """`Alice Martin, [[Utilisateur:Bruno]] et {{u|Camille}}` -> three users, in order, once."""
    protected: list[str] = []

    def protect(found: re.Match[str]) -> str:
        protected.append(found.group(0))
        return f"\x00{len(protected) - 1}\x00"

    masked = _TEMPLATE.sub(protect, _LINK.sub(protect, text))
    users: list[str] = []
    for item in _SEPARATORS.split(masked):
        item = re.sub(r"\x00(\d+)\x00", lambda m: protected[int(m.group(1))], item)
        item = _BULLET.sub("", item)
        if clean(item):
            users.append(parse_user(item, label))
    return tuple(dict.fromkeys(users))
