"""French value formats of DESIGN §3: money, hours, dates, users, booleans and statuses.

Each parser takes the raw text of a parameter and returns a typed value, or raises
`ValueFormatError` with a French message saying what to write instead. `parsers.page` turns
those into problems: member input never escapes as an exception.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal, InvalidOperation

from ledger.name import fold
from ledger.record import CircleState, ContributionStatus, ProjectStatus, round_hours

SPACES = re.compile(r"[\s\u00a0\u202f\u2009\u2007]+")
MONTHS = {
    "janvier": 1,
    "fevrier": 2,
    "mars": 3,
    "avril": 4,
    "mai": 5,
    "juin": 6,
    "juillet": 7,
    "aout": 8,
    "septembre": 9,
    "octobre": 10,
    "novembre": 11,
    "decembre": 12,
    "janv": 1,
    "fevr": 2,
    "fev": 2,
    "avr": 4,
    "juil": 7,
    "sept": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
USER_PREFIXES = ("utilisateur", "utilisatrice", "user")


class ValueFormatError(ValueError):
    """A value a member typed that cannot be read; `message` is French and says what to do."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


_MONEY_GROUPED = re.compile(r"\d{1,3}(?: \d{3})+(?:,\d+)?")
_MONEY_PLAIN = re.compile(r"\d+(?:[.,]\d+)?")
_MONEY_DOTTED = re.compile(r"\d{1,3}(?:\.\d{3})+,\d+")


def parse_money(text: str) -> Decimal:
    """`1200`, `1 200,50`, `1 200,50 €`, `1200.50`, `1.200,50`, `1 200 €` -> Decimal."""
    raw = text
    value = SPACES.sub(" ", text).strip()
    value = re.sub(r"\s*(€|eur|euros?)$", "", value, flags=re.IGNORECASE).strip()
    if _MONEY_GROUPED.fullmatch(value):
        value = value.replace(" ", "")
    elif _MONEY_DOTTED.fullmatch(value):
        value = value.replace(".", "")
    elif not _MONEY_PLAIN.fullmatch(value):
        if value.startswith("-"):
            raise ValueFormatError(
                f"montant négatif « {raw.strip()} » : indiquez un montant positif"
            )
        raise ValueFormatError(
            f"montant illisible « {raw.strip()} » : écrivez par exemple 1 200,50 €"
        )
    value = value.replace(",", ".")
    if "." in value and len(value.split(".")[1]) > 2:
        raise ValueFormatError(
            f"montant « {raw.strip()} » avec plus de deux décimales : arrondissez au centime"
        )
    try:
        return Decimal(value).quantize(Decimal("0.01"))
    except InvalidOperation:
        raise ValueFormatError(
            f"montant illisible « {raw.strip()} » : écrivez par exemple 1 200,50 €"
        ) from None


_HOURS_DECIMAL = re.compile(r"(\d+(?:[.,]\d+)?)\s*(?:h|heures?)?")
_HOURS_MINUTES = re.compile(r"(\d+)\s*h\s*(\d{1,2})\s*(?:min|mn|m)?")
_MINUTES = re.compile(r"(\d+)\s*(?:min|minutes?|mn)")


def parse_hours(text: str) -> Decimal:
    """`3`, `3,5`, `3.5`, `3h`, `3 h 30`, `3h30`, `45 min` -> hours rounded to the hundredth."""
    value = SPACES.sub(" ", text).strip().lower()
    hint = f"durée illisible « {text.strip()} » : écrivez par exemple 3,5 ou 3 h 30 ou 45 min"
    if match := _HOURS_MINUTES.fullmatch(value):
        minutes = int(match.group(2))
        if minutes >= 60:
            raise ValueFormatError(hint)
        return round_hours(Decimal(match.group(1)) + Decimal(minutes) / Decimal(60))
    if match := _MINUTES.fullmatch(value):
        return round_hours(Decimal(match.group(1)) / Decimal(60))
    if match := _HOURS_DECIMAL.fullmatch(value):
        return round_hours(Decimal(match.group(1).replace(",", ".")))
    raise ValueFormatError(hint)


_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_SLASHED = re.compile(r"(\d{1,2})[/.](\d{1,2})[/.](\d{4})")
_WORDS = re.compile(r"(\d{1,2}|1er)\s+([a-z]+)\.?\s+(\d{4})")


def parse_date(text: str) -> datetime.date:
    """`2026-03-12`, `12/03/2026`, `12 mars 2026`, `1er mars 2026` -> date."""
    value = fold(SPACES.sub(" ", text))
    hint = f"date illisible « {text.strip()} » : écrivez par exemple 12/03/2026 ou 12 mars 2026"
    if match := _ISO.fullmatch(value):
        year, month, day = (int(g) for g in match.groups())
    elif match := _SLASHED.fullmatch(value):
        day, month, year = (int(g) for g in match.groups())
    elif match := _WORDS.fullmatch(value):
        day = 1 if match.group(1) == "1er" else int(match.group(1))
        if match.group(2) not in MONTHS:
            raise ValueFormatError(hint)
        month, year = MONTHS[match.group(2)], int(match.group(3))
    else:
        raise ValueFormatError(hint)
    try:
        return datetime.date(year, month, day)
    except ValueError:
        raise ValueFormatError(
            f"date impossible « {text.strip()} » : ce jour n'existe pas, vérifiez-la"
        ) from None


