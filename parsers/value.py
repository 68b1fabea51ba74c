"""French value formats of DESIGN §3: money, hours, dates, years, yes/no (users and statuses too).

Each parser takes the raw text of a parameter and returns a typed value, or raises
`ValueFormatError` with a French message naming the parameter (`label`) and saying what to
write instead; `parsers.page` turns it into a problem. Money and hours are `Decimal`, never
float. Money: a comma is always the decimal separator (`1 200,50`); a dot is one too when it
is alone with one or two digits after it (`1200.50`); dots group thousands only with a comma
decimal part (`1.200,50`) or in several groups (`1.200.000`); `1.200` and `1,200` are refused
as ambiguous. Numeric dates are day first (`03/12/2026` is 3 December).
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

from ledger.name import fold
from ledger.record import round_hours, round_money
from parsers.status import (
    parse_circle_state,
    parse_contribution_status,
    parse_project_status,
    parse_settlement_rule,
)
from parsers.text import ValueFormatError, clean, quote
from parsers.user import normalize_user_name, parse_user, parse_user_list

__all__ = [
    "ValueFormatError",
    "normalize_user_name",
    "parse_bool",
    "parse_circle_state",
    "parse_contribution_status",
    "parse_date",
    "parse_hours",
    "parse_money",
    "parse_project_status",
    "parse_rate",
    "parse_settlement_rule",
    "parse_user",
    "parse_user_list",
    "parse_year",
]

MAX_DIGITS = 12  # a thousand billion euros or hours: anything longer is a typo
_MINUS = ("-", "−", "–")
_MONEY = re.compile(r"(?:€\s*)?([0-9][0-9 .,]*?)\s*(?:€|eur|euros?)?", re.IGNORECASE)
_GROUPED = re.compile(r"(\d{1,3}(?: \d{3})+|\d+)(?:[.,](\d{1,2}))?")
_DOTTED = re.compile(r"(\d{1,3}(?:\.\d{3})+),(\d{1,2})")
_DOTTED_ONLY = re.compile(r"\d{1,3}(?:\.\d{3}){2,}")
_AMBIGUOUS = re.compile(r"\d{1,3}[.,]\d{3}")
_PER_HOUR = re.compile(r"\s*(?:/\s*h(?:eure)?|par\s+heure|de\s+l'heure)\s*$", re.IGNORECASE)


def parse_money(text: str, label: str = "montant") -> Decimal:
    """`1200`, `1 200,50`, `1 200,50 €`, `1200.50`, `1.200,50`, `1 200 €` -> Decimal (cents)."""
    value = clean(text)
    hint = "écrivez par exemple 1 200,50 €"
    if not value:
        raise ValueFormatError(f"{label} vide : {hint}")
    if value.startswith(_MINUS):
        raise ValueFormatError(
            f"{label} illisible {quote(text)} : un montant ne peut pas être négatif"
        )
    found = _MONEY.fullmatch(value)
    number = found.group(1).strip() if found else ""
    if grouped := _GROUPED.fullmatch(number):
        units, cents = grouped.group(1).replace(" ", ""), grouped.group(2) or ""
    elif dotted := _DOTTED.fullmatch(number):
        units, cents = dotted.group(1).replace(".", ""), dotted.group(2)
    elif _DOTTED_ONLY.fullmatch(number):
        units, cents = number.replace(".", ""), ""
    elif _AMBIGUOUS.fullmatch(number):
        raise ValueFormatError(
            f"{label} ambigu {quote(text)} : écrivez les milliers avec une espace "
            "(1 200) et les centimes après une virgule (1,20)"
        )
    else:
        raise ValueFormatError(f"{label} illisible {quote(text)} : {hint}")
    if len(units.lstrip("0")) > MAX_DIGITS:
        raise ValueFormatError(f"{label} trop grand {quote(text)} : {hint}")
    return round_money(Decimal(f"{units}.{cents or '0'}"))


def parse_rate(text: str, label: str = "taux horaire") -> Decimal:
    """An hourly ceiling: a money amount, optionally per hour (`30 €/h`, `30 € par heure`)."""
    try:
        return parse_money(_PER_HOUR.sub("", clean(text)), label)
    except ValueFormatError:
        raise ValueFormatError(
            f"{label} illisible {quote(text)} : écrivez par exemple 30 €/h"
        ) from None


_HOUR_WORD = r"(?:h|heures?)"
_MINUTE_WORD = r"(?:min|minutes?|mn|m)"
_DECIMAL_HOURS = re.compile(rf"(\d+(?:[.,]\d+)?)\s*{_HOUR_WORD}?")
_HOURS_MINUTES = re.compile(rf"(\d+)\s*{_HOUR_WORD}\s*(?:et\s*)?(\d{{1,2}})\s*{_MINUTE_WORD}?")
_COLON = re.compile(r"(\d+):(\d{2})")
_MINUTES = re.compile(rf"(\d+)\s*{_MINUTE_WORD}")


def parse_hours(text: str, label: str = "heures") -> Decimal:
    """`3`, `3,5`, `3.5`, `3h`, `3 h 30`, `3h30`, `1h05`, `45 min`, `3:30` -> hours, to 0.01."""
    value = clean(text).lower()
    hint = "écrivez par exemple 3,5 ou 3 h 30 ou 45 min"
    if value.startswith(_MINUS):
        raise ValueFormatError(f"{label} illisible {quote(text)} : une durée est positive")
    hours, minutes = Decimal(0), 0
    if found := _DECIMAL_HOURS.fullmatch(value):
        hours = Decimal(found.group(1).replace(",", "."))
    elif found := _HOURS_MINUTES.fullmatch(value) or _COLON.fullmatch(value):
        hours, minutes = Decimal(found.group(1)), int(found.group(2))
    elif found := _MINUTES.fullmatch(value):
        minutes = int(found.group(1))
    else:
        raise ValueFormatError(f"{label} illisible {quote(text)} : {hint}")
    if len(found.group(1).replace(",", ".").partition(".")[0]) > MAX_DIGITS:
        raise ValueFormatError(f"{label} trop grand {quote(text)} : {hint}")
    if minutes >= 60 and found.re is not _MINUTES:
        raise ValueFormatError(
            f"{label} illisible {quote(text)} : les minutes vont de 00 à 59 ({hint})"
        )
    return round_hours(hours + Decimal(minutes) / 60)


MONTHS = {
    "janvier": 1,
    "janv": 1,
    "fevrier": 2,
    "fevr": 2,
    "fev": 2,
    "mars": 3,
    "avril": 4,
    "avr": 4,
    "mai": 5,
    "juin": 6,
    "juillet": 7,
    "juil": 7,
    "aout": 8,
    "septembre": 9,
    "sept": 9,
    "sep": 9,
    "octobre": 10,
    "oct": 10,
    "novembre": 11,
    "nov": 11,
    "decembre": 12,
    "dec": 12,
}
FIRST_YEAR, LAST_YEAR = 1900, 2199
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_NUMERIC = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")
_SHORT_YEAR = re.compile(r"\d{1,2}[/.-]\d{1,2}[/.-]\d{2}")
_WEEKDAY = r"(?:(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)\s+)?"
_WORDS = re.compile(rf"(?:le\s+)?{_WEEKDAY}(\d{{1,2}})(?:er)?\s+([a-z]+)\.?\s+(\d{{4}})")


def parse_date(text: str, label: str = "date") -> datetime.date:
    """`2026-03-12`, `12/03/2026`, `12 mars 2026`, `1er mars 2026`, `12 fevrier 2026`…"""
    value = fold(clean(text))  # no accents, lower case, "1ᵉʳ" -> "1er"
    hint = "écrivez par exemple 12/03/2026 ou 12 mars 2026"
    if found := _ISO.fullmatch(value):
        year, month, day = (int(found.group(k)) for k in (1, 2, 3))
    elif found := _NUMERIC.fullmatch(value):
        day, month, year = (int(found.group(k)) for k in (1, 2, 3))
    elif (found := _WORDS.fullmatch(value)) and found.group(2) in MONTHS:
        day, month, year = int(found.group(1)), MONTHS[found.group(2)], int(found.group(3))
    elif _SHORT_YEAR.fullmatch(value):
        raise ValueFormatError(
            f"{label} illisible {quote(text)} : écrivez l'année en entier, par exemple 12/03/2026"
        )
    else:
        raise ValueFormatError(f"{label} illisible {quote(text)} : {hint}")
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueFormatError(f"{label} illisible {quote(text)} : l'année semble fausse")
    try:
        return datetime.date(year, month, day)
    except ValueError:
        raise ValueFormatError(
            f"{label} impossible {quote(text)} : ce jour n'existe pas ; {hint}"
        ) from None


def parse_year(text: str, label: str = "année") -> int:
    """`2026` -> 2026."""
    value = clean(text)
    if re.fullmatch(r"\d{4}", value) and FIRST_YEAR <= int(value) <= LAST_YEAR:
        return int(value)
    raise ValueFormatError(
        f"{label} illisible {quote(text)} : écrivez l'année sur quatre chiffres, par exemple 2026"
    )


_TRUE = frozenset({"oui", "o", "yes", "y", "1", "vrai", "true", "x"})
_FALSE = frozenset({"non", "n", "no", "0", "faux", "false"})


def parse_bool(text: str, label: str = "valeur") -> bool:
    """`oui`/`non`, `yes`/`no`, `1`/`0`, `vrai`/`faux` (any case, accents ignored)."""
    value = fold(clean(text))
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueFormatError(f"{label} illisible {quote(text)} : écrivez oui ou non")
