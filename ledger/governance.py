"""Who may set which status of a declaration, judged from its history (DESIGN §4, issue 12).

`déclarée` and `bénévole` may be set by anyone; `validée` and `refusée` by the circle's
référent·es as its `{{Cercle}}` named them at the time of the change, or by configured
validators; `versée` by configured treasurers or members of the treasurer group; nobody
validates or pays their own declaration. IP editors, hidden authors and the bot are entitled
to nothing more than anyone. A validation (or payment) vouches for the amount, hours,
contributor and circle of the moment: a later change by someone not entitled undoes it until
those values come back (an undone edit) or someone entitled saves the declaration again.

In `warn` mode a declaration counts as written and every finding is a warning; in `enforce`
mode it counts with the last status set by someone entitled (`déclarée` when nobody was) and
every finding is an error.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from types import MappingProxyType

from ledger.french import format_date, format_day_in_year
from ledger.history import (
    MATERIAL_FIELDS,
    HistoryEvent,
    RevisionRef,
    Trail,
    Version,
    contribution_events,
    field_text,
    field_value,
    material,
)
from ledger.matching import CONTRIBUTION
from ledger.record import Contribution, ContributionStatus, Problem, Records, Severity, Source
from ledger.trail import History

S = ContributionStatus
_VOUCHED = frozenset({S.VALIDATED, S.PAID})
TEMPLATE = "Contribution"
Referents = Callable[[str, int], tuple[str, ...]]  # (circle, rev id) -> référent·es then


class Mode(StrEnum):
    WARN = "warn"
    ENFORCE = "enforce"


@dataclass(frozen=True, slots=True)
class GovernanceSettings:
    """`[governance]` of `wikiledger.toml`."""

    mode: Mode = Mode.WARN
    validators: tuple[str, ...] = ()  # may validate in every circle, besides its référent·es
    treasurers: tuple[str, ...] = ()  # may mark declarations paid
    treasurer_group: str = ""  # a wiki user group whose members may too
    bots: tuple[str, ...] = ()  # the bot's account: filled in by the service


@dataclass(frozen=True, slots=True)
class Governance:
    """The `[governance]` settings, with the treasurer group's members read from the wiki."""

    mode: Mode = Mode.WARN
    validators: frozenset[str] = frozenset()
    treasurers: frozenset[str] = frozenset()
    group_members: frozenset[str] = frozenset()  # members of `treasurer_group` on the wiki
    bots: frozenset[str] = frozenset()  # the bot's own account(s)
    renamed: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    timezone: datetime.tzinfo = datetime.UTC

    def person(self, name: str) -> str:
        """A user name as the wiki knows the user now (after renames, `_` as space)."""
        name = " ".join(name.replace("_", " ").split())
        name = name[:1].upper() + name[1:]
        seen: set[str] = set()
        while name in self.renamed and name not in seen:
            seen.add(name)
            name = self.renamed[name]
        return name

    def day(self, revision: RevisionRef) -> str:
        return format_date(revision.timestamp.astimezone(self.timezone))


@dataclass(frozen=True, slots=True)
class Verdict:
    """A declaration judged: its status as written and as counted, who did what, its history."""

    written_status: ContributionStatus
    status: ContributionStatus  # as counted
    declared_by: RevisionRef | None
    validated_by: RevisionRef | None
    paid_by: RevisionRef | None
    history: tuple[HistoryEvent, ...]
    problems: tuple[Problem, ...] = ()
    # the revision where someone entitled set the status counted `versée` (in either mode)
    entitled_paid: RevisionRef | None = None


@dataclass(slots=True)
class _Chain:
    """A status and the revisions that validated and paid it, as statuses follow each other."""

    status: ContributionStatus = S.DECLARED
    validated: RevisionRef | None = None
    paid: RevisionRef | None = None
    vouched: tuple[object, ...] | None = None  # material values a validation vouched for
    vouched_at: int = -1  # index of the version that vouched

    def set(self, status: ContributionStatus, revision: RevisionRef) -> None:
        self.status = status
        if status is S.PAID:
            self.paid = revision
        elif status is S.VALIDATED:
            self.validated, self.paid = revision, None
        else:
            self.validated = self.paid = None


