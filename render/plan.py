"""Which pages the bot writes after a computation, and the generated part of each.

A render memo ({title: (key, generated)}) lets a long-lived caller skip rendering pages whose
data did not change: each page's key is exactly the data its renderer reads, as comparable
frozen dataclasses and tuples (the generation time aside, so a reused text keeps its stamp).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from zoneinfo import ZoneInfo

from ledger import french
from ledger.record import Severity
from ledger.report import CampaignReport, ContributionReport, CountedContribution
from render import wikitext
from render.card import card_digest, card_pages, render_card_data
from render.compute import Computation
from render.config import PageTitles, SyncConfig
from render.pages import (
    render_anomalies,
    render_bilan,
    render_campaign_data,
    render_contribution_data,
    render_registry,
    render_registry_circle,
    render_retired,
    render_retired_data,
)
from render.statement import plan_statements, render_statement

# {page title: (key of the data rendered, generated part rendered from it)}
RenderMemo = dict[str, tuple[object, str]]


@dataclass(frozen=True, slots=True)
class OutputPage:
    title: str
    generated: str
    digest: str  # a short French description of the content, for edit summaries
    must_exist: bool = False  # statement pages: only where the member put {{Relevé}}


@dataclass(frozen=True, slots=True)
class PlannedPage:
    """A page to write, before its generated part is rendered (see `plan_pages`)."""

    title: str
    digest: str
    must_exist: bool
    key: object  # exactly the data the renderer reads
    renderer: Callable[[], str]
    memo: RenderMemo | None

    def cached(self) -> str | None:
        """The text the memo holds for this very data, if any (the page need not render)."""
        held = self.memo.get(self.title) if self.memo is not None else None
        return held[1] if held is not None and held[0] == self.key else None

    def render(self) -> OutputPage:
        """Render the page, or take its text from the memo when its data did not change."""
        memo = self.memo
        if memo is None:
            generated = self.renderer()
        else:
            held = memo.get(self.title)
            generated = held[1] if held is not None and held[0] == self.key else self.renderer()
            memo[self.title] = (self.key, generated)  # the new key: the old data can be freed
        return OutputPage(self.title, generated, self.digest, self.must_exist)


def _eur(amount: Decimal) -> str:
    """French amount with plain spaces, for edit summaries (read as plain text)."""
    return french.format_money(amount).replace(french.NBSP, " ")


def _declarations(number: int) -> str:
    return f"{number} déclaration" if number <= 1 else f"{number} déclarations"


# The order pages are written in: the order people look at them after a save. The year's
# registres first, then the circles' pages and the campaigns' Bilans, then the data pages the
# templates on members' pages read (a circle's envelope, a project's box), then the card data
# (their save may wait for the sources' rendering, render.card / sync.card_refresh), then
# everything else. A card saying "compté" is rendered after its shard was saved, so the data
# pages written before it are already in that rendering: a pledge's card never says "compté"
# beside a project box still showing the old total.
REGISTRY, CIRCLE, DATA, CARDS, REST = range(5)


class _Planner:
    """Collects the pages to write, in order, without rendering them."""

    def __init__(self, memo: RenderMemo | None) -> None:
        self.memo = memo
        self.pages: list[tuple[int, PlannedPage]] = []

    def add(
        self,
        title: str,
        key: object,
        render: Callable[[], str],
        digest: str,
        *,
        must_exist: bool = False,
        rank: int = REST,
    ) -> None:
        self.pages.append((rank, PlannedPage(title, digest, must_exist, key, render, self.memo)))

    def finish(self, *, prune: bool = True) -> list[PlannedPage]:
        pages = [page for _, page in sorted(self.pages, key=lambda item: item[0])]  # stable
        if self.memo is not None and prune:
            for title in self.memo.keys() - {p.title for p in pages}:
                del self.memo[title]  # a page no longer written: forget it
        return pages


def _by_circle(report: ContributionReport) -> Mapping[str, Sequence[CountedContribution]]:
    if report.by_circle is not None:
        return report.by_circle  # kept by the computation
    grouped: dict[str, list[CountedContribution]] = defaultdict(list)
    for contribution in report.contributions:
        grouped[contribution.circle].append(contribution)
    return grouped


def circle_pages(report: ContributionReport, pages: PageTitles) -> dict[str, str]:
    """{circle name: title of its page of declarations} for the circles with declarations.

    A circle whose title cannot be a page, or would be the same page as an earlier circle's
    (`A_B` and `A B`), gets none.
    """
    titles: dict[str, str] = {}
    for circle in report.circles:
        title = pages.registry_circle_for(report.year, circle.name)
        if circle.declarations and wikitext.is_title(title) and title not in titles.values():
            titles[circle.name] = title
    return titles


def _plan_registry(
    planner: _Planner,
    report: ContributionReport,
    pages: PageTitles,
    at: datetime.datetime,
    closing_template: str = "Clôture cercle",
) -> None:
    registry = pages.registry_for(report.year)
    linked = circle_pages(report, pages)
    requested = sum((c.requested for c in report.circles), Decimal("0"))
    paid = sum((c.paid for c in report.circles), Decimal("0"))
    planner.add(
        registry,
        (
            report.year,
            tuple(report.circles),
            tuple(report.contributors),
            tuple(report.months),
            len(report.problems),
            pages.anomalies,
            tuple(linked.items()),
        ),
        partial(
            render_registry,
            report,
            generated_at=at,
            anomalies_page=pages.anomalies,
            circle_pages=linked,
        ),
        f"{len(report.contributions)} déclarations, demandé {_eur(requested)}, versé {_eur(paid)}",
        rank=REGISTRY,
    )
    grouped = _by_circle(report)
    for circle in report.circles:
        if circle.name not in linked:
            continue
        declarations = tuple(grouped.get(circle.name, ()))
        planner.add(
            linked[circle.name],
            (report.year, circle, declarations, registry, closing_template),
            partial(
                render_registry_circle,
                report.year,
                circle,
                declarations,
                generated_at=at,
                registry_page=registry,
                closing_template=closing_template,
                timezone=str(at.tzinfo),
            ),
            f"{_declarations(len(declarations))}, demandé {_eur(circle.requested)}, "
            f"versé {_eur(circle.paid)}",
            rank=CIRCLE,
        )


def _bilan_key(campaign: CampaignReport, today: datetime.date, anomalies: str) -> object:
    """What `render_bilan` reads: every field but the problems and the page, and today."""
    return (
        campaign.campagne,
        campaign.envelope,
        campaign.dotation,
        campaign.unallocated,
        tuple(campaign.members),
        tuple(campaign.projects),
        tuple(campaign.pledges),
        campaign.opening,
        campaign.closing,
        campaign.project_cap,
        tuple(campaign.late),
        today,
        anomalies,
    )


def _generated_at(computation: Computation, config: SyncConfig) -> datetime.datetime:
    """The time stamped on the generated parts: the computation's, in the wiki's time zone."""
    return computation.computed_at.astimezone(ZoneInfo(config.timezone))


def plan_outputs(
    computation: Computation, config: SyncConfig, memo: RenderMemo | None = None
) -> list[OutputPage]:
    """Every page to write, rendered, in a stable order. Pure but for `memo`: reads nothing.

    With `memo` (kept by the caller from one sync to the next), a page whose data equals the
    data it was last rendered from keeps its previous text, generation time included; the
    memo is updated, and pages no longer planned leave it.
    """
    return [page.render() for page in plan_pages(computation, config, memo)]


def plan_pages(
    computation: Computation,
    config: SyncConfig,
    memo: RenderMemo | None = None,
    *,
    first: bool = False,
) -> list[PlannedPage]:
    """Every page to write, in the order people look at them (registres, circle pages, card
    data, the rest), each rendered only when asked (`render()`), so that a caller can write
    one page while the next is rendered. Pages no longer planned
    leave `memo` here; each page's memo entry is updated when it is rendered.

    `first`: only the pages written before the card data (registres, circle pages, Bilans,
    data pages), which read neither the cards' entries nor the statements: a live sync
    writes them while those are worked out (`Computation.complete`); the memo keeps the
    other pages."""
    if not first:
        computation.complete()
    pages = config.pages
    at = _generated_at(computation, config)
    planner = _Planner(memo)
    for _year, report in sorted(computation.contributions.items()):
        _plan_registry(planner, report, pages, at, config.templates.closing)
    if computation.contributions:
        reports = list(computation.contributions.values())
        circles = {c.name for r in reports for c in r.circles}
        planner.add(
            pages.contribution_data,
            tuple((r.year, tuple(r.circles)) for r in reports),
            partial(render_contribution_data, reports),
            f"données de {len(circles)} cercles",
            rank=DATA,
        )
    for name, campaign in sorted(computation.campaigns.items()):
        pledged = sum((p.pledged for p in campaign.projects), Decimal("0"))
        funded = sum(1 for p in campaign.projects if p.status == "funded")
        planner.add(
            pages.bilan_for(name),
            _bilan_key(campaign, computation.today, pages.anomalies),
            partial(
                render_bilan,
                campaign,
                generated_at=at,
                today=computation.today,
                anomalies_page=pages.anomalies,
            ),
            f"{len(campaign.projects)} projets dont {funded} financés, promis {_eur(pledged)}",
            rank=CIRCLE,
        )
        planner.add(
            pages.campaign_data_for(name),
            tuple(campaign.projects),
            partial(render_campaign_data, campaign),
            f"données de {len(campaign.projects)} projets",
            rank=DATA,
        )
    if first:
        return planner.finish(prune=False)
    for title, statement in plan_statements(computation, config):
        total = statement.total
        planner.add(
            title,
            (statement, pages),
            partial(render_statement, statement, generated_at=at, pages=pages),
            f"relevé de {statement.member} : {_declarations(total.declarations)}, "
            f"demandé {_eur(total.requested)}",
            must_exist=True,
        )
    problems = computation.problems
    errors = sum(1 for p in problems if p.severity == Severity.ERROR)
    planner.add(
        pages.anomalies,
        tuple(problems),
        partial(render_anomalies, problems, generated_at=at, governance=computation.governance),
        f"{errors} erreurs, {len(problems) - errors} avertissements",
    )
    # after the registres: their save may wait for the sources' rendering (sync.card_refresh)
    for title, entries in card_pages(computation, pages):
        planner.add(
            title, entries, partial(render_card_data, entries), card_digest(entries), rank=CARDS
        )
    return planner.finish()


def plan_retired(
    titles: Iterable[str], computation: Computation, config: SyncConfig
) -> list[PlannedPage]:
    """The bot's own pages among `titles` (pages it wrote before and no longer plans), each
    with a notice that there is nothing left to summarise, so that no stale figure stays
    there: a circle whose declarations of the year all went, a campaign whose `{{Cobudget}}`
    was removed. Data pages become an empty `{{#switch:}}`. Statement pages live on members'
    own pages and are left as they are; a retired page that was deleted stays deleted.
    """
    pages = config.pages
    at = _generated_at(computation, config)
    retired = []
    for title in sorted(titles):
        if not pages.is_output(title):
            continue
        renderer: Callable[[], str] = (
            render_retired_data
            if pages.is_data(title)
            else partial(render_retired, generated_at=at, anomalies_page=pages.anomalies)
        )
        retired.append(
            PlannedPage(title, "plus rien à récapituler", True, ("retired",), renderer, None)
        )
    return retired


def unsettled(planned: list[PlannedPage], settled: dict[str, str]) -> list[PlannedPage]:
    """The pages that may need a write: a page whose memo holds a text for this very data,
    and that text is the one last settled on the wiki ({title: text}), needs neither a read
    nor a write."""
    return [p for p in planned if (held := p.cached()) is None or settled.get(p.title) is not held]
