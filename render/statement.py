"""Personal statement pages: which `{{Relevé}}` requests get one, and their generated wikitext.

Nobody gets a statement they did not ask for: a statement is written only on a page where
`{{Relevé}}` stands, and only when that page is the member's own user page or one of its
subpages (`Utilisateur:Alice Martin`, `Utilisateur:Alice Martin/Relevé`) in one of the
configured user namespaces. A request anywhere else is ignored.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ledger.name import page_owner as page_owner
from ledger.record import StatementRequest
from ledger.report import CountedContribution
from ledger.statement import (
    CampaignLine,
    CircleLine,
    PledgeLine,
    Statement,
    YearLine,
    compute_statement,
    normalise_member,
)
from render.pages import PLEDGE_STATE, PROJECT_STATUS, _render

if TYPE_CHECKING:
    from render.compute import Computation
    from render.config import PageTitles, SyncConfig


@dataclass(frozen=True, slots=True)
class _YearBlock:
    line: YearLine
    declarations: tuple[CountedContribution, ...]
    splits: tuple[CircleLine, ...]  # circles over their envelope where the member has a share
    registry: str  # title of the year's registry page, "" when not linked


@dataclass(frozen=True, slots=True)
class _PledgeRow:
    pledge: PledgeLine
    state: str  # in French
    status: str  # of the project, in French


@dataclass(frozen=True, slots=True)
class _CampaignBlock:
    line: CampaignLine
    rows: tuple[_PledgeRow, ...]
    bilan: str  # title of the campagne's bilan page, "" when not linked


def render_statement(
    statement: Statement,
    *,
    generated_at: datetime.datetime,
    pages: PageTitles | None = None,
) -> str:
    """The generated part of a member's statement page (French).

    With `pages`, each year links to its registry and each campagne to its bilan.
    """
    years = []
    for line in statement.years:
        declarations = tuple(c for c in statement.declarations if c.date.year == line.year)
        splits = tuple(
            c
            for c in line.circles
            if c.over_envelope and c.proposed is not None and c.closing_rule is None
        )
        registry = pages.registry_for(line.year) if pages else ""
        years.append(_YearBlock(line, declarations, splits, registry))
    campaigns = []
    for position in statement.campaigns:
        rows = tuple(
            _PledgeRow(
                pledge,
                PLEDGE_STATE.get(pledge.state, pledge.state),
                PROJECT_STATUS.get(pledge.project_status or "", pledge.project_status or ""),
            )
            for pledge in position.pledges
        )
        bilan = pages.bilan_for(position.campagne) if pages else ""
        campaigns.append(_CampaignBlock(position, rows, bilan))
    return _render(
        "statement.j2",
        generated_at=generated_at,
        member=statement.member,
        total=statement.total,
        remaining=statement.remaining,
        years=years,
        splits=[split for block in years for split in block.splits],
        closed=[(block.line.year, c) for block in years for c in block.line.circles if c.due],
        over_ceiling=any(c.over_ceiling for c in statement.declarations),
        campaigns=campaigns,
        suspended=any(c.suspended for c in statement.campaigns),
    )


def requested_statements(
    requests: Iterable[StatementRequest], user_namespaces: Iterable[str]
) -> dict[str, str]:
    """{page title: member} for each `{{Relevé}}` placed on the member's own page or subpage.

    A request is honoured only when the page's owner is the member it names, so that a
    request can never produce someone else's statement; each page gets one statement.
    """
    namespaces = tuple(user_namespaces)
    pages: dict[str, str] = {}
    for request in sorted(requests, key=lambda r: r.source):
        owner = page_owner(request.source.page, namespaces)
        named = normalise_member(request.member).split("/", 1)[0].strip()
        if owner is not None and named == owner:
            pages.setdefault(request.source.page, owner)
    return pages


def plan_statements(computation: Computation, config: SyncConfig) -> list[tuple[str, Statement]]:
    """(page title, statement) for every honoured request, by title; pure, reads nothing."""
    requested = requested_statements(computation.records.statements, config.user_namespaces)
    statements: dict[str, Statement] = {}
    planned = []
    for title, member in sorted(requested.items()):
        if config.pages.is_output(title):
            continue  # the bot's own summary pages are never statement pages
        held = computation.statements
        if member not in statements and held is not None and member in held:
            statements[member] = held[member]  # kept up to date by render.incremental
        if member not in statements:
            # The reports are read once by member for all statements (the index is built
            # on the first one), not once per statement.
            statements[member] = compute_statement(
                computation.records, member, index=computation.statement_index()
            )
        planned.append((title, statements[member]))
    return planned
