"""The feedback data of `{{Contribution}}` and `{{Soutien cobudget}}` cards: what the ledger
made of each call, filed under the key the card computes (parsers.card) on shard pages.

Each card reads one entry: `{{:SHARD|{{PAGEID}}¦C¦contributeur¦cercle¦date¦heures¦montant¦statut}}`
where SHARD is `pages.card_data` with `{n}` = page id modulo `CARD_SHARDS`. Sharding keeps each
page small (20,000 declarations make some 80 KB per shard, far under MediaWiki's 2 MB) and a
saved shard re-renders only the pages filed in it. The value is a short French line, styled:
"comptée : 450,00 € · validée", or "non comptée : " and the problem with what to fix.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from ledger import french
from ledger.record import Problem, Severity, Source
from ledger.report import CountedContribution, CountedPledge
from parsers.card import CardCall, card_key
from render import wikitext
from render.compute import Computation
from render.config import PageTitles
from render.wikitext import Wikitext, escape

CARD_SHARDS = 32  # the templates compute `{{PAGEID}} mod` this (installed as @@CARD_SHARDS@@)

_STYLE = {
    "ok": "color:#0b6b53",
    "warning": "color:#ac6600",
    "error": "color:#b32424",
}
_MARK = {"ok": "✓", "warning": "⚠", "error": "✗"}


@dataclass(frozen=True, slots=True)
class Feedback:
    """What one card shows: `state` is ok, warning or error."""

    state: str
    text: str

    def wikitext(self) -> Wikitext:
        return Wikitext(
            f'<span class="wikiledger-suivi wikiledger-suivi-{self.state}" '
            f'style="{_STYLE[self.state]}">{_MARK[self.state]} {escape(self.text)}</span>'
        )


def shard_of(page_id: int) -> int:
    return page_id % CARD_SHARDS


def _messages(problems: list[Problem]) -> str:
    return " ; ".join(p.message for p in problems)


def contribution_feedback(c: CountedContribution) -> Feedback:
    """What the card of a counted declaration says before its problems."""
    if c.status == "refusée":  # counted as refused: not a mistake to fix, but no money
        return Feedback("warning", f"refusée : {wikitext.money(c.amount)} non comptés")
    if c.status == "bénévole":
        return Feedback("ok", f"comptée : {wikitext.hours(c.hours)} bénévoles")
    return Feedback("ok", f"comptée : {wikitext.money(c.amount)} · {c.status}")


def pledge_feedback(p: CountedPledge) -> Feedback:
    """What the card of a judged pledge says before its problems."""
    label = french.pledge_state_label(p.state)  # the Bilan's and the exports' word
    if p.state == "counted":
        return Feedback("ok", f"{label} : {wikitext.money(p.amount)}")
    return Feedback("error", label)


def _feedbacks(computation: Computation) -> Iterator[tuple[Source, str, Feedback]]:
    """(source of the call, kind, feedback) for every counted or judged call."""
    for report in computation.contributions.values():
        for c in report.contributions:
            yield c.source, "contribution", contribution_feedback(c)
    for campaign in computation.campaigns.values():
        for p in campaign.pledges:
            yield p.source, "pledge", pledge_feedback(p)


def _with_problems(feedback: Feedback | None, problems: list[Problem], kind: str) -> Feedback:
    errors = [p for p in problems if p.severity == Severity.ERROR]
    warnings = [p for p in problems if p.severity != Severity.ERROR]
    if feedback is None or (errors and feedback.state == "ok"):
        not_counted = "non comptée" if kind == "contribution" else "non compté"
        feedback = Feedback("error", not_counted)
    text = feedback.text
    if feedback.state == "error" and errors:
        text += " : " + _messages(errors)
    if warnings:
        text += " — " + _messages(warnings)
    state = "warning" if warnings and feedback.state == "ok" else feedback.state
    if feedback.state == "error" and not errors and not warnings:
        text += " : voir la page des anomalies"
    return Feedback(state, text)


def card_entries(computation: Computation) -> dict[int, dict[str, Feedback]]:
    """{shard: {card key: feedback}} for every call whose card shows feedback.

    Problems are matched to a call by page and line (a parse problem may point at one of its
    parameters' lines). Calls with the same key on a page (the same values written twice)
    share one entry, their texts joined when they differ.
    """
    judged: dict[tuple[str, int], Feedback] = {}
    for source, _kind, feedback in _feedbacks(computation):
        judged[(source.page, source.line)] = feedback
    problems: dict[tuple[str, int], list[Problem]] = defaultdict(list)
    for problem in computation.problems:
        problems[(problem.source.page, problem.source.line)].append(problem)
    shards: dict[int, dict[str, Feedback]] = defaultdict(dict)
    for title, (page_id, calls) in computation.cards.items():
        if calls:
            page_entries(title, page_id, calls, judged, problems, shards[shard_of(page_id)])
    return shards


def page_entries(
    title: str,
    page_id: int,
    calls: Iterable[CardCall],
    judged: Mapping[tuple[str, int], Feedback],
    problems: Mapping[tuple[str, int], list[Problem]],
    entries: dict[str, Feedback],
) -> dict[str, Feedback]:
    """Add the entries of one page's calls to `entries` (keys hold the page id: no other
    page's calls share them) and return it."""
    for call in calls:
        found = _call_feedback(title, call, judged, problems)
        key = card_key(page_id, call.key)
        earlier = entries.get(key)
        if earlier is not None and earlier != found:
            state = "ok" if earlier.state == found.state == "ok" else "error"
            found = Feedback(state, f"{earlier.text} / {found.text}")
        entries[key] = found
    return entries


def _call_feedback(
    title: str,
    call: CardCall,
    judged: Mapping[tuple[str, int], Feedback],
    problems: Mapping[tuple[str, int], list[Problem]],
) -> Feedback:
    own = [p for line in call.lines for p in problems.get((title, line), ())]
    return _with_problems(judged.get((title, call.line)), own, call.kind)


def card_pages(
    computation: Computation, pages: PageTitles
) -> list[tuple[str, tuple[tuple[str, Feedback], ...]]]:
    """(shard title, sorted entries) of every shard, empty ones too.

    Every shard exists from the first sync on, so that a card always transcludes its shard
    and MediaWiki re-renders it when the shard changes: a card saved while its shard was
    missing only links to it (`#ifexist`), and was seen to keep "en attente" after the shard
    was created.
    """
    if computation.card_shards is not None:  # kept up to date by render.incremental
        held = computation.card_shards
        return [(pages.card_data_for(shard), held[shard]) for shard in range(CARD_SHARDS)]
    shards = card_entries(computation)
    return [
        (pages.card_data_for(shard), tuple(sorted(shards.get(shard, {}).items())))
        for shard in range(CARD_SHARDS)
    ]


_DIGESTS: dict[int, tuple[tuple[tuple[str, Feedback], ...], str]] = {}  # by id(entries)


def card_digest(entries: tuple[tuple[str, Feedback], ...]) -> str:
    """A French summary for the edit: how many cards, how many with a problem.

    Kept for the last shards' entries: a live sync plans every shard, and changes one."""
    held = _DIGESTS.get(id(entries))
    if held is not None and held[0] is entries:
        return held[1]
    if len(_DIGESTS) >= 4 * CARD_SHARDS:
        _DIGESTS.clear()
    digest = _digest(entries)
    _DIGESTS[id(entries)] = (entries, digest)
    return digest


def _digest(entries: tuple[tuple[str, Feedback], ...]) -> str:
    problems = sum(1 for _, f in entries if f.state != "ok")
    cards = "fiche" if len(entries) <= 1 else "fiches"
    return f"suivi de {len(entries)} {cards} dont {problems} à corriger"


def render_card_data(entries: tuple[tuple[str, Feedback], ...]) -> str:
    """The generated part of one shard: a `{{#switch:}}` as the other data pages (data.j2),
    written here directly: it is the largest data page, made on every sync."""
    lines = ["<onlyinclude>{{#switch:{{{1|}}}", ""]
    lines.extend(f"| {wikitext.switch_key(key)} = {found.wikitext()}" for key, found in entries)
    lines.extend(["| #default = {{{2|}}}", "}}</onlyinclude>"])  # 2: the card's "pending" text
    return "\n".join(lines) + "\n"
