"""One page's wikitext -> records and problems, for the templates of DESIGN §3.

Every call of one of our templates becomes a record, or at least one `error` problem saying
what to fix: a call with an unreadable value is not counted rather than counted wrong.
Unknown, repeated (the last value wins, as on the wiki) or unnamed parameters are warnings.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, fields
from types import MappingProxyType

from ledger.name import DEFAULT_USER_NAMESPACES
from ledger.record import Problem, Records, Severity, Source
from parsers.build import BUILDERS, add_record
from parsers.card import CardCall, card_call
from parsers.reader import CallReader
from parsers.template import MAX_DEPTH, find_calls, normalize_template_name


@dataclass(frozen=True)
class TemplateNames:
    """Names of our templates on the wiki (configurable; these are Optéos' names)."""

    circle: str = "Cercle"
    envelope: str = "Enveloppe cercle"
    contribution: str = "Contribution"
    campaign: str = "Cobudget"
    project: str = "Projet cobudget"
    pledge: str = "Soutien cobudget"
    statement: str = "Relevé"
    closing: str = "Clôture cercle"

    def by_kind(self) -> dict[str, str]:
        return {field.name: str(getattr(self, field.name)) for field in fields(self)}


def wanted_names(names: TemplateNames, aliases: Mapping[str, str]) -> dict[str, str]:
    """{normalised template name: kind}, ours first, then other names that redirect to ours."""
    wanted = {normalize_template_name(name): kind for kind, name in names.by_kind().items()}
    for alias, target in aliases.items():
        kind = wanted.get(normalize_template_name(target))
        if kind is not None:
            wanted.setdefault(normalize_template_name(alias), kind)
    return wanted


TRANSCLUDED = "transcluded"  # the kind of a call of another template that holds declarations


def parse_page(
    title: str,
    text: str,
    names: TemplateNames = TemplateNames(),
    aliases: Mapping[str, str] = MappingProxyType({}),
    bearers: Collection[str] = (),
    user_namespaces: Collection[str] = DEFAULT_USER_NAMESPACES,
) -> tuple[Records, list[Problem]]:
    """Records and problems of one page; `aliases`: {other template name: one of our names};
    `bearers`: other templates whose text calls ours (the wiki lists them as transcluding
    ours). What such a template shows on the page is not counted here: each of its calls is
    reported at its line, so that nothing is silently dropped. `user_namespaces`: the wiki's
    (configured) user namespaces, where `{{Relevé}}` may stand."""
    records, problems, _cards = parse_page_cards(
        title, text, names, aliases, bearers, user_namespaces
    )
    return records, problems


def parse_page_cards(
    title: str,
    text: str,
    names: TemplateNames = TemplateNames(),
    aliases: Mapping[str, str] = MappingProxyType({}),
    bearers: Collection[str] = (),
    user_namespaces: Collection[str] = DEFAULT_USER_NAMESPACES,
) -> tuple[Records, list[Problem], tuple[CardCall, ...]]:
    """`parse_page`, and the card key of each call whose card shows feedback (parsers.card)."""
    records, problems = Records(), []
    cards = []
    templates = names.by_kind()
    wanted = wanted_names(names, aliases)
    for bearer in bearers:
        wanted.setdefault(normalize_template_name(bearer), TRANSCLUDED)
    for call in find_calls(text, wanted):
        if call.kind == TRANSCLUDED:
            problems.append(
                Problem(
                    Source(title, call.line),
                    call.name,
                    Severity.WARNING,
                    f"le modèle « {call.name} » contient des déclarations : ce qu'il affiche"
                    " sur cette page n'est pas compté ; écrivez les déclarations sur la page"
                    " elle-même (ou sur une page qui n'est pas un modèle)",
                )
            )
            continue
        card = card_call(call)
        if card is not None:
            cards.append(card)
        reader = CallReader(title, call, templates[call.kind], user_namespaces)
        if call.too_deep:
            reader.error(
                call.line,
                f"modèle imbriqué dans plus de {MAX_DEPTH} autres modèles : il n'est pas lu ; "
                "sortez-le de ces modèles",
            )
        else:
            add_record(records, BUILDERS[call.kind](reader))
        problems.extend(reader.problems)
    return records, problems, tuple(cards)
