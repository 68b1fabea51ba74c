"""Rendering of the generated part of the summary pages: registry, circles, anomalies, bilan, data.

Templates live in `wiki_templates/reports/`. Every `{{ expression }}` in them is escaped by
default (`_finalize`); only `Wikitext` made by the filters of `render.wikitext` goes out as is,
so no member-typed string can inject markup. Money, hours, dates and decimals must go through
a filter: outputting them raw is a template bug and raises.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import jinja2

from ledger import french
from ledger.record import Problem, Severity, sort_problems
from ledger.report import (
    CampaignReport,
    CircleTotals,
    ContributionReport,
    ContributorTotals,
    CountedContribution,
    MonthTotals,
    ProjectTotals,
    SplitShare,
)
from render import wikitext
from render.closing_view import closing_view, options_view
from render.wikitext import Wikitext, escape

TEMPLATE_DIR = Path(__file__).resolve().parents[1] / "wiki_templates" / "reports"

PROJECT_STATUS = french.PROJECT_STATUSES
_BAR_COLOUR = {"funded": "#14866d", "open": "#36c"}
PLEDGE_STATE = french.PLEDGE_STATES

_ZERO = Decimal("0.00")
# The helpers of `render.wikitext` that templates use as filters: all return `Wikitext`.
_FILTERS = (
    "money", "hours", "count", "percent", "date", "long_date", "timestamp", "month", "stamp",
    "user_link", "user_links", "page_link", "template_name", "money_cell", "flagged_money_cell",
    "hours_cell", "count_cell", "percent_cell", "date_cell", "month_cell", "trail", "who",
)  # fmt: skip


def _finalize(value: object) -> str:
    """Jinja's output hook: `Wikitext` as is, text and integers escaped, anything else refused."""
    if isinstance(value, Wikitext):
        return value
    if isinstance(value, jinja2.Undefined):
        return str(value)  # StrictUndefined raises here, naming what is missing
    if isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool)):
        return escape(str(value))
    raise TypeError(f"report template outputs a raw {type(value).__name__}: use a filter")


@functools.cache
def _environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
        undefined=jinja2.StrictUndefined,
        finalize=_finalize,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters.update({name: getattr(wikitext, name) for name in _FILTERS})
    environment.globals.update(plural=wikitext.plural, share=wikitext.share_percent)
    return environment


def _render(name: str, **context: Any) -> str:
    return _environment().get_template(name).render(**context).strip("\n") + "\n"


def without_timestamp(generated: str) -> str:
    """A generated part without its generation time, to tell whether anything else changed."""
    return wikitext.STAMP.sub("", generated)


# --- Contribution registry -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _CircleRow:
    totals: CircleTotals
    share: int | None  # whole percent of the envelope requested
    overrun: Decimal  # requested above the envelope, 0.00 when within
    page: str | None  # the circle's subpage listing its declarations, if it has one


@dataclass(frozen=True, slots=True)
class _SplitRow:
    share: SplitShare
    coverage: int | None  # whole percent of the unpaid request that is proposed
    uncovered: Decimal  # unpaid request that the split leaves out


@dataclass(frozen=True, slots=True)
class _Split:
    circle: CircleTotals
    available: Decimal  # envelope - paid, never below zero
    rows: tuple[_SplitRow, ...]
    requested: Decimal
    paid: Decimal
    proposed: Decimal
    uncovered: Decimal  # what the split leaves out: the overrun, while paid <= envelope
    page: str | None = None  # the circle's page, where the split is detailed


def _envelope_share(circle: CircleTotals) -> int | None:
    if not circle.has_envelope:
        return None
    return wikitext.share_percent(circle.requested, circle.envelope)


def _circle_row(circle: CircleTotals, page: str | None) -> _CircleRow:
    overrun = max(circle.requested - circle.envelope, _ZERO)
    return _CircleRow(circle, _envelope_share(circle), overrun, page)


def _split(circle: CircleTotals, page: str | None = None) -> _Split:
    rows = tuple(
        _SplitRow(s, wikitext.share_percent(s.proposed, s.requested), s.requested - s.proposed)
        for s in circle.split
    )
    requested = _sum(s.requested for s in circle.split)
    proposed = _sum(s.proposed for s in circle.split)
    return _Split(
        circle=circle,
        available=max(circle.envelope - circle.paid, _ZERO),
        rows=rows,
        requested=requested,
        paid=_sum(s.paid for s in circle.split),
        proposed=proposed,
        uncovered=requested - proposed,
        page=page,
    )


def _sum(values: Iterable[Decimal]) -> Decimal:
    return sum(values, _ZERO)


def _row_totals(rows: Iterable[ContributorTotals | MonthTotals]) -> dict[str, Decimal]:
    rows = list(rows)
    return {
        "hours": _sum(r.hours for r in rows),
        "requested": _sum(r.requested for r in rows),
        "validated": _sum(r.validated for r in rows),
        "paid": _sum(r.paid for r in rows),
    }


