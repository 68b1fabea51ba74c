"""Safe wikitext building blocks: escaping of member text, links, French number and date formats.

Everything member-typed (names, missions, titles, messages) goes through `escape`, which turns
every character the MediaWiki parser gives a meaning to into an HTML numeric entity: the parser
leaves entities alone and the browser shows the literal character (the same approach as
MediaWiki's own `wfEscapeWikiText`, made stricter). Helpers that build markup return
`Wikitext`, the only type the report templates output without escaping.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from decimal import ROUND_DOWN, Decimal
from zoneinfo import ZoneInfo

from ledger import french
from ledger.french import MINUS as MINUS
from ledger.french import MONTHS as MONTHS
from ledger.french import NBSP as NBSP
from ledger.governance import Verdict, trail_steps
from ledger.history import RevisionRef


class Wikitext(str):
    """Markup that is safe to put in a page as it is; made only by the helpers of this module."""

    __slots__ = ()


# Characters with a meaning somewhere in wikitext: links [[ ]], templates and parameters { },
# tables | ! , tags and entities < > &, signatures ~~~, magic words __X__, bold/italic '',
# headings =, lists and definitions * # : ; (and URL autolinks need a ":"), attributes ".
_MARKUP = "[]{}|<>&~_'=*#:;!\""
# Control characters (Unicode category Cc: newline, CR, tab...) would break the line: a space.
_CONTROL = "".join(map(chr, [*range(0x00, 0x20), *range(0x7F, 0xA0)]))
_REPLACEMENT = {ch: " " for ch in _CONTROL} | {ch: f"&#{ord(ch)};" for ch in _MARKUP}
# One pass over the text finds: a space, control character or "-" at its start (a leading
# space makes <pre>, "----" a rule); any markup or control character; the magic links
# ISBN/RFC/PMID, which also fire after a no-break space, so their word itself is broken
# (wherever it is: no reliance on how the parser's regex sees word boundaries).
_SPECIAL = re.compile(
    rf"^[ \-{re.escape(_CONTROL)}]|[{re.escape(_MARKUP + _CONTROL)}]|(?i:ISBN|RFC|PMID)"
)


def _replace(match: re.Match[str]) -> str:
    found = match.group()
    if len(found) > 1:  # a magic-link word: its first letter as an entity
        return f"&#{ord(found[0])};{found[1:]}"
    if match.start() == 0 and found not in _MARKUP:  # a leading space, control or "-"
        return "&#45;" if found == "-" else "&#32;"
    return _REPLACEMENT[found]


def escape(text: str) -> Wikitext:
    """Member text as wikitext that renders as exactly that text, on one line, inert."""
    return Wikitext(_SPECIAL.sub(_replace, text))


def switch_key(text: str) -> Wikitext:
    """A `{{#switch:}}` case key: `=` and `|` as `{{=}}`/`{{!}}`, the rest escaped.

    `#switch` decodes entities in keys before comparing them, so `&#91;` still matches `[`.
    """
    escaped = escape(text.strip())
    return Wikitext(escaped.replace("&#61;", "{{=}}").replace("&#124;", "{{!}}"))


# What cannot be in a page title, or would change meaning inside [[...]]: percent-encoded
# characters and entities are decoded in link targets, "~~~" is a signature ("__" and "_"
# are collapsed to a space below, as MediaWiki does).
_TITLE_FORBIDDEN = re.compile(r"[\[\]{}|<>#\x00-\x1f\x7f-\x9f]|~~~|%[0-9A-Fa-f]{2}|&#?\w+;")
_DOT_SEGMENT = re.compile(r"(^|/)\.\.?(/|$)")


def _normalize_title(title: str) -> str | None:
    """The title as MediaWiki would store it, or None when it cannot be a link target."""
    title = " ".join(title.replace("_", " ").split())
    if (
        not title
        or title.startswith(":")
        or _TITLE_FORBIDDEN.search(title)
        or _DOT_SEGMENT.search(title)
        or len(title.encode("utf-8")) > 255
    ):
        return None
    # Link targets are entity-decoded by MediaWiki: "&" must stay a literal ampersand.
    return title.replace("&", "&#38;")


def is_title(title: str) -> bool:
    """Whether `title` can be a page title (and so a link target)."""
    return _normalize_title(title) is not None


def user_link(name: str, namespace: str = "Utilisateur") -> Wikitext:
    """`[[Utilisateur:Name|Name]]`, or the name as plain text when it cannot be a user page."""
    target = _normalize_title(name)
    if target is None or ":" in target or "@" in target:  # not a possible user name
        return escape(name)
    return Wikitext(f"[[{namespace}:{target}|{escape(name)}]]")


def user_links(names: Iterable[str]) -> Wikitext:
    """Several user links, separated by commas."""
    return Wikitext(", ".join(user_link(name) for name in names))


def page_link(title: str, line: int | None = None, *, text: str | None = None) -> Wikitext:
    """`[[:Page|Page]]` (the colon keeps categories and files as plain links), then the line."""
    target = _normalize_title(title)
    label = escape(title if text is None else text)
    link = label if target is None else f"[[:{target}|{label}]]"
    return Wikitext(link if line is None else f"{link}, l.{NBSP}{line}")


def template_name(name: str) -> Wikitext:
    """`{{Contribution}}` shown literally, in code font, on one line."""
    if not name:
        return Wikitext("—")
    return Wikitext(f'<code style="white-space:nowrap">{escape("{{" + name + "}}")}</code>')


def french_number(value: Decimal, places: int = 2) -> str:
    """`-1234.5` -> `−1 234,50` (`ledger.french.format_number`)."""
    return french.format_number(value, places)


def money(value: Decimal) -> Wikitext:
    """`1 234,50 €`."""
    return Wikitext(french.format_money(value))


def hours(value: Decimal) -> Wikitext:
    """`12,50 h`."""
    return Wikitext(french.format_hours(value))


def count(value: int) -> Wikitext:
    """An integer count: `1 234`."""
    return Wikitext(french.format_count(value))


def percent(value: Decimal | int) -> Wikitext:
    """`45 %`: callers pass whole percents (see `share_percent`)."""
    return Wikitext(french.format_percent(value))


def share_percent(part: Decimal, whole: Decimal) -> int | None:
    """`part` as a whole percent of `whole`, rounded down (never "100 %" before it is used up)."""
    if whole <= 0:
        return None
    return int((part * 100 / whole).to_integral_value(rounding=ROUND_DOWN))


def date(value: datetime.date) -> Wikitext:
    """`12/03/2026`."""
    return Wikitext(french.format_date(value))


def long_date(value: datetime.date) -> Wikitext:
    """`1er mars 2026`, `12 mars 2026`."""
    return Wikitext(french.format_long_date(value))


def timestamp(value: datetime.datetime) -> Wikitext:
    """`12/03/2026 à 14:05`, with the time zone's name when the time is aware."""
    zone = value.tzname() if value.tzinfo is not None else None
    return Wikitext(f"{french.format_time(value)}{f' {escape(zone)}' if zone else ''}")


