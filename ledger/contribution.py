"""The contribution-rétribution ledger: circles, envelopes and declarations -> yearly totals.

Rules of DESIGN §4. Records are first cross-referenced once for all years (known circles,
one envelope per circle-year, each declaration's amount), each problem tagged with the year
it concerns; `compute_ledger` then totals every year from that one check, and
`compute_contributions` a single year.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from operator import attrgetter

from ledger.closing import Closure, declaration_times, index_closings, is_after
from ledger.french import REQUESTED, format_hours, format_money, format_rate, status_sums
from ledger.name import NameHints, name_key
from ledger.record import (
    CENT,
    ZERO,
    Circle,
    Closing,
    Contribution,
    ContributionStatus,
    Envelope,
    Problem,
    Records,
    Severity,
    Source,
    round_hours,
    round_money,
    sort_problems,
)
from ledger.report import (
    CircleTotals,
    ContributionReport,
    ContributorTotals,
    CountedContribution,
    MonthTotals,
    SplitShare,
)
from ledger.split import name_order, propose_split

DEFAULT_RATE = Decimal("30.00")
TEMPLATE_CIRCLE = "Cercle"
TEMPLATE_ENVELOPE = "Enveloppe cercle"
TEMPLATE_CONTRIBUTION = "Contribution"


def _circle_key(name: str) -> str:
    """Circle names match exactly after collapsing spaces, or case-insensitively; accents count."""
    return name_key(name)


@dataclass(slots=True)
class _Sums:
    """Running totals over counted declarations, by the status rules of DESIGN §4."""

    hours: Decimal = ZERO
    requested: Decimal = ZERO
    validated: Decimal = ZERO
    paid: Decimal = ZERO
    declarations: int = 0

    def add(self, counted: CountedContribution) -> None:
        self.declarations += 1
        sums = status_sums(counted.status, counted.hours, counted.amount)
        self.hours += sums.hours
        self.requested += sums.requested
        self.validated += sums.validated
        self.paid += sums.paid

    def merge(self, other: _Sums) -> None:
        """Add another group's totals: sums of cents are exact, so grouping changes nothing."""
        self.hours += other.hours
        self.requested += other.requested
        self.validated += other.validated
        self.paid += other.paid
        self.declarations += other.declarations


@dataclass(frozen=True, slots=True)
class _Checked:
    """All years cross-referenced: envelopes and declarations that count, tagged problems."""

    envelopes: dict[tuple[str, int], Envelope]  # by (canonical circle name, year)
    contributions: list[CountedContribution]  # circle is the canonical name
    problems: list[tuple[int | None, Problem]]  # year concerned; None for every year
    closings: dict[tuple[str, int], Closing]  # the decision in effect, by (circle name, year)
    late: dict[tuple[str, int], list[Source]]  # changed after the closing: not counted
    payments_after: frozenset[Source]  # set versée after their circle-year's closing


def _rate(envelope: Envelope | None, default_rate: Decimal) -> Decimal:
    """The circle-year's hourly ceiling: its envelope's `taux horaire`, else the default."""
    if envelope is not None and envelope.hourly_rate is not None:
        return envelope.hourly_rate
    return default_rate


def _index_circles(circles: list[Circle]) -> tuple[dict[str, Circle], list[Problem]]:
    known: dict[str, Circle] = {}
    problems: list[Problem] = []
    for circle in sorted(circles, key=lambda c: c.source):
        first = known.setdefault(_circle_key(circle.name), circle)
        if first is not circle:
            where = f"{first.source.page}:{first.source.line}"
            message = f"cercle « {circle.name} » déjà déclaré ({where}) : ce doublon est ignoré"
            problems.append(Problem(circle.source, TEMPLATE_CIRCLE, Severity.WARNING, message))
    return known, problems


def _index_envelopes(
    envelopes: list[Envelope],
    known: dict[str, Circle],
    hints: NameHints,
    problems: list[tuple[int | None, Problem]],
) -> dict[tuple[str, int], Envelope]:
    found: dict[tuple[str, int], Envelope] = {}
    for envelope in sorted(envelopes, key=lambda e: e.source):
        circle = known.get(_circle_key(envelope.circle))
        if circle is None:
            message = hints.unknown_message("cercle", envelope.circle)
            problem = Problem(envelope.source, TEMPLATE_ENVELOPE, Severity.ERROR, message)
            problems.append((envelope.year, problem))
            continue
        first = found.setdefault((circle.name, envelope.year), envelope)
        if first is not envelope:
            where = f"{first.source.page}:{first.source.line}"
            message = (
                f"enveloppe du cercle « {circle.name} » pour {envelope.year} déjà déclarée"
                f" ({where}) : celle-ci n'est pas comptée"
            )
            problem = Problem(envelope.source, TEMPLATE_ENVELOPE, Severity.ERROR, message)
            problems.append((envelope.year, problem))
    return found