def parse_year(text: str) -> int:
    value = SPACES.sub("", text)
    if not re.fullmatch(r"\d{4}", value) or not 1900 <= int(value) <= 2200:
        raise ValueFormatError(f"année illisible « {text.strip()} » : écrivez par exemple 2026")
    return int(value)


_USER_LINK = re.compile(r"\[\[\s*:?\s*([^\]|]+?)\s*(?:\|[^\]]*)?\]\]")
_USER_TEMPLATE = re.compile(
    r"\{\{\s*(?:u|utilisateur|utilisatrice|user|ping|notif)\s*\|\s*([^}|]+?)\s*(?:\|[^}]*)?\}\}",
    re.IGNORECASE,
)


def normalize_user(name: str) -> str:
    """As MediaWiki normalises user names: `_` = space, spaces collapsed, first letter upper."""
    name = " ".join(name.replace("_", " ").split())
    return name[:1].upper() + name[1:]


def parse_user(text: str) -> str:
    """`Alice Martin`, `[[Utilisateur:Alice Martin|Alice]]`, `{{u|Alice Martin}}` -> name."""
    value = text.strip()
    if match := _USER_TEMPLATE.fullmatch(value):
        value = match.group(1)
    elif match := _USER_LINK.fullmatch(value):
        value = match.group(1)
        prefix, colon, rest = value.partition(":")
        if colon and fold(prefix) in USER_PREFIXES:
            value = rest
        value = value.split("/", 1)[0]
    elif any(ch in value for ch in "[]{}|<>"):
        raise ValueFormatError(
            f"nom illisible « {value} » : écrivez le nom du compte, par exemple Alice Martin"
        )
    else:
        prefix, colon, rest = value.partition(":")
        if colon and fold(prefix) in USER_PREFIXES:
            value = rest
    value = normalize_user(value)
    if not value:
        raise ValueFormatError("nom vide : écrivez le nom du compte, par exemple Alice Martin")
    return value


def parse_user_list(text: str) -> tuple[str, ...]:
    """A comma (or semicolon) separated list of users; empty items are skipped."""
    names = []
    for item in re.split(r"[,;]", text):
        if item.strip():
            name = parse_user(item)
            if name not in names:
                names.append(name)
    return tuple(names)


def parse_bool(text: str) -> bool:
    value = fold(text)
    if value in ("oui", "o", "yes", "y", "1", "vrai", "true"):
        return True
    if value in ("non", "n", "no", "0", "faux", "false"):
        return False
    raise ValueFormatError(f"valeur « {text.strip()} » illisible : écrivez oui ou non")


_CONTRIBUTION_STATUS = {
    "declaree": ContributionStatus.DECLARED,
    "declare": ContributionStatus.DECLARED,
    "declarees": ContributionStatus.DECLARED,
    "validee": ContributionStatus.VALIDATED,
    "valide": ContributionStatus.VALIDATED,
    "validees": ContributionStatus.VALIDATED,
    "versee": ContributionStatus.PAID,
    "verse": ContributionStatus.PAID,
    "versees": ContributionStatus.PAID,
    "payee": ContributionStatus.PAID,
    "paye": ContributionStatus.PAID,
    "refusee": ContributionStatus.REFUSED,
    "refuse": ContributionStatus.REFUSED,
    "refusees": ContributionStatus.REFUSED,
    "benevole": ContributionStatus.VOLUNTARY,
    "benevolat": ContributionStatus.VOLUNTARY,
}
_PROJECT_STATUS = {
    "propose": ProjectStatus.PROPOSED,
    "proposee": ProjectStatus.PROPOSED,
    "annule": ProjectStatus.CANCELLED,
    "annulee": ProjectStatus.CANCELLED,
    "realise": ProjectStatus.DONE,
    "realisee": ProjectStatus.DONE,
}
_CIRCLE_STATE = {
    "actif": CircleState.ACTIVE,
    "active": CircleState.ACTIVE,
    "en sommeil": CircleState.DORMANT,
    "sommeil": CircleState.DORMANT,
    "inactif": CircleState.DORMANT,
    "inactive": CircleState.DORMANT,
}


def parse_contribution_status(text: str) -> ContributionStatus:
    status = _CONTRIBUTION_STATUS.get(fold(text))
    if status is None:
        raise ValueFormatError(
            f"statut inconnu « {text.strip()} » : écrivez déclarée, validée, versée, refusée "
            "ou bénévole"
        )
    return status


def parse_project_status(text: str) -> ProjectStatus:
    status = _PROJECT_STATUS.get(fold(text))
    if status is None:
        raise ValueFormatError(
            f"statut inconnu « {text.strip()} » : écrivez proposé, annulé ou réalisé"
        )
    return status


def parse_circle_state(text: str) -> CircleState:
    state = _CIRCLE_STATE.get(fold(text))
    if state is None:
        raise ValueFormatError(f"état inconnu « {text.strip()} » : écrivez actif ou en sommeil")
    return state