def render_registry(
    report: ContributionReport,
    *,
    generated_at: datetime.datetime,
    anomalies_page: str | None = None,
    circle_pages: Mapping[str, str] | None = None,
) -> str:
    """The generated part of `Contribution-rétribution/Registre {année}`: the year's totals.

    `anomalies_page`, when given, is linked from the notice that some declarations have problems;
    `circle_pages` ({circle name: title}) links each circle to the page of its declarations.
    `report.contributions` is not read: the declarations are on the circles' pages.
    """
    circles = report.circles
    pages = circle_pages or {}
    return _render(
        "registry.j2",
        year=report.year,
        generated_at=generated_at,
        circles=[_circle_row(c, pages.get(c.name)) for c in circles],
        splits=[
            _split(c, pages.get(c.name))
            for c in circles
            if c.over_envelope and c.has_envelope and c.closing is None
        ],
        closings=[
            (view, pages.get(view.circle.name)) for view in map(closing_view, circles) if view
        ],
        contributors=report.contributors,
        contributor_total=_row_totals(report.contributors),
        months=report.months,
        month_total=_row_totals(report.months),
        total={
            "envelope": _sum(c.envelope for c in circles if c.has_envelope),
            "requested": _sum(c.requested for c in circles),
            "validated": _sum(c.validated for c in circles),
            "paid": _sum(c.paid for c in circles),
            "remaining": _sum(c.remaining for c in circles),
            "hours": _sum(c.hours for c in circles),
            "declarations": sum(c.declarations for c in circles),
        },
        problems=len(report.problems),
        anomalies_page=anomalies_page,
    )


def render_registry_circle(
    year: int,
    circle: CircleTotals,
    contributions: Sequence[CountedContribution],
    *,
    generated_at: datetime.datetime,
    registry_page: str | None = None,
    closing_template: str = "Clôture cercle",
    timezone: str = "Europe/Paris",
) -> str:
    """The generated part of `Contribution-rétribution/Registre {année}/{cercle}`.

    The circle's totals line, its closing or proposed split with the settlement options side
    by side, then its declarations of the year (`contributions`, in order); `registry_page`,
    when given, is linked for the totals of every circle; `closing_template` is named where
    the page says how to record a decision. Each declaration shows its trail (who declared,
    validated and paid, dated in `timezone`).
    """
    listed = [c for c in contributions if c.status != "refusée"]  # the totals row
    return _render(
        "registry_circle.j2",
        year=year,
        generated_at=generated_at,
        c=circle,
        contributions=contributions,
        listed_hours=_sum(c.hours for c in listed),
        listed_amount=_sum(c.amount for c in listed),
        over_ceiling=any(c.over_ceiling for c in contributions),
        registry_page=registry_page,
        split=_split(circle) if circle.over_envelope and circle.has_envelope else None,
        closing=closing_view(circle),
        options=options_view(circle) if circle.has_envelope else None,
        closing_template=closing_template,
        timezone=timezone,
    )


# --- Anomalies -------------------------------------------------------------------------


def render_anomalies(
    problems: list[Problem],
    *,
    generated_at: datetime.datetime,
    governance: Sequence[Problem] = (),
) -> str:
    """The generated part of the anomalies page: every problem grouped by page, those of
    `governance` (who may set which status, also among `problems`) in a section of their own."""
    apart = set(governance)
    groups: list[tuple[str, list[Problem]]] = []
    for problem in sort_problems([p for p in problems if p not in apart]):
        if not groups or groups[-1][0] != problem.source.page:
            groups.append((problem.source.page, []))
        groups[-1][1].append(problem)
    return _render(
        "anomalies.j2",
        generated_at=generated_at,
        groups=groups,
        errors=sum(1 for p in problems if p.severity == Severity.ERROR),
        warnings=sum(1 for p in problems if p.severity == Severity.WARNING),
        pages=len({p.source.page for p in problems}),
        governance=sort_problems(list(governance)),
    )


# --- Co-budget bilan -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _ProjectRow:
    project: ProjectTotals
    status: str  # in French
    of_minimum: int  # whole percent of the minimum pledged (uncapped)
    of_maximum: int | None
    missing: Decimal  # what the minimum still lacks
    fill: int  # bar: width of the pledged part, in percent of the bar
    marker: int | None  # bar: where the minimum sits, when a maximum extends the bar
    max_marker: int | None  # bar: where the maximum sits, when pledges go beyond it
    colour: Wikitext  # bar: green when funded, blue when open


def _whole_percent(part: Decimal, whole: Decimal) -> int:
    share = wikitext.share_percent(part, whole)
    return 100 if share is None else share


def _project_row(project: ProjectTotals) -> _ProjectRow:
    maximum = project.maximum
    scale = max(project.minimum, maximum or _ZERO, project.pledged)
    return _ProjectRow(
        project=project,
        status=PROJECT_STATUS.get(project.status, project.status),
        of_minimum=_whole_percent(project.pledged, project.minimum),
        of_maximum=None if maximum is None else _whole_percent(project.pledged, maximum),
        missing=max(project.minimum - project.pledged, _ZERO),
        fill=_whole_percent(project.pledged, scale),
        marker=_whole_percent(project.minimum, scale) if scale > project.minimum else None,
        max_marker=(
            _whole_percent(maximum, scale) if maximum is not None and scale > maximum else None
        ),
        colour=Wikitext(_BAR_COLOUR.get(project.status, "#a2a9b1")),
    )


