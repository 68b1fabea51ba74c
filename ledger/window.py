"""The time rule of co-budget rounds: a pledge counts when it was written during the round.

When a campaign gives `ouverture` and/or `clôture`, a pledge counts only if the revision that
wrote it (its last change of campaign, project, member or amount) falls within them, by its
day in the configured timezone, both days included. After `clôture` the round is frozen: each
pledge counts as it stood at the end of that day; what changed later (a new pledge, an amount
changed, a pledge removed) is listed, not counted.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

from ledger.french import format_date, format_money
from ledger.history import RevisionRef, Trail, Version
from ledger.matching import loose_key
from ledger.record import Campaign, Pledge, Problem, Severity, Source, sort_problems
from ledger.report import CampaignReport, CountedPledge

TEMPLATE = "Soutien cobudget"


@dataclass(frozen=True, slots=True)
class PledgeVerdict:
    """A pledge and whether the time rule lets it count (`reason`, French, when it does not)."""

    pledge: Pledge  # the version that counts, or the one on the page when none does
    counted: bool
    reason: str | None
    written: RevisionRef  # the revision that wrote `pledge`
    late: str | None = None  # a change after the closing day, listed and not counted

    def problems(self) -> list[Problem]:
        """The warnings listed on the Bilan and the anomalies page for this pledge."""
        return [
            Problem(self.pledge.source, TEMPLATE, Severity.WARNING, message)
            for message in (self.reason, self.late)
            if message is not None
        ]


@dataclass(slots=True)
class Window:
    """The pledges a round counts and each pledge's verdict."""

    pledges: list[Pledge]
    verdicts: list[PledgeVerdict]

    @property
    def problems(self) -> list[Problem]:
        return [problem for verdict in self.verdicts for problem in verdict.problems()]


def _day(revision: RevisionRef, timezone: datetime.tzinfo) -> datetime.date:
    return revision.timestamp.astimezone(timezone).date()


def _euros(pledge: Pledge) -> str:
    return format_money(pledge.amount)


def apply_window(
    trails: Iterable[Trail], campaigns: Sequence[Campaign], timezone: datetime.tzinfo
) -> Window:
    """The time rule over every pledge's trail, removed ones included (they may still count)."""
    by_key = {loose_key(campaign.name): campaign for campaign in campaigns}
    window = Window([], [])
    for trail in trails:
        if trail.kind != "pledge":
            continue
        written = [v for v in trail.versions if isinstance(v.record, Pledge)]
        if not written:
            continue
        last = written[-1].record
        assert isinstance(last, Pledge)
        campaign = by_key.get(loose_key(last.campaign))
        current = trail.record if trail.present else None
        assert current is None or isinstance(current, Pledge)
        if campaign is None or (campaign.opening is None and campaign.closing is None):
            if current is not None:
                window.pledges.append(current)
                window.verdicts.append(PledgeVerdict(current, True, None, written[-1].revision))
            continue
        _judge(trail, current, campaign, timezone, window)
    return window


def _judge(
    trail: Trail,
    current: Pledge | None,
    campaign: Campaign,
    timezone: datetime.tzinfo,
    window: Window,
) -> None:
    closing, opening = campaign.closing, campaign.opening
    frozen: Version | None = None  # the version standing at the end of the closing day
    for version in trail.versions:
        if closing is None or _day(version.revision, timezone) <= closing:
            frozen = version
    latest = trail.versions[-1]
    if frozen is None or frozen.record is None:
        if current is not None:  # written after the closing day only
            day = _day(latest.revision, timezone)
            reason = (
                f"soutien écrit le {format_date(day)}, après la clôture de la campagne "
                f"« {campaign.name} » le {format_date(closing or day)} : il n'est pas compté"
            )
            window.verdicts.append(PledgeVerdict(current, False, reason, latest.revision))
        return
    pledge = frozen.record
    assert isinstance(pledge, Pledge)
    if current is not None:
        pledge = replace(pledge, source=current.source)  # where it is now
    day = _day(frozen.revision, timezone)
    if opening is not None and day < opening:
        reason = (
            f"soutien écrit le {format_date(day)}, avant l'ouverture de la campagne "
            f"« {campaign.name} » le {format_date(opening)} : il n'est pas compté ; "
            "modifiez-le pendant la campagne"
        )
        window.verdicts.append(PledgeVerdict(pledge, False, reason, frozen.revision))
        return
    window.pledges.append(pledge)
    if latest is frozen:
        window.verdicts.append(PledgeVerdict(pledge, True, None, frozen.revision))
        return
    closed = format_date(closing) if closing is not None else ""
    later = format_date(_day(latest.revision, timezone))
    if current is None:
        message = (
            f"soutien de {pledge.member} à « {pledge.project} » retiré le {later}, après la "
            f"clôture du {closed} : il reste compté ({_euros(pledge)}), les chiffres sont figés"
        )
    else:
        message = (
            f"soutien modifié le {later}, après la clôture du {closed} : la modification "
            f"n'est pas comptée, le soutien compté reste de {_euros(pledge)} à « {pledge.project} »"
        )
    window.verdicts.append(PledgeVerdict(pledge, True, None, frozen.revision, message))


def attach_window(report: CampaignReport, window: Window) -> None:
    """Add to a campaign's report who wrote each pledge and when, the pledges the time rule
    left out (state `outside`, with the reason) and the late changes, as problems."""
    key = loose_key(report.campagne)
    mine = [v for v in window.verdicts if loose_key(v.pledge.campaign) == key]
    written: dict[tuple[Source, Decimal], list[RevisionRef]] = defaultdict(list)
    for verdict in mine:
        if verdict.counted:
            written[verdict.pledge.source, verdict.pledge.amount].append(verdict.written)
    judged = []
    for counted in report.pledges:
        revisions = written.get((counted.source, counted.amount))
        judged.append(replace(counted, written=revisions.pop(0)) if revisions else counted)
    for verdict in mine:
        if not verdict.counted:
            pledge = verdict.pledge
            judged.append(
                CountedPledge(
                    pledge.source,
                    pledge.member,
                    pledge.project,
                    pledge.amount,
                    "outside",
                    verdict.written,
                    verdict.reason,
                )
            )
    report.pledges = sorted(judged, key=lambda p: (p.source.page, p.source.line, p.member))
    report.late = sort_problems([problem for verdict in mine for problem in verdict.problems()])
    report.problems = sort_problems(report.problems + report.late)