def refusal(
    rules: Governance,
    status: ContributionStatus,
    revision: RevisionRef,
    record: Contribution,
    referents: Referents,
) -> str | None:
    """Why the author of `revision` may not set `status` on `record` (French), or None."""
    if status in (S.DECLARED, S.VOLUNTARY):
        return None
    user = rules.person(revision.user) if revision.user else ""
    wrote = f"statut « {field_text(record, 'statut')} » écrit le {rules.day(revision)}"
    if revision.user_hidden or not user:
        return f"{wrote} par un auteur masqué : une personne habilitée doit le confirmer"
    if revision.anonymous:
        return f"{wrote} sans compte (adresse {user}) : une personne habilitée doit le confirmer"
    if user in {rules.person(bot) for bot in rules.bots}:
        return f"{wrote} par le robot {user} : seule une personne habilitée peut le faire"
    own = user == rules.person(record.contributor)
    if status is S.PAID:
        treasurers = {rules.person(n) for n in rules.treasurers | rules.group_members}
        if user not in treasurers:
            listed = ", ".join(sorted(treasurers)) or "aucun·e n'est configuré·e"
            return (
                f"{wrote} par {user}, qui n'est pas trésorier·e ({listed}) : "
                "seule la trésorerie peut marquer une déclaration versée"
            )
        if own:
            return f"{wrote} par {user} sur sa propre déclaration : on ne se verse pas à soi-même"
        return None
    names = {rules.person(n) for n in referents(record.circle, revision.rev_id)}
    if user not in names | {rules.person(n) for n in rules.validators}:
        listed = ", ".join(sorted(names)) or "aucun·e"
        verb = "valider" if status is S.VALIDATED else "refuser"
        return (
            f"{wrote} par {user}, qui n'est pas référent·e du cercle « {record.circle} » "
            f"(référent·es alors : {listed}) ni validateur·rice : seul·es elles et eux "
            f"peuvent {verb} une déclaration"
        )
    if own and status is S.VALIDATED:
        return (
            f"{wrote} par {user} sur sa propre déclaration : une autre personne référente "
            "du cercle doit la valider"
        )
    return None


def judge(trail: Trail, rules: Governance, referents: Referents) -> Verdict:
    """The verdict on one declaration's trail (see the module's docstring)."""
    versions = [v for v in trail.written_versions() if isinstance(v.record, Contribution)]
    current = trail.record
    assert isinstance(current, Contribution) and versions
    written, entitled = _Chain(), _Chain()
    last_refusal: str | None = None
    for index, version in enumerate(versions):
        record = version.record
        assert isinstance(record, Contribution)
        before = versions[index - 1].record if index else None
        status_changed = not isinstance(before, Contribution) or before.status != record.status
        material_changed = isinstance(before, Contribution) and material(before) != material(record)
        if status_changed:
            written.set(record.status, version.revision)
        if not (status_changed or material_changed):
            continue
        why = refusal(rules, record.status, version.revision, record, referents)
        if why is None:
            entitled.set(record.status, version.revision)
            entitled.vouched, entitled.vouched_at = material(record), index
            last_refusal = None
        elif status_changed:
            last_refusal = why
    creator = versions[0].revision
    bot = bool(creator.user) and rules.person(creator.user) in {rules.person(b) for b in rules.bots}
    events = tuple(contribution_events(trail.versions))
    problem: str | None = None
    counted = entitled.status
    if counted in _VOUCHED and material(current) != entitled.vouched:
        problem = _undone(rules, versions, entitled)
        counted = S.DECLARED
        entitled.validated = entitled.paid = None
    elif counted != current.status:
        problem = last_refusal or (
            f"statut « {field_text(current, 'statut')} » jamais confirmé par une personne habilitée"
        )
    enforce = rules.mode is Mode.ENFORCE
    # Who validated and paid: those entitled, unless warn mode counts what someone else wrote.
    chain = entitled if enforce or problem is None else written
    problems: tuple[Problem, ...] = ()
    if problem is not None:
        consequence = (
            f" ; elle compte comme « {counted} »"
            if enforce
            else f" ; elle est comptée comme « {current.status} » (mode avertissement)"
        )
        severity = Severity.ERROR if enforce else Severity.WARNING
        problems = (Problem(current.source, TEMPLATE, severity, problem + consequence),)
    return Verdict(
        written_status=current.status,
        status=counted if enforce else current.status,
        declared_by=None if bot else creator,
        validated_by=chain.validated,
        paid_by=chain.paid,
        history=events,
        problems=problems,
        entitled_paid=entitled.paid,
    )


def _undone(rules: Governance, versions: list[Version], entitled: _Chain) -> str:
    """The message for a declaration whose vouched values changed after its validation."""
    vouched = versions[entitled.vouched_at]
    before = vouched.record
    after = versions[-1].record
    assert isinstance(before, Contribution) and isinstance(after, Contribution)
    changed = [n for n in MATERIAL_FIELDS if field_value(after, n) != field_value(before, n)]
    culprit = versions[-1]  # the last edit that changed one of those values
    for index in range(len(versions) - 1, entitled.vouched_at, -1):
        newer, older = versions[index].record, versions[index - 1].record
        assert isinstance(newer, Contribution) and isinstance(older, Contribution)
        if any(field_value(newer, n) != field_value(older, n) for n in changed):
            culprit = versions[index]
            break
    name = changed[0]
    user = culprit.revision.user
    who = rules.person(user) if user else "un auteur masqué"
    by = rules.person(vouched.revision.user)
    what = "validation" if entitled.status is S.VALIDATED else "mise en versement"
    return (
        f"{name} passé de « {field_text(before, name)} » à « {field_text(after, name)} » "
        f"par {who} le {rules.day(culprit.revision)}, après la {what} par {by} le "
        f"{rules.day(vouched.revision)} : une personne habilitée doit la valider à nouveau "
        "(repassez-la à déclarée, puis faites-la valider)"
    )


