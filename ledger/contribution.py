"""The contribution-rétribution ledger: circles, envelopes and declarations -> yearly totals.

Rules of DESIGN §4. Records are first cross-referenced once for all years (known circles,
one envelope per circle-year, each declaration's amount), each problem tagged with the year
it concerns; `compute_contributions` then totals one year.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from ledger.name import unknown_message
from ledger.record import (
    ZERO,
    Circle,
    Contribution,
    ContributionStatus,
    Envelope,
    Problem,
    Records,
    Severity,
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

_REQUESTED = frozenset(
    {ContributionStatus.DECLARED, ContributionStatus.VALIDATED, ContributionStatus.PAID}
)
_VALIDATED = frozenset({ContributionStatus.VALIDATED, ContributionStatus.PAID})


def _circle_key(name: str) -> str:
    """Circle names match exactly after collapsing spaces, or case-insensitively; accents count."""
    return " ".join(unicodedata.normalize("NFC", name).split()).casefold()


def _fr(value: Decimal) -> str:
    """A number as French members write it: `1 234,50`."""
    return f"{value:,.2f}".replace(",", "\u202f").replace(".", ",")


@dataclass(slots=True)
class _Sums:
    """Running totals over counted declarations, by the status rules of DESIGN §4."""

    hours: Decimal = ZERO
    requested: Decimal = ZERO
    validated: Decimal = ZERO
    paid: Decimal = ZERO

    def add(self, counted: CountedContribution) -> None:
        status = ContributionStatus(counted.status)
        if status is not ContributionStatus.REFUSED:
            self.hours += counted.hours
        if status in _REQUESTED:
            self.requested += counted.amount
        if status in _VALIDATED:
            self.validated += counted.amount
        if status is ContributionStatus.PAID:
            self.paid += counted.amount


@dataclass(frozen=True, slots=True)
class _Checked:
    """All years cross-referenced: envelopes and declarations that count, tagged problems."""

    envelopes: dict[tuple[str, int], Envelope]  # by (canonical circle name, year)
    contributions: list[CountedContribution]  # circle is the canonical name
    problems: list[tuple[int | None, Problem]]  # year concerned; None for every year


def _known_names(known: dict[str, Circle]) -> list[str]:
    return [circle.name for circle in known.values()]


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
    envelopes: list[Envelope], known: dict[str, Circle], problems: list[tuple[int | None, Problem]]
) -> dict[tuple[str, int], Envelope]:
    found: dict[tuple[str, int], Envelope] = {}
    for envelope in sorted(envelopes, key=lambda e: e.source):
        circle = known.get(_circle_key(envelope.circle))
        if circle is None:
            message = unknown_message("cercle", envelope.circle, _known_names(known))
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


def _count(
    declaration: Contribution, circle: str, rate: Decimal
) -> tuple[CountedContribution, Problem | None]:
    """Resolve a declaration's amount; a warning when it asks more than its hours allow."""
    hours = declaration.hours
    if declaration.amount is not None:
        amount = round_money(declaration.amount)
    elif hours is not None:
        # From the hours as given (20 min × 30 €/h = 10.00 €), not from their rounded display.
        amount = round_money(hours * rate)
    else:
        amount = ZERO
    problem = None
    status = declaration.status
    if hours is not None and declaration.amount is not None and status in _REQUESTED:
        ceiling = round_money(hours * rate)
        if amount > ceiling:
            message = (
                f"montant de {_fr(amount)} € au-dessus du plafond indicatif de {_fr(rate)} €/h :"
                f" {_fr(round_hours(hours))} h permettent au plus {_fr(ceiling)} €"
                " ; vérifiez le montant ou les heures"
            )
            problem = Problem(declaration.source, TEMPLATE_CONTRIBUTION, Severity.WARNING, message)
    counted = CountedContribution(
        source=declaration.source,
        contributor=declaration.contributor,
        circle=circle,
        date=declaration.date,
        hours=round_hours(hours) if hours is not None else ZERO,
        amount=ZERO if status is ContributionStatus.VOLUNTARY else amount,
        status=str(status),
        mission=declaration.mission,
        over_ceiling=problem is not None,
    )
    return counted, problem


