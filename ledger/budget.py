"""Co-budget rules (DESIGN §4): a campaign's dotations, pledges, suspensions and project totals."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from ledger.french import format_money, pledge_state_label
from ledger.name import NameHints, fold, member_name, name_key, unknown_message
from ledger.record import (
    ZERO,
    Campaign,
    Pledge,
    Problem,
    Project,
    ProjectStatus,
    Records,
    Severity,
    floor_money,
    round_money,
    sort_problems,
)
from ledger.report import CampaignReport, CountedPledge, MemberTotals, ProjectTotals

CAMPAIGN_TEMPLATE = "Cobudget"
PROJECT_TEMPLATE = "Projet cobudget"
PLEDGE_TEMPLATE = "Soutien cobudget"

_E = Severity.ERROR
_W = Severity.WARNING

# Funded projects first: they are the result members look for.
_STATUS_ORDER = {"funded": 0, "open": 1, "done": 2, "cancelled": 3}


class UnknownCampaign(KeyError):
    """Asked for a campaign that no `{{Cobudget}}` declares: the caller's input, not a typo."""

    def __init__(self, name: str, known: list[str]) -> None:
        super().__init__(name)
        self.name = name
        self.message = unknown_message("campagne", name, known)

    def __str__(self) -> str:
        return self.message


# The one name of a pledge that cannot count, in its problems as on the Bilan and the exports.
REFUSED = pledge_state_label("rejected")


def euros(amount: Decimal) -> str:
    """An amount as French messages show it: `1 200,50 €` (`ledger.french.format_money`)."""
    return format_money(amount)


def _key(name: str) -> str:
    """Campaigns and projects match with spaces collapsed and case ignored."""
    return name_key(name)


def _user(name: str) -> str:
    """A member name normalised as MediaWiki does (`ledger.name.member_name`)."""
    return member_name(name)


def _by_name(name: str) -> tuple[str, str]:
    return (fold(name), name)


@dataclass(slots=True)
class _Index:
    """Records grouped by campaign key; problems carry the key of the campaign they concern."""

    campaigns: dict[str, Campaign] = field(default_factory=dict)
    projects: dict[str, list[Project]] = field(default_factory=lambda: defaultdict(list))
    pledges: dict[str, list[Pledge]] = field(default_factory=lambda: defaultdict(list))
    problems: list[tuple[str | None, Problem]] = field(default_factory=list)
    hints: NameHints = field(default_factory=lambda: NameHints(()))  # campaign names


def _index(records: Records) -> _Index:
    index = _Index()
    for campaign in sorted(records.campaigns, key=lambda c: (c.source, c.name)):
        key = _key(campaign.name)
        first = index.campaigns.get(key)
        if first is None:
            index.campaigns[key] = campaign
            continue
        message = (
            f"campagne « {campaign.name} » déjà déclarée en {first.source.page}:"
            f"{first.source.line} : ce doublon est ignoré ; supprimez-le ou renommez la campagne"
        )
        index.problems.append((key, Problem(campaign.source, CAMPAIGN_TEMPLATE, _E, message)))
    index.hints = NameHints([c.name for c in index.campaigns.values()])
    # Source order decides which duplicate wins and which pledge meets a cap first; the
    # other fields only break ties between templates on the same line.
    projects = sorted(
        records.projects, key=lambda p: (p.source.page, p.source.line, p.title, p.minimum)
    )
    for project in projects:
        if (found := _known(index, project, PROJECT_TEMPLATE)) is not None:
            index.projects[found].append(project)
    for pledge in sorted(records.pledges, key=_pledge_order):
        if (found := _known(index, pledge, PLEDGE_TEMPLATE)) is not None:
            index.pledges[found].append(pledge)
    return index


def _pledge_order(pledge: Pledge) -> tuple[str, int, str, str, Decimal]:
    """By source, then member, project and amount (plain tuples sort faster than `Source`)."""
    return (pledge.source.page, pledge.source.line, pledge.member, pledge.project, pledge.amount)


