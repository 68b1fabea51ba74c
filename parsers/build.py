"""One record per template kind, from a `CallReader`; None when an error stops it.

Each builder reads every parameter (so that every unreadable value is reported, not only the
first), then checks what involves several parameters (`heures` or `montant`, minimum and
maximum, opening and closing dates).
"""

from __future__ import annotations

from collections.abc import Callable

from ledger.name import page_owner
from ledger.record import (
    Campaign,
    Circle,
    CircleState,
    Closing,
    Contribution,
    ContributionStatus,
    Envelope,
    Pledge,
    Project,
    ProjectStatus,
    Records,
    SettlementRule,
    StatementRequest,
)
from parsers.fields import name_text, wikitext
from parsers.reader import CallReader
from parsers.text import normalize_title, quote
from parsers.value import (
    parse_bool,
    parse_circle_state,
    parse_contribution_status,
    parse_date,
    parse_hours,
    parse_money,
    parse_project_status,
    parse_rate,
    parse_settlement_rule,
    parse_user,
    parse_user_list,
    parse_year,
)

Record = Circle | Envelope | Contribution | Campaign | Project | Pledge | StatementRequest | Closing
# The parameters whose text as written the history shows (`from`/`to` of its events).
CONTRIBUTION_WRITTEN = ("contributeur", "cercle", "date", "heures", "montant", "statut", "mission")
PLEDGE_WRITTEN = ("campagne", "projet", "membre", "montant")


def build_circle(r: CallReader) -> Circle | None:
    name = r.read("nom", name_text, required=True)
    referents = r.read("référents", parse_user_list)
    channel = r.read("canal", wikitext)
    state = r.read("état", parse_circle_state)
    if r.failed or name is None:
        return None
    return Circle(name, r.source, referents or (), channel or "", state or CircleState.ACTIVE)


def build_envelope(r: CallReader) -> Envelope | None:
    circle = r.read("cercle", name_text, required=True)
    year = r.read("année", parse_year, required=True)
    amount = r.read("montant", parse_money, required=True)
    rate = r.read("taux horaire", parse_rate)
    if r.failed or circle is None or year is None or amount is None:
        return None
    return Envelope(circle, year, amount, r.source, hourly_rate=rate)


def build_contribution(r: CallReader) -> Contribution | None:
    contributor = r.read("contributeur", parse_user, required=True)
    circle = r.read("cercle", name_text, required=True)
    day = r.read("date", parse_date, required=True)
    hours = r.read("heures", parse_hours)
    amount = r.read("montant", parse_money)
    mission = r.read("mission", wikitext)
    status = r.read("statut", parse_contribution_status)
    if not r.given("heures") and not r.given("montant"):
        r.error(r.call.line, "heures ou montant manquant : ajoutez heures=3,5 ou montant=120 €")
    if r.failed or contributor is None or circle is None or day is None:
        return None
    return Contribution(
        contributor,
        circle,
        day,
        r.source,
        hours=hours,
        amount=amount,
        mission=mission or "",
        status=status or ContributionStatus.DECLARED,
        written=r.written(*CONTRIBUTION_WRITTEN),
    )


def build_campaign(r: CallReader) -> Campaign | None:
    name = r.read("campagne", name_text, required=True)
    envelope = r.read("enveloppe", parse_money)
    dotation = r.read("dotation", parse_money)
    participants = r.read("participants", parse_user_list)
    opening = r.read("ouverture", parse_date)
    closing = r.read("clôture", parse_date)
    cap = r.read("plafond par projet", parse_money)
    if not r.given("enveloppe") and not r.given("dotation"):
        r.error(
            r.call.line,
            "enveloppe ou dotation manquante : ajoutez enveloppe=10 000 € ou dotation=500 €",
        )
    if opening is not None and closing is not None and closing < opening:
        r.warning(
            r.line("clôture"),
            f"clôture {quote(r.raw('clôture'))} avant l'ouverture {quote(r.raw('ouverture'))} :"
            " vérifiez les dates",
        )
    if r.failed or name is None:
        return None
    return Campaign(name, r.source, envelope, dotation, participants or (), opening, closing, cap)


