"""The key by which a `{{Contribution}}` or `{{Soutien cobudget}}` card finds its feedback.

A card cannot know its line on the page, so the bot files what the ledger made of each call
under a key the card computes from its own parameters: the page id (`{{PAGEID}}`, which a
move keeps), a kind letter and the values of the identifying parameters as written, joined by
`¦`. The template reads each parameter through its chain of spellings (see the README of
wiki_templates/mediawiki) and expands nothing more, so the value written is what it gets;
`#switch` decodes character references on both sides, hence `html.unescape` here.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from parsers.fields import FIELDS
from parsers.template import TemplateCall

SEPARATOR = "¦"
# The parameters of the key, in the order the card joins them (statut and montant included:
# a card whose values changed since the last sync has no feedback yet, rather than a stale one).
# A kind letter starts the key: the two templates never share an entry.
KIND_LETTER = {"contribution": "C", "pledge": "S"}
KEY_FIELDS: dict[str, tuple[str, ...]] = {
    "contribution": ("contributeur", "cercle", "date", "heures", "montant", "statut"),
    "pledge": ("campagne", "projet", "membre", "montant"),
}


@dataclass(frozen=True, slots=True)
class CardCall:
    """One call that shows feedback: its kind, the lines it covers, and its key without the
    page id (the page's id is added when the data is written)."""

    kind: str
    line: int  # of its "{{": records and the ledger's problems carry it
    lines: tuple[int, ...]  # every line of a parameter: parse problems may point at one
    key: str


def card_call(call: TemplateCall) -> CardCall | None:
    """The card key of a call, or None for the kinds whose cards show no feedback."""
    wanted = KEY_FIELDS.get(call.kind)
    if wanted is None:
        return None
    by_name = {field.name: field for field in FIELDS[call.kind]}
    values = [KIND_LETTER[call.kind]]
    for name in wanted:
        value = ""
        for key in by_name[name].param_keys():  # the first spelling given, as the card reads
            param = call.params.get(key)
            if param is not None:
                value = param.value
                break
        values.append(html.unescape(value).strip())
    lines = tuple(sorted({call.line, *(param.line for param in call.params.values())}))
    return CardCall(call.kind, call.line, lines, SEPARATOR.join(values))


def card_key(page_id: int, key: str) -> str:
    """The whole key a card computes: `{{PAGEID}}¦…`."""
    return f"{page_id}{SEPARATOR}{key}"