def _circle_name(known: dict[str, Circle], spelling: str) -> str | None:
    circle = known.get(_circle_key(spelling))
    return None if circle is None else circle.name


def _late_problem(item: CountedContribution, closing: Closing, year: int) -> Problem:
    where = f"{closing.source.page}:{closing.source.line}"
    message = (
        f"déclaration écrite ou modifiée après la clôture {year} du cercle « {item.circle} »"
        f" ({where}) : elle n'est pas comptée ; l'année est close"
    )
    return Problem(item.source, TEMPLATE_CONTRIBUTION, Severity.WARNING, message)


def _after(
    closing: Closing,
    declaration: Contribution,
    changed_at: Mapping[Source, datetime.datetime] | None,
    paid_at: Mapping[Source, datetime.datetime] | None,
) -> tuple[bool, bool]:
    """(left out: created or changed after the closing, a payment after it: counted up to
    what is due). The times are the given ones, else those of the declaration's verdict."""
    paid = declaration.status is ContributionStatus.PAID
    if changed_at is None:
        changed, payment = declaration_times(declaration.verdict)
        return is_after(closing, changed), paid and is_after(closing, payment)
    after = is_after(closing, changed_at.get(declaration.source))
    if paid_at is None:  # who paid unknown: a payment after the closing is one
        return after and not paid, after and paid
    return after, not after and paid and is_after(closing, paid_at.get(declaration.source))


def _counted(
    declaration: Contribution,
    target: tuple[str, Decimal],
    closing: Closing | None,
    changed_at: Mapping[Source, datetime.datetime] | None = None,
    paid_at: Mapping[Source, datetime.datetime] | None = None,
) -> tuple[CountedContribution, Problem | None, bool, bool]:
    """One declaration counted in its circle (`target`: name, hourly rate), against the
    circle-year's closing: (the counted declaration, the problem to report, whether it is left
    out as changed after the closing, whether it was paid after it). A declaration left out
    reports only that; one counted, the warning of its amount if any. Shared by `_check` and
    `ledger.incremental`."""
    counted, warning = _count(declaration, *target)
    if closing is None:
        return counted, warning, False, False
    after, paid_after = _after(closing, declaration, changed_at, paid_at)
    if after:
        return counted, _late_problem(counted, closing, declaration.date.year), True, False
    return counted, warning, False, paid_after


def _count(
    declaration: Contribution, circle: str, rate: Decimal
) -> tuple[CountedContribution, Problem | None]:
    """Resolve a declaration's amount; a warning when it asks more than its hours allow."""
    hours = declaration.hours
    given = declaration.amount
    # `round_money` and `round_hours` inlined (half up to the cent): this runs for every
    # declaration, and the call costs as much as the rounding.
    if given is not None:
        amount = given.quantize(CENT, ROUND_HALF_UP)
    elif hours is not None:
        # From the hours as given (20 min × 30 €/h = 10.00 €), not from their rounded display.
        amount = (hours * rate).quantize(CENT, ROUND_HALF_UP)
    else:
        amount = ZERO
    problem = None
    ceiling = None
    status = declaration.status
    # Rounding to the cent is monotonic and keeps a whole number of cents as it is, so an
    # amount within hours × rate is within the rounded ceiling too: only the few amounts
    # above the exact product need the ceiling worked out.
    if hours is not None and given is not None and status in REQUESTED and amount > hours * rate:
        ceiling = round_money(hours * rate)
        if amount > ceiling:
            message = (
                f"montant de {format_money(amount)} au-dessus du plafond indicatif de "
                f"{format_rate(rate)} : {format_hours(round_hours(hours))} permettent au plus "
                f"{format_money(ceiling)}"
                " ; vérifiez le montant ou les heures"
            )
            problem = Problem(declaration.source, TEMPLATE_CONTRIBUTION, Severity.WARNING, message)
    counted = CountedContribution(
        declaration.source,
        declaration.contributor,
        circle,
        declaration.date,
        ZERO if hours is None else hours.quantize(CENT, ROUND_HALF_UP),
        ZERO if status is ContributionStatus.VOLUNTARY else amount,
        str(status),
        declaration.mission,
        problem is not None,  # over_ceiling
        ceiling if problem is not None else None,
        declaration.verdict,
    )
    return counted, problem


_UNSEEN = ("", ZERO)  # a (circle name, rate) no resolution returns: compared by identity