def build_project(r: CallReader) -> Project | None:
    campaign = r.read("campagne", name_text, required=True)
    title = r.read("titre", name_text, required=True)
    minimum = r.read("minimum", parse_money, required=True)
    maximum = r.read("maximum", parse_money)
    holders = r.read("porteurs", parse_user_list)
    cross_cutting = r.read("transversal", parse_bool)
    status = r.read("statut", parse_project_status)
    if minimum is not None and maximum is not None and maximum < minimum:
        r.error(
            r.line("maximum"),
            f"maximum {quote(r.raw('maximum'))} inférieur au minimum {quote(r.raw('minimum'))} :"
            " corrigez l'un des deux",
        )
    if r.failed or campaign is None or title is None or minimum is None:
        return None
    return Project(
        campaign,
        title,
        minimum,
        r.source,
        maximum=maximum,
        holders=holders or (),
        cross_cutting=bool(cross_cutting),
        status=status or ProjectStatus.PROPOSED,
    )


def build_pledge(r: CallReader) -> Pledge | None:
    campaign = r.read("campagne", name_text, required=True)
    project = r.read("projet", name_text, required=True)
    member = r.read("membre", parse_user, required=True)
    amount = r.read("montant", parse_money, required=True)
    if r.failed or campaign is None or project is None or member is None or amount is None:
        return None
    return Pledge(campaign, project, member, amount, r.source, written=r.written(*PLEDGE_WRITTEN))


def build_statement(r: CallReader) -> StatementRequest | None:
    owner = page_owner(normalize_title(r.title), r.user_namespaces)
    if owner is None:
        r.error(
            r.call.line,
            f"le modèle {r.template} ne sert que sur votre propre page utilisateur : "
            f"déplacez-le sur Utilisateur:Votre Nom ou une de ses sous-pages "
            f"(par exemple Utilisateur:Votre Nom/{r.template})",
        )
        return None
    return StatementRequest(owner, r.source)


def build_closing(r: CallReader) -> Closing | None:
    circle = r.read("cercle", name_text, required=True)
    year = r.read("année", parse_year, required=True)
    rule = r.read("règle", parse_settlement_rule, required=True)
    floor = r.read("plancher", parse_money)
    day = r.read("date", parse_date)
    decision = r.read("décision", wikitext)
    if rule is SettlementRule.FLOOR and floor is None and not r.failed:
        r.error(
            r.line("règle"),
            "règle « plancher » sans montant de plancher : ajoutez plancher=300 € "
            "(le plancher décidé pour chaque contributeur·rice)",
        )
    elif rule is not None and rule is not SettlementRule.FLOOR and floor is not None:
        r.warning(
            r.line("plancher"),
            f"plancher {quote(r.raw('plancher'))} ignoré : la règle « {rule.label} » n'en utilise"
            " pas ; retirez-le ou choisissez règle=plancher",
        )
    if r.failed or circle is None or year is None or rule is None:
        return None
    return Closing(circle, year, rule, r.source, floor, day, decision or "")


BUILDERS: dict[str, Callable[[CallReader], Record | None]] = {
    "circle": build_circle,
    "envelope": build_envelope,
    "contribution": build_contribution,
    "campaign": build_campaign,
    "project": build_project,
    "pledge": build_pledge,
    "statement": build_statement,
    "closing": build_closing,
}


def add_record(records: Records, record: Record | None) -> None:
    """Put a record in its list (nothing for None)."""
    match record:
        case Circle():
            records.circles.append(record)
        case Envelope():
            records.envelopes.append(record)
        case Contribution():
            records.contributions.append(record)
        case Campaign():
            records.campaigns.append(record)
        case Project():
            records.projects.append(record)
        case Pledge():
            records.pledges.append(record)
        case StatementRequest():
            records.statements.append(record)
        case Closing():
            records.closings.append(record)