@dataclass(slots=True)
class Governed:
    """Records with each declaration's counted status, and the verdicts behind them."""

    records: Records
    verdicts: list[Verdict | None]  # one per declaration of `records`; None: no history of it
    problems: list[Problem]


def govern(
    records: Records,
    history: History,
    rules: Governance,
    trails: Mapping[Source, list[Trail]] | None = None,
) -> Governed:
    """Judge every declaration of `records` (the pages now) from its trail in `history`.

    In enforce mode the declarations get their counted status; in warn mode they are as
    written. A declaration the history does not know (not folded yet) is left as it is.
    A verdict is worked out again only when its trail, its line or the référent·es changed
    (or other rules are given): a live edit judges the declarations of one page. `trails`:
    the declarations' trails by source, when the caller has them (those of one page), else
    every trail of the history.
    """
    if trails is None:
        trails = history.by_source("contribution")
    if history.cache_owner is not rules:
        history.cache.clear()
        history.cache_owner = rules
    seen: dict[Source, int] = {}
    counted: list[Contribution] = []
    verdicts: list[Verdict | None] = []
    problems: list[Problem] = []
    for declaration in records.contributions:
        occurrence = seen.get(declaration.source, 0)
        seen[declaration.source] = occurrence + 1
        candidates = trails.get(declaration.source, ())
        trail = candidates[occurrence] if occurrence < len(candidates) else None
        verdict = None
        if trail is not None:
            verdict, declaration = _judged(trail, declaration, rules, history)
        if verdict is not None:
            problems.extend(verdict.problems)
        counted.append(declaration)
        verdicts.append(verdict)
    governed = replace(records, contributions=counted)
    return Governed(governed, verdicts, problems)


def _judged(
    trail: Trail, declaration: Contribution, rules: Governance, history: History
) -> tuple[Verdict | None, Contribution]:
    """The verdict on a declaration and the declaration as counted; from the cache while
    the trail, its line, the référent·es and the declaration itself are unchanged."""
    record = trail.record
    assert isinstance(record, Contribution)
    last = trail.versions[-1].revision.rev_id
    key = (len(trail.versions), last, record.source, history.referents_serial)
    cached = history.cache.get(trail.number)
    if cached is not None and cached[0] == key and cached[1] is declaration:
        verdict, governed = cached[2], cached[3]
        assert isinstance(verdict, Verdict) and isinstance(governed, Contribution)
        return verdict, governed
    if CONTRIBUTION.values(record) != CONTRIBUTION.values(declaration):
        return None, declaration  # the history is behind the pages: nothing to say yet
    verdict = judge(trail, rules, history.referents_at)
    governed = replace(declaration, status=verdict.status, verdict=verdict)
    history.cache[trail.number] = (key, declaration, verdict, governed)
    return verdict, governed


@dataclass(frozen=True, slots=True)
class Step:
    """One step of a declaration's trail as the registre shows it, linked to its diff."""

    action: str  # "déclarée", "validée" or "versée"
    user: str  # "" when the author is hidden
    day: datetime.date  # in the configured timezone
    rev_id: int

    def text(self, year: int) -> str:
        """`déclarée par Alice Martin le 12/03/2026`, `validée par Bruno Lefèvre le 20/03`,
        `versée le 02/04 par Claire Petit`: the year only when it is not `year`."""
        day = format_day_in_year(self.day, year)
        who = self.user or "un auteur masqué"
        if self.action == "versée":
            return f"versée le {day} par {who}"
        return f"{self.action} par {who} le {day}"


def trail_steps(verdict: Verdict, timezone: datetime.tzinfo) -> list[Step]:
    """Who declared, validated and paid, in that order (the steps that happened)."""
    steps = []
    for action, revision in (
        ("déclarée", verdict.declared_by),
        ("validée", verdict.validated_by),
        ("versée", verdict.paid_by),
    ):
        if revision is not None:
            day = revision.timestamp.astimezone(timezone).date()
            steps.append(Step(action, revision.user, day, revision.rev_id))
    return steps


def trail_text(steps: list[Step]) -> str:
    """The steps on one line, the year written once: `déclarée par … le 12/03/2026 · …`."""
    if not steps:
        return ""
    year = steps[0].day.year
    first = steps[0].text(year - 1)  # the first step always shows its year
    return " · ".join([first, *(step.text(year) for step in steps[1:])])