def _resolve(
    spelling: str,
    year: int,
    known: dict[str, Circle],
    envelopes: dict[tuple[str, int], Envelope],
    default_rate: Decimal,
) -> tuple[str, Decimal] | None:
    """The circle a declaration names and its hourly ceiling that year; None when unknown."""
    circle = known.get(_circle_key(spelling))
    if circle is None:
        return None
    return circle.name, _rate(envelopes.get((circle.name, year)), default_rate)


def _check(
    records: Records,
    default_rate: Decimal,
    changed_at: Mapping[Source, datetime.datetime] | None = None,
    paid_at: Mapping[Source, datetime.datetime] | None = None,
) -> _Checked:
    known, circle_problems = _index_circles(records.circles)
    hints = NameHints([circle.name for circle in known.values()])
    problems: list[tuple[int | None, Problem]] = [(None, p) for p in circle_problems]
    envelopes = _index_envelopes(records.envelopes, known, hints, problems)
    closings = index_closings(
        records.closings, lambda name: _circle_name(known, name), hints, problems
    )
    # Without a closing's revision time nothing is after it: the loop skips the look-up.
    timed = any(c.timestamp is not None for c in closings.values())
    late: dict[tuple[str, int], list[Source]] = defaultdict(list)
    payments_after: set[Source] = set()
    # Thousands of declarations name a few dozen circles in a few years: resolve each
    # (spelling, year) once to the circle's name and hourly ceiling, None when unknown.
    resolved: dict[tuple[str, int], tuple[str, Decimal] | None] = {}
    used: set[tuple[str, int]] = set()  # (circle name, year) of the counted declarations
    counted_list: list[CountedContribution] = []
    for declaration in records.contributions:
        year = declaration.date.year
        key = (declaration.circle, year)
        target = resolved.get(key, _UNSEEN)
        if target is _UNSEEN:
            target = resolved[key] = _resolve(
                declaration.circle, year, known, envelopes, default_rate
            )
            if target is not None:
                used.add((target[0], year))
        if target is None:
            message = hints.unknown_message("cercle", declaration.circle)
            problem = Problem(declaration.source, TEMPLATE_CONTRIBUTION, Severity.ERROR, message)
            problems.append((year, problem))
            continue
        closing = closings.get((target[0], year)) if timed else None
        counted, found, left_out, paid_after = _counted(
            declaration, target, closing, changed_at, paid_at
        )
        if found is not None:
            problems.append((year, found))
        if left_out:
            late[(target[0], year)].append(counted.source)
            continue
        if paid_after:
            payments_after.add(counted.source)
        counted_list.append(counted)
    missing = used - envelopes.keys()
    for name, year in sorted(missing):
        circle = known[_circle_key(name)]
        message = (
            f"aucune enveloppe déclarée pour le cercle « {name} » en {year} :"
            f" ajoutez {{{{{TEMPLATE_ENVELOPE}}}}}"
        )
        problems.append((year, Problem(circle.source, TEMPLATE_CIRCLE, Severity.WARNING, message)))
    return _Checked(
        envelopes, counted_list, problems, closings, dict(late), frozenset(payments_after)
    )


def _circle_totals(
    name: str,
    envelope: Envelope | None,
    by_person: dict[str, _Sums],
    default_rate: Decimal,
    closure: Closure,
) -> CircleTotals:
    """A circle-year's totals from its contributors' sums (in order of first declaration)."""
    sums = _Sums()
    for person in by_person.values():
        sums.merge(person)
    amount = envelope.amount if envelope is not None else ZERO
    over = sums.requested > amount
    split: tuple[SplitShare, ...] = ()
    if over:
        requested = {person: s.requested for person, s in by_person.items()}
        paid = {person: s.paid for person, s in by_person.items()}
        split = propose_split(amount, requested, paid)
    settlements, state = closure.settle(amount, over)
    return CircleTotals(
        name=name,
        envelope=amount,
        requested=sums.requested,
        validated=sums.validated,
        paid=sums.paid,
        remaining=amount - sums.requested,
        hours=sums.hours,
        over_envelope=over,
        split=split,
        hourly_rate=_rate(envelope, default_rate),
        has_envelope=envelope is not None,
        declarations=sums.declarations,
        settlements=settlements,
        closing=state,
    )


_CHRONOLOGICAL = attrgetter("date", "source.page", "source.line")