# The generation time is the only part of a page that changes on every render: it sits in
# this span so that comparisons can leave it out (`render.pages.without_timestamp`).
STAMP = re.compile(r'<span class="wikiledger-horodatage">[^<]*</span>')


def stamp(generated_at: datetime.datetime) -> Wikitext:
    """`Mis à jour par wikiledger le 12/03/2026 à 14:05.` in a span that `STAMP` finds."""
    text = f"Mis à jour par wikiledger le {timestamp(generated_at)}."
    return Wikitext(f'<span class="wikiledger-horodatage">{text}</span>')


def month(value: str) -> Wikitext:
    """`2026-03` -> `mars 2026` (anything else is shown escaped as it is)."""
    year, _, number = value.partition("-")
    if year.isdigit() and 1 <= int(year) <= 9999 and number.isdigit() and 1 <= int(number) <= 12:
        return Wikitext(french.format_month(datetime.date(int(year), int(number), 1)))
    return escape(value)


def sort_value(value: Decimal | int | datetime.date | str) -> Wikitext:
    """The `data-sort-value` attribute that makes sortable tables sort French numbers right."""
    if isinstance(value, datetime.date):
        key = value.isoformat()
    elif isinstance(value, Decimal):
        key = f"{value:.2f}"
    elif isinstance(value, int):
        key = str(value)
    else:
        key = "".join(ch for ch in value if ch.isalnum() or ch in "-.")
    return Wikitext(f'data-sort-value="{key}"')


def plural(number: int, singular: str, plural_form: str) -> Wikitext:
    """French agreement, where 0 and 1 take the singular: `plural(2, "erreur", "erreurs")`."""
    return Wikitext(f"{count(number)} {escape(singular if number <= 1 else plural_form)}")


# Table cells: `attributes | text`, numbers right-aligned with a sort key; a negative amount
# (a circle over its envelope) is shown in red, as on an accounting statement.
NEGATIVE_STYLE = "color:#b32424; font-weight:bold"


def _number_cell(text: Wikitext, key: Decimal | int, style: str = "") -> Wikitext:
    extra = f"; {style}" if style else ""
    return Wikitext(f'style="text-align:right{extra}" {sort_value(key)} | {text}')


def money_cell(value: Decimal) -> Wikitext:
    return _number_cell(money(value), value, NEGATIVE_STYLE if value < 0 else "")


def flagged_money_cell(value: Decimal) -> Wikitext:
    """An amount to check: ⚠ before it (digits stay aligned with the column), on amber."""
    return _number_cell(Wikitext(f"⚠{NBSP}{money(value)}"), value, "background:#fef6e7")


def hours_cell(value: Decimal) -> Wikitext:
    return _number_cell(hours(value), value)


def count_cell(value: int) -> Wikitext:
    return _number_cell(count(value), value)


def percent_cell(value: int | None) -> Wikitext:
    """A whole percent, or a dash (sorted first) when there is nothing to compare with."""
    return _number_cell(Wikitext("—"), -1) if value is None else _number_cell(percent(value), value)


def date_cell(value: datetime.date) -> Wikitext:
    return Wikitext(f"{sort_value(value)} | {date(value)}")


def month_cell(value: str) -> Wikitext:
    return Wikitext(f"{sort_value(value)} | {month(value)}")


def trail(verdict: Verdict | None, timezone: str) -> Wikitext:
    """`déclarée par Alice Martin le 12/03/2026 · validée par … le 20/03 · versée le 02/04
    par …`, each step linked to its diff; empty when the history is not known."""
    if verdict is None:
        return Wikitext("")
    steps = trail_steps(verdict, ZoneInfo(timezone))
    if not steps:
        return Wikitext("")
    year = steps[0].day.year
    links = [
        f"[[Special:Diff/{step.rev_id}|{escape(step.text(year - 1 if i == 0 else year))}]]"
        for i, step in enumerate(steps)
    ]
    return Wikitext(" · ".join(links))


def who(revision: RevisionRef | None) -> Wikitext:
    """`Claire Petit le 02/04/2026` for a statement, or an empty text."""
    if revision is None:
        return Wikitext("")
    name = revision.user or "un auteur masqué"
    return Wikitext(f"{escape(name)} le {date(revision.timestamp.date())}")