def _known(index: _Index, item: Project | Pledge, template: str) -> str | None:
    """The key of the item's campaign, or None after recording an unknown-campaign error."""
    key = _key(item.campaign)
    if key in index.campaigns:
        return key
    hint = index.hints.suggest(item.campaign)
    message = index.hints.unknown_message("campagne", item.campaign)
    index.problems.append(
        (None if hint is None else _key(hint), Problem(item.source, template, _E, message))
    )
    return None


def campaign_names(records: Records) -> list[str]:
    """The declared campaigns (first `{{Cobudget}}` of each name), sorted by name."""
    return sorted((c.name for c in _index(records).campaigns.values()), key=_by_name)


def compute_campaigns(records: Records) -> tuple[dict[str, CampaignReport], list[Problem]]:
    """Every campaign's report (by name, in `campaign_names` order) and every co-budget problem.

    Records are indexed once and each campaign computed once: the reports equal
    `compute_campaign` of each name, the problems equal `check_campaigns`.
    """
    index = _index(records)
    problems = [problem for _, problem in index.problems]
    reports: dict[str, CampaignReport] = {}
    for key in index.campaigns:
        report = _compute(index, key)
        problems.extend(report.problems)
        related = [problem for concern, problem in index.problems if concern == key]
        report.problems = sort_problems(report.problems + related)
        reports[report.campagne] = report
    ordered = {name: reports[name] for name in sorted(reports, key=_by_name)}
    return ordered, sort_problems(problems)


def check_campaigns(records: Records) -> list[Problem]:
    """Every co-budget problem of every campaign, for the anomalies page.

    The same as the problems of `compute_campaigns`, found without assembling the reports.
    """
    index = _index(records)
    problems = [problem for _, problem in index.problems]
    for key in index.campaigns:
        problems.extend(_compute(index, key).problems)
    return sort_problems(problems)


def compute_campaign(
    records: Records, campagne: str, *, today: datetime.date | None = None
) -> CampaignReport:
    """The totals of one campaign; raises `UnknownCampaign` when it is not declared.

    `problems` holds the campaign's own problems plus duplicates of its `{{Cobudget}}` and
    references to an unknown campaign whose nearest name is this one. `today` is accepted for
    callers that date their reports; no rule depends on it yet (pledges carry no date).
    """
    index = _index(records)
    key = _key(campagne)
    if key not in index.campaigns:
        raise UnknownCampaign(campagne, [c.name for c in index.campaigns.values()])
    report = _compute(index, key)
    related = [problem for concern, problem in index.problems if concern == key]
    report.problems = sort_problems(report.problems + related)
    return report


@dataclass(slots=True)
class _Bucket:
    """A project being totalled; `maximum` is None when absent or ignored."""

    project: Project
    maximum: Decimal | None
    pledged: Decimal = ZERO
    supporters: set[str] = field(default_factory=set)


def _compute(index: _Index, key: str) -> CampaignReport:
    campaign = index.campaigns[key]
    problems: list[Problem] = []
    participants = sorted({_user(p) for p in campaign.participants if p.strip()}, key=_by_name)
    envelope, dotation = _envelope_and_dotation(campaign, len(participants), problems)
    buckets = _buckets(campaign, index.projects[key], problems)
    people = NameHints(participants)
    titles = NameHints([bucket.project.title for bucket in buckets.values()])
    round_ = _Round(campaign, participants, dotation, buckets, problems, people, titles)
    accepted = round_.screen(index.pledges[key])
    members = [round_.settle(member, accepted.get(member, [])) for member in participants]
    projects = [_project_totals(bucket, problems) for bucket in buckets.values()]
    projects.sort(key=lambda p: (_STATUS_ORDER[p.status], *_by_name(p.title)))
    return CampaignReport(
        campagne=campaign.name,
        envelope=envelope,
        dotation=dotation,
        unallocated=envelope - dotation * len(participants),
        members=members,
        projects=projects,
        pledges=sorted(
            round_.judged,
            key=lambda p: (p.source.page, p.source.line, p.member, p.project, p.amount),
        ),
        problems=sort_problems(problems),
        opening=campaign.opening,
        closing=campaign.closing,
        project_cap=campaign.project_cap,
        page=campaign.source.page,
    )