def _year_report(
    checked: _Checked,
    year: int,
    of_year: list[CountedContribution],
    default_rate: Decimal,
    floor: Decimal | None = None,
) -> ContributionReport:
    """One year's report from the checked records; `of_year` are that year's declarations."""
    counted = sorted(of_year, key=_CHRONOLOGICAL)
    # Each declaration is added once per circle and person, and once per month; circles and
    # people are then totalled from those few hundred groups.
    by_circle: dict[str, dict[str, _Sums]] = defaultdict(dict)
    by_month: dict[int, _Sums] = defaultdict(_Sums)
    items: dict[str, list[CountedContribution]] = defaultdict(list)
    for item in counted:
        items[item.circle].append(item)
        people = by_circle[item.circle]
        sums = people.get(item.contributor)
        if sums is None:
            sums = people[item.contributor] = _Sums()
        sums.add(item)
        by_month[item.date.month].add(item)
    by_person: dict[str, _Sums] = defaultdict(_Sums)
    for people in by_circle.values():
        for person, sums in people.items():
            by_person[person].merge(sums)
    names = {name for name, y in checked.envelopes if y == year} | by_circle.keys()
    names |= {name for name, y in checked.closings if y == year}
    circles = [
        _circle_totals(
            name,
            checked.envelopes.get((name, year)),
            by_circle[name],
            default_rate,
            Closure(
                floor,
                checked.closings.get((name, year)),
                items[name],
                checked.payments_after,
                checked.late.get((name, year), []),
            ),
        )
        for name in sorted(names, key=name_order)
    ]
    contributors = [
        ContributorTotals(name, s.hours, s.requested, s.validated, s.paid)
        for name, s in sorted(by_person.items(), key=lambda item: name_order(item[0]))
    ]
    months = [
        MonthTotals(f"{year:04d}-{month:02d}", s.hours, s.requested, s.validated, s.paid)
        for month, s in sorted(by_month.items())
    ]
    problems = [p for y, p in checked.problems if y is None or y == year]
    return ContributionReport(
        year=year,
        circles=circles,
        contributors=contributors,
        months=months,
        contributions=counted,
        problems=sort_problems(problems),
    )


def compute_ledger(
    records: Records,
    *,
    default_rate: Decimal = DEFAULT_RATE,
    floor: Decimal | None = None,
    changed_at: Mapping[Source, datetime.datetime] | None = None,
    paid_at: Mapping[Source, datetime.datetime] | None = None,
) -> tuple[dict[int, ContributionReport], list[Problem]]:
    """Every year's ledger (by year, in order) and every cross-reference problem, each once.

    One check of all the records for all years: the reports equal `compute_contributions`
    of each of `contribution_years`, the problems equal `check_contributions`. `floor` is the
    configured floor shown beside the other closing options. A closed circle-year leaves out
    the declarations created or changed after its closing: `changed_at` gives the time each
    declaration was last changed and `paid_at` when someone entitled set it versée; without
    them, the times come from each declaration's verdict (`ledger.closing.declaration_times`).
    """
    checked = _check(records, default_rate, changed_at, paid_at)
    by_year: dict[int, list[CountedContribution]] = defaultdict(list)
    for counted in checked.contributions:
        by_year[counted.date.year].append(counted)
    reports = {
        year: _year_report(checked, year, by_year.get(year, []), default_rate, floor)
        for year in contribution_years(records)
    }
    return reports, sort_problems([problem for _, problem in checked.problems])


def compute_contributions(
    records: Records,
    year: int,
    *,
    default_rate: Decimal = DEFAULT_RATE,
    floor: Decimal | None = None,
    changed_at: Mapping[Source, datetime.datetime] | None = None,
    paid_at: Mapping[Source, datetime.datetime] | None = None,
) -> ContributionReport:
    """The ledger of one year: per circle (with closing split), per contributor, per month.

    Circles of the year are those with an envelope or a declaration that year, by name;
    `problems` are those concerning that year, plus the ones about circles themselves.
    For every year at once, `compute_ledger` checks the records only once.
    """
    checked = _check(records, default_rate, changed_at, paid_at)
    of_year = [c for c in checked.contributions if c.date.year == year]
    return _year_report(checked, year, of_year, default_rate, floor)


def contribution_years(records: Records) -> list[int]:
    """Years having declarations or envelopes (even erroneous ones, so their problems show)."""
    years = {c.date.year for c in records.contributions} | {e.year for e in records.envelopes}
    return sorted(years | {c.year for c in records.closings})


def check_contributions(records: Records, *, default_rate: Decimal = DEFAULT_RATE) -> list[Problem]:
    """The cross-reference problems of every year, each once (for the anomalies page)."""
    return sort_problems([problem for _, problem in _check(records, default_rate).problems])


def circle_year_totals(
    records: Records, *, default_rate: Decimal = DEFAULT_RATE
) -> dict[tuple[str, int], CircleTotals]:
    """Every circle's totals for every year it appears in, keyed by (circle name, year)."""
    reports, _ = compute_ledger(records, default_rate=default_rate)
    return {
        (circle.name, year): circle for year, report in reports.items() for circle in report.circles
    }