def _check(records: Records, default_rate: Decimal) -> _Checked:
    known, circle_problems = _index_circles(records.circles)
    problems: list[tuple[int | None, Problem]] = [(None, p) for p in circle_problems]
    envelopes = _index_envelopes(records.envelopes, known, problems)
    counted_list: list[CountedContribution] = []
    for declaration in records.contributions:
        year = declaration.date.year
        circle = known.get(_circle_key(declaration.circle))
        if circle is None:
            message = unknown_message("cercle", declaration.circle, _known_names(known))
            problem = Problem(declaration.source, TEMPLATE_CONTRIBUTION, Severity.ERROR, message)
            problems.append((year, problem))
            continue
        rate = _rate(envelopes.get((circle.name, year)), default_rate)
        counted, warning = _count(declaration, circle.name, rate)
        counted_list.append(counted)
        if warning is not None:
            problems.append((year, warning))
    missing = {(c.circle, c.date.year) for c in counted_list} - envelopes.keys()
    for name, year in sorted(missing):
        circle = known[_circle_key(name)]
        message = (
            f"aucune enveloppe déclarée pour le cercle « {name} » en {year} :"
            f" ajoutez {{{{{TEMPLATE_ENVELOPE}}}}}"
        )
        problems.append((year, Problem(circle.source, TEMPLATE_CIRCLE, Severity.WARNING, message)))
    return _Checked(envelopes, counted_list, problems)


def _circle_totals(
    name: str,
    envelope: Envelope | None,
    contributions: list[CountedContribution],
    default_rate: Decimal,
) -> CircleTotals:
    sums = _Sums()
    by_person: dict[str, _Sums] = defaultdict(_Sums)
    for counted in contributions:
        sums.add(counted)
        by_person[counted.contributor].add(counted)
    amount = envelope.amount if envelope is not None else ZERO
    over = sums.requested > amount
    split: tuple[SplitShare, ...] = ()
    if over:
        requested = {person: s.requested for person, s in by_person.items()}
        paid = {person: s.paid for person, s in by_person.items()}
        split = propose_split(amount, requested, paid)
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
        declarations=len(contributions),
    )


def compute_contributions(
    records: Records, year: int, *, default_rate: Decimal = DEFAULT_RATE
) -> ContributionReport:
    """The ledger of one year: per circle (with closing split), per contributor, per month.

    Circles of the year are those with an envelope or a declaration that year, by name;
    `problems` are those concerning that year, plus the ones about circles themselves.
    """
    checked = _check(records, default_rate)
    counted = sorted(
        (c for c in checked.contributions if c.date.year == year),
        key=lambda c: (c.date, c.source.page, c.source.line),
    )
    by_circle: dict[str, list[CountedContribution]] = defaultdict(list)
    by_person: dict[str, _Sums] = defaultdict(_Sums)
    by_month: dict[str, _Sums] = defaultdict(_Sums)
    for item in counted:
        by_circle[item.circle].append(item)
        by_person[item.contributor].add(item)
        by_month[f"{item.date.year:04d}-{item.date.month:02d}"].add(item)
    names = {name for name, y in checked.envelopes if y == year} | by_circle.keys()
    circles = [
        _circle_totals(name, checked.envelopes.get((name, year)), by_circle[name], default_rate)
        for name in sorted(names, key=name_order)
    ]
    contributors = [
        ContributorTotals(name, s.hours, s.requested, s.validated, s.paid)
        for name, s in sorted(by_person.items(), key=lambda item: name_order(item[0]))
    ]
    months = [
        MonthTotals(month, s.hours, s.requested, s.validated, s.paid)
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


def contribution_years(records: Records) -> list[int]:
    """Years having declarations or envelopes (even erroneous ones, so their problems show)."""
    years = {c.date.year for c in records.contributions} | {e.year for e in records.envelopes}
    return sorted(years)


def check_contributions(records: Records, *, default_rate: Decimal = DEFAULT_RATE) -> list[Problem]:
    """The cross-reference problems of every year, each once (for the anomalies page)."""
    return sort_problems([problem for _, problem in _check(records, default_rate).problems])


def circle_year_totals(
    records: Records, *, default_rate: Decimal = DEFAULT_RATE
) -> dict[tuple[str, int], CircleTotals]:
    """Every circle's totals for every year it appears in, keyed by (circle name, year)."""
    return {
        (circle.name, year): circle
        for year in contribution_years(records)
        for circle in compute_contributions(records, year, default_rate=default_rate).circles
    }