def _campaign_state(report: CampaignReport, today: datetime.date) -> Wikitext:
    if report.opening is not None and today < report.opening:
        return Wikitext(f"pas encore ouverte (ouverture le {wikitext.date(report.opening)})")
    if report.closing is not None and today > report.closing:
        return Wikitext(f"close depuis le {wikitext.date(report.closing)}")
    until = f" jusqu’au {wikitext.date(report.closing)} inclus" if report.closing else ""
    return Wikitext(f"ouverte{until}")


def render_bilan(
    report: CampaignReport,
    *,
    generated_at: datetime.datetime,
    today: datetime.date,
    anomalies_page: str | None = None,
) -> str:
    """The generated part of `Cobudget {campagne}/Bilan`; `anomalies_page` as for the registry."""
    rows = [_project_row(p) for p in report.projects]
    regular = [r for r in rows if not r.project.cross_cutting]
    funded = [r for r in regular if r.project.status == "funded"]
    open_ = [r for r in regular if r.project.status == "open"]
    cross_cutting = [r for r in rows if r.project.cross_cutting]
    return _render(
        "bilan.j2",
        report=report,
        generated_at=generated_at,
        state=_campaign_state(report, today),
        pledged=_sum(m.pledged for m in report.members),
        unpledged=_sum(m.remaining for m in report.members),
        dotations=_sum(m.dotation for m in report.members),
        funded=funded,
        open=open_,
        cross_cutting=cross_cutting,
        closed=[r for r in regular if r.project.status in ("done", "cancelled")],
        group={
            "funded": _sum(r.project.pledged for r in funded),
            "open": _sum(r.project.pledged for r in open_),
            "open_missing": _sum(r.missing for r in open_),
            "cross_cutting": _sum(r.project.pledged for r in cross_cutting),
        },
        set_aside=[p for p in report.pledges if p.state != "counted"],
        late=report.late,
        pledge_state=PLEDGE_STATE,
        anomalies_page=anomalies_page,
    )


# --- Data pages ------------------------------------------------------------------------


def _key_name(name: str) -> str:
    """A name as members type it in a lookup: spaces collapsed, none at the ends."""
    return " ".join(name.split())


def _switch(entries: Iterable[tuple[str, Wikitext | str]]) -> str:
    return _render("data.j2", entries=[(wikitext.switch_key(k), v) for k, v in entries])


def render_retired(*, generated_at: datetime.datetime, anomalies_page: str) -> str:
    """The generated part of a page the bot has nothing to put on any more."""
    return _render("retired.j2", generated_at=generated_at, anomalies_page=anomalies_page)


def render_retired_data() -> str:
    """A data page with no entries left: every key gives the templates' empty default."""
    return _switch([])


def render_contribution_data(reports: list[ContributionReport]) -> str:
    """`{{#switch:}}` data page: `CERCLE/ANNÉE/champ` -> French-formatted value.

    A circle without an envelope for the year has empty `enveloppe` and `part`.
    """
    entries: list[tuple[str, Wikitext | str]] = []
    for report in reports:
        for c in report.circles:
            share = _envelope_share(c)
            values: dict[str, Wikitext | str] = {
                "enveloppe": wikitext.money(c.envelope) if c.has_envelope else "",
                "demandé": wikitext.money(c.requested),
                "validé": wikitext.money(c.validated),
                "versé": wikitext.money(c.paid),
                "restant": wikitext.money(c.remaining),
                "heures": wikitext.hours(c.hours),
                "part": "" if share is None else wikitext.percent(share),
                "déclarations": wikitext.count(c.declarations),
            }
            entries.extend(
                (f"{_key_name(c.name)}/{report.year}/{field}", v) for field, v in values.items()
            )
    return _switch(entries)


def render_campaign_data(report: CampaignReport) -> str:
    """`{{#switch:}}` data page: `TITRE DU PROJET/champ` -> value.

    `pourcentage` is the whole percent of the minimum pledged, capped at 100 so that it can
    be used as a bar width, and `part` the same percent uncapped, for reading (`150 %`);
    `soutiens` is a plain integer; `maximum` is empty when there is none, `excédent` when the
    pledges stay within it.
    """
    entries: list[tuple[str, Wikitext | str]] = []
    for p in report.projects:
        row = _project_row(p)
        values: dict[str, Wikitext | str] = {
            "promis": wikitext.money(p.pledged),
            "minimum": wikitext.money(p.minimum),
            "maximum": "" if p.maximum is None else wikitext.money(p.maximum),
            "pourcentage": Wikitext(str(min(row.of_minimum, 100))),
            "soutiens": Wikitext(str(p.supporters)),
            "statut": row.status,
            "manque": wikitext.money(row.missing),
            "part": wikitext.percent(row.of_minimum),
            "excédent": wikitext.money(p.excess) if p.excess > 0 else "",
        }
        entries.extend((f"{_key_name(p.title)}/{field}", v) for field, v in values.items())
    return _switch(entries)