@dataclass(slots=True)
class _Round:
    """One campaign's pledges being judged: rejected, then counted or suspended per member."""

    campaign: Campaign
    participants: list[str]
    dotation: Decimal
    buckets: dict[str, _Bucket]
    problems: list[Problem]
    people: NameHints  # the participants
    titles: NameHints  # the projects' titles
    judged: list[CountedPledge] = field(default_factory=list)
    members: set[str] = field(init=False)

    def __post_init__(self) -> None:
        self.members = set(self.participants)

    def screen(self, pledges: list[Pledge]) -> dict[str, list[tuple[Pledge, _Bucket]]]:
        """Reject the pledges that cannot count; `pledges` come in `_pledge_order`."""
        accepted: dict[str, list[tuple[Pledge, _Bucket]]] = defaultdict(list)
        per_project: dict[tuple[str, str], Decimal] = defaultdict(lambda: ZERO)
        # Thousands of pledges spell a few hundred members and projects: normalise each once.
        members: dict[str, str] = {}
        projects: dict[str, _Bucket | None] = {}
        for pledge in pledges:
            member = members.get(pledge.member)
            if member is None:
                member = members[pledge.member] = _user(pledge.member)
            if pledge.project in projects:
                bucket = projects[pledge.project]
            else:
                bucket = projects[pledge.project] = self.buckets.get(_key(pledge.project))
            title = pledge.project if bucket is None else bucket.project.title
            already = per_project[(member, title)]
            reason = self.rejection(pledge, member, bucket, already)
            if reason is not None:
                self.problems.append(Problem(pledge.source, PLEDGE_TEMPLATE, _E, reason))
                self.judged.append(
                    CountedPledge(pledge.source, member, title, pledge.amount, "rejected")
                )
                continue
            assert bucket is not None  # rejection() refuses pledges to unknown projects
            per_project[(member, title)] = already + pledge.amount
            accepted[member].append((pledge, bucket))
        return accepted

    def settle(self, member: str, items: list[tuple[Pledge, _Bucket]]) -> MemberTotals:
        """Count a member's pledges, or suspend them all when their sum exceeds the dotation."""
        total = sum((pledge.amount for pledge, _ in items), ZERO)
        suspended = total > self.dotation
        for pledge, bucket in items:
            state = "suspended" if suspended else "counted"
            title = bucket.project.title
            self.judged.append(CountedPledge(pledge.source, member, title, pledge.amount, state))
            if suspended:
                message = (
                    f"soutiens de « {member} » suspendus : {euros(total)} promis au total dans "
                    f"la campagne « {self.campaign.name} », plus que sa dotation de "
                    f"{euros(self.dotation)} ; réduisez-les de {euros(total - self.dotation)} "
                    "pour qu'ils comptent (rien n'est perdu)"
                )
                self.problems.append(Problem(pledge.source, PLEDGE_TEMPLATE, _E, message))
            else:
                bucket.pledged += pledge.amount
                bucket.supporters.add(member)
        if suspended:
            return MemberTotals(member, self.dotation, ZERO, self.dotation, True, total)
        return MemberTotals(member, self.dotation, total, self.dotation - total, False)

    def rejection(
        self, pledge: Pledge, member: str, bucket: _Bucket | None, already: Decimal
    ) -> str | None:
        """Why a pledge does not count (French, says what to fix), or None when it counts."""
        name = self.campaign.name
        if pledge.amount <= 0:
            return f"soutien de {euros(pledge.amount)} {REFUSED} : le montant doit être positif"
        if member not in self.members:
            message = f"« {member} » ne participe pas à la campagne « {name} »"
            hint = self.people.suggest(member)
            message += "." if hint is None else f" — vouliez-vous dire « {hint} » ?"
            return f"{message} Soutien {REFUSED} : corrigez le nom ou inscrivez ce membre."
        if bucket is None:
            message = self.titles.unknown_message("projet", pledge.project)
            message += "" if message.endswith("?") else f" dans la campagne « {name} »."
            return f"{message} Soutien {REFUSED} : corrigez le titre du projet."
        title = bucket.project.title
        if bucket.project.status is ProjectStatus.CANCELLED:
            return f"projet annulé « {title} » : soutien {REFUSED} ; reportez-le ailleurs"
        cap = self.campaign.project_cap
        if cap is not None and already + pledge.amount > cap:
            return (
                f"plafond par projet de {euros(cap)} dépassé : « {member} » a déjà promis "
                f"{euros(already)} à « {title} » ; ce soutien de {euros(pledge.amount)} est "
                f"{REFUSED} — réduisez-le à {euros(cap - already)} au plus"
            )
        return None


