"""What the summary pages show of a circle's year closing: the options side by side, what is due.

Builds the rows that `wiki_templates/reports/settlements.j2` and `closing.j2` lay out; every
cell is `Wikitext` made here from numbers and escaped names, so the templates add no markup of
a member's making. The decision (`décision=`, usually a link to the minutes) is shown as a link
when it is a single internal link, else as escaped text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from ledger import french
from ledger.record import SettlementRule, Source
from ledger.report import CircleTotals, ClosingState, DueLine
from render import wikitext
from render.wikitext import Wikitext

_ZERO = Decimal("0.00")
_LINK = re.compile(r"\s*\[\[\s*:?([^\[\]|]+?)\s*(?:\|([^\[\]]*))?\]\]\s*")
HEADERS = {rule: french.rule_heading(rule) for rule in SettlementRule}  # pages and ODS


@dataclass(frozen=True, slots=True)
class OptionColumn:
    header: Wikitext
    total: Decimal
    chosen: bool  # the rule a recorded decision chose


@dataclass(frozen=True, slots=True)
class OptionRow:
    name: str
    unpaid: Decimal
    cells: tuple[Wikitext, ...]  # one per column, the difference to prorata shown


@dataclass(frozen=True, slots=True)
class Options:
    columns: tuple[OptionColumn, ...]
    rows: tuple[OptionRow, ...]
    unpaid: Decimal
    available: Decimal
    rate: Decimal
    floor: Decimal | None


@dataclass(frozen=True, slots=True)
class ClosingView:
    circle: CircleTotals
    closing: ClosingState
    rule: str  # as written on the wiki (`plafond horaire`)
    decision: Wikitext
    source: Source
    due: tuple[DueLine, ...]
    amount: Decimal
    paid: Decimal
    remaining: Decimal


def _difference(part: Decimal, prorata: Decimal) -> Wikitext:
    difference = part - prorata
    if difference == 0:
        return Wikitext(' <small style="color:#54595d">(=)</small>')
    sign = "+" if difference > 0 else "−"
    colour = "#0b6b53" if difference > 0 else "#b32424"
    text = f"{sign}{wikitext.money(abs(difference))}"
    return Wikitext(f' <small style="color:{colour}">({text})</small>')


def _cell(part: Decimal, prorata: Decimal | None, chosen: bool) -> Wikitext:
    shown = wikitext.money(part)
    if prorata is not None:
        shown = Wikitext(shown + _difference(part, prorata))
    style = "text-align:right; white-space:nowrap" + ("; background:#f0e8fb" if chosen else "")
    return Wikitext(f'style="{style}" {wikitext.sort_value(part)} | {shown}')


def options_view(circle: CircleTotals) -> Options | None:
    """The options table of a circle over its envelope; None when it has nothing to share."""
    options = [s for s in circle.settlements if s.parts]
    if not circle.over_envelope or not options:
        return None
    chosen = circle.closing.rule if circle.closing is not None else None
    unpaid = {s.name: s.requested for s in circle.split}
    prorata = {
        p.name: p.proposed for s in options if s.rule is SettlementRule.PRORATA for p in s.parts
    }
    names = [p.name for p in options[0].parts]
    columns = []
    floor = None
    for option in options:
        header = HEADERS[option.rule]
        if option.rule is SettlementRule.FLOOR and option.floor is not None:
            floor = option.floor
            header = f"{header} ({wikitext.money(option.floor)})"
        if option.rule is chosen:
            header = f"{header} — règle choisie"
        total = sum((p.proposed for p in option.parts), _ZERO)
        columns.append(
            OptionColumn(Wikitext(wikitext.escape(header)), total, option.rule is chosen)
        )
    rows = []
    for index, name in enumerate(names):
        cells = tuple(
            _cell(
                option.parts[index].proposed,
                None if option.rule is SettlementRule.PRORATA else prorata.get(name),
                option.rule is chosen,
            )
            for option in options
        )
        rows.append(OptionRow(name, unpaid.get(name, _ZERO), cells))
    return Options(
        columns=tuple(columns),
        rows=tuple(rows),
        unpaid=sum((row.unpaid for row in rows), _ZERO),
        available=max(circle.envelope - circle.paid, _ZERO),
        rate=circle.hourly_rate,
        floor=floor,
    )


def decision_text(decision: str) -> Wikitext:
    """`[[Compte rendu|CR]]` as a link; anything else as escaped text."""
    link = _LINK.fullmatch(decision)
    if link and wikitext.is_title(link.group(1)):
        return wikitext.page_link(link.group(1), text=(link.group(2) or link.group(1)).strip())
    return wikitext.escape(" ".join(decision.split()))


def closing_view(circle: CircleTotals) -> ClosingView | None:
    closing = circle.closing
    if closing is None:
        return None
    return ClosingView(
        circle=circle,
        closing=closing,
        rule=closing.rule.label,
        decision=decision_text(closing.decision),
        source=closing.source,
        due=closing.due,
        amount=sum((d.amount for d in closing.due), _ZERO),
        paid=sum((d.paid for d in closing.due), _ZERO),
        remaining=sum((d.remaining for d in closing.due), _ZERO),
    )