def _envelope_and_dotation(
    campaign: Campaign, count: int, problems: list[Problem]
) -> tuple[Decimal, Decimal]:
    """The envelope and the dotation per participant, with warnings about the campaign itself."""

    def warn(message: str) -> None:
        problems.append(Problem(campaign.source, CAMPAIGN_TEMPLATE, _W, message))

    if count == 0:
        warn(
            f"aucun participant dans la campagne « {campaign.name} » : indiquez-les dans le "
            "paramètre participants (noms séparés par des virgules) ; sans eux aucun soutien "
            "ne compte"
        )
    if campaign.opening and campaign.closing and campaign.closing < campaign.opening:
        warn(
            f"la clôture de la campagne « {campaign.name} » précède son ouverture : "
            "corrigez les dates"
        )
    if campaign.dotation is not None:
        dotation = round_money(campaign.dotation)
        if campaign.envelope is None:
            return dotation * count, dotation
        envelope = round_money(campaign.envelope)
        if dotation * count > envelope:
            warn(
                f"les dotations de la campagne « {campaign.name} » ({count} × {euros(dotation)} = "
                f"{euros(dotation * count)}) dépassent l'enveloppe de {euros(envelope)} : "
                "baissez la dotation ou augmentez l'enveloppe"
            )
        return envelope, dotation
    if campaign.envelope is not None:
        envelope = round_money(campaign.envelope)
        return envelope, floor_money(envelope / count) if count else ZERO
    warn(
        f"la campagne « {campaign.name} » n'a ni enveloppe ni dotation : indiquez l'une ou "
        "l'autre ; sans elles aucun soutien ne compte"
    )
    return ZERO, ZERO


def _buckets(
    campaign: Campaign, projects: list[Project], problems: list[Problem]
) -> dict[str, _Bucket]:
    """The campaign's projects by title key: the first of a title wins, maximum checked."""
    buckets: dict[str, _Bucket] = {}
    for project in projects:
        key = _key(project.title)
        first = buckets.get(key)
        if first is not None:
            message = (
                f"projet « {project.title} » déjà proposé dans la campagne « {campaign.name} » "
                f"({first.project.source.page}:{first.project.source.line}) : ce doublon est "
                "ignoré ; fusionnez les deux ou changez le titre"
            )
            problems.append(Problem(project.source, PROJECT_TEMPLATE, _E, message))
            continue
        maximum = project.maximum
        if maximum is not None and maximum < project.minimum:
            message = (
                f"le maximum du projet « {project.title} » ({euros(maximum)}) est inférieur à son "
                f"minimum ({euros(project.minimum)}) : le maximum est ignoré ; "
                "corrigez l'un des deux"
            )
            problems.append(Problem(project.source, PROJECT_TEMPLATE, _E, message))
            maximum = None
        buckets[key] = _Bucket(project, maximum)
    return buckets


def _project_totals(bucket: _Bucket, problems: list[Problem]) -> ProjectTotals:
    project = bucket.project
    if project.status is ProjectStatus.CANCELLED:
        status = "cancelled"
    elif project.status is ProjectStatus.DONE:
        status = "done"
    else:
        status = "funded" if bucket.pledged >= project.minimum else "open"
    excess = ZERO
    if bucket.maximum is not None and bucket.pledged > bucket.maximum:
        excess = bucket.pledged - bucket.maximum
        message = (
            f"le projet « {project.title} » dépasse le maximum de {euros(bucket.maximum)} : "
            f"{euros(bucket.pledged)} promis, soit {euros(excess)} en trop"
        )
        problems.append(Problem(project.source, PROJECT_TEMPLATE, _W, message))
    return ProjectTotals(
        title=project.title,
        page=project.source.page,
        minimum=project.minimum,
        maximum=bucket.maximum,
        pledged=bucket.pledged,
        supporters=len(bucket.supporters),
        status=status,
        cross_cutting=project.cross_cutting,
        excess=excess,
        holders=project.holders,
        line=project.source.line,
    )
