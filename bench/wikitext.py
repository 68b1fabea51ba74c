"""The wikitext of each kind of synthetic page, written the many ways members write it."""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from bench import prose

Prose = Callable[[], str]
# (call as written, the text of its `montant`, its value): a declaration the benchmark may edit
EditableCall = tuple[str, str, Decimal]
COUNTED_STATUSES = ("", "déclarée", "validée")


@dataclass(frozen=True, slots=True)
class Declaration:
    contributor: str
    circle: str
    date: datetime.date
    hours: Decimal | None
    amount: Decimal | None
    mission: str
    status: str
    error: str = ""  # "" or the kind of mistake: circle, amount, no-date, bad-date


@dataclass(frozen=True, slots=True)
class Proposal:
    title: str
    minimum: Decimal
    maximum: Decimal | None
    holders: list[str]
    cross_cutting: bool
    status: str


@dataclass(frozen=True, slots=True)
class Pledge:
    project: str
    member: str
    amount: Decimal


def money(value: Decimal, rng: random.Random) -> str:
    """An amount as members type it: `450`, `1 200,50 €`, `1200.50`, with various spaces."""
    whole = value == value.to_integral_value()
    digits = f"{value:.0f}" if whole else f"{value:.2f}"
    style = rng.random()
    if style < 0.35:
        return digits.replace(".", ",")
    if style < 0.85:
        space = rng.choice([" ", " ", "\u00a0", "\u202f"])
        integer, _, cents = digits.partition(".")
        grouped = f"{int(integer):,}".replace(",", space)
        return f"{grouped},{cents} €" if cents else f"{grouped} €"
    return digits if not whole else f"{digits}.00"


def hours_text(value: Decimal, rng: random.Random) -> str:
    whole, fraction = divmod(value, 1)
    minutes = int(fraction * 60)
    if whole == 0:
        return f"{minutes} min"
    style = rng.random()
    if minutes == 0:
        return f"{whole}" if style < 0.7 else f"{whole}h"
    if style < 0.4:
        return f"{value}".replace(".", ",")
    if style < 0.6:
        return f"{value}"
    return f"{whole} h {minutes}" if style < 0.8 else f"{whole}h{minutes:02d}"


def date_text(value: datetime.date, rng: random.Random) -> str:
    style = rng.random()
    if style < 0.5:
        return value.isoformat()
    if style < 0.75:
        return value.strftime("%d/%m/%Y")
    day = "1er" if value.day == 1 else str(value.day)
    return f"{day} {prose.MONTHS[value.month - 1]} {value.year}"


def contributor_text(name: str, rng: random.Random) -> str:
    style = rng.random()
    if style < 0.7:
        return name
    if style < 0.9:
        return f"[[Utilisateur:{name}|{name.split()[0]}]]"
    return f"{{{{u|{name}}}}}"


def contribution_call(d: Declaration, rng: random.Random) -> tuple[str, EditableCall | None]:
    """One `{{Contribution}}` call, inline or multi-line; and whether the benchmark may edit it."""
    params: list[tuple[str, str]] = [("contributeur", contributor_text(d.contributor, rng))]
    params.append(("cercle", d.circle))
    if d.error == "bad-date":
        params.append(("date", f"31/02/{d.date.year}"))
    elif d.error != "no-date":
        params.append(("date", date_text(d.date, rng)))
    if d.hours is not None:
        params.append(("heures", hours_text(d.hours, rng)))
    amount_text = ""
    if d.error == "amount":
        params.append(("montant", rng.choice(["douze euros", "12,5,0", "€€", "1 2OO"])))
    elif d.amount is not None:
        amount_text = money(d.amount, rng)
        params.append(("montant", amount_text))
    params.append(("mission", d.mission))
    if d.status:
        params.append(("statut", d.status))
    if rng.random() < 0.05:
        params = [(name.capitalize(), value) for name, value in params]
    if rng.random() < 0.25:
        width = max(len(name) for name, _ in params)
        body = "".join(f"\n |{name.ljust(width)} = {value}" for name, value in params)
        return "{{Contribution" + body + "\n}}", None
    call = "{{Contribution|" + "|".join(f"{name}={value}" for name, value in params) + "}}"
    editable = (
        not d.error
        and d.hours is None
        and d.amount is not None
        and d.date.year == 2026
        and d.status in COUNTED_STATUSES
    )
    return call, (call, amount_text, d.amount) if editable and d.amount is not None else None


def contribution_page(
    declarations: list[Declaration], rng: random.Random, text: Prose
) -> tuple[str, list[EditableCall]]:
    """A member's page of declarations, in one to three sections with prose around them."""
    parts = [text(), ""]
    editable: list[EditableCall] = []
    sections = min(len(declarations), rng.randint(1, 3))
    cut = sorted(rng.sample(range(1, len(declarations)), sections - 1)) if sections > 1 else []
    for number, (start, end) in enumerate(zip([0, *cut], [*cut, len(declarations)], strict=True)):
        parts.append(f"== {prose.HEADINGS[(number + rng.randint(0, 8)) % len(prose.HEADINGS)]} ==")
        for declaration in declarations[start:end]:
            call, target = contribution_call(declaration, rng)
            parts.append(f"* {call}")
            if target:
                editable.append(target)
            if rng.random() < 0.1:
                parts.append(f": {text()}")
        if rng.random() < 0.5:
            parts += ["", text()]
        parts.append("")
    year = declarations[0].date.year
    parts.append(f"[[Catégorie:Contributions {year}]]")
    return "\n".join(parts) + "\n", editable


def circle_page(
    name: str,
    referents: list[str],
    envelopes: dict[int, Decimal],
    declarations: list[Declaration],
    rng: random.Random,
    text: Prose,
) -> str:
    links = ", ".join(f"[[Utilisateur:{r}|{r.split()[0]}]]" for r in referents)
    state = "actif" if rng.random() < 0.9 else "en sommeil"
    channel = "#" + name.lower().replace(" ", "-")
    *older, (year, amount) = sorted(envelopes.items())
    rate = rng.choice(["", "", "|taux horaire=30", "|taux horaire=30 €/h", "|taux horaire=35 €"])
    parts = [
        f"{{{{Cercle|nom={name}|référents={links}|canal={channel}|état={state}}}}}",
        "",
        text(),
        "",
        "== Enveloppe ==",
        f"{{{{Enveloppe cercle|cercle={name}|année={year}|montant={money(amount, rng)}{rate}}}}}",
        "",
        text(),
        "",
    ]
    for old_year, old in reversed(older):  # the previous years, the latest first
        parts += [
            f"== Bilan {old_year} ==",
            f"{{{{Enveloppe cercle|cercle={name}|annee={old_year}|montant={money(old, rng)}}}}}",
            "",
        ]
    if declarations:
        parts += ["== Contributions déclarées ici ==", text()]
        parts += [
            f"* {contribution_call(d, rng)[0]}" for d in sorted(declarations, key=lambda d: d.date)
        ]
        parts.append("")
    parts.append("[[Catégorie:Cercles]]")
    return "\n".join(parts) + "\n"


def statement_page(text: str) -> str:
    return f"{{{{Relevé}}}}\n\n{text}\n\n== Mon activité ==\n{text}\n"


def campaign_page(
    campaign: str,
    envelope: Decimal,
    participants: list[str],
    cap: Decimal,
    proposals: list[Proposal],
    text: Prose,
) -> str:
    amount = f"{envelope:,.0f}".replace(",", "\u00a0")
    call = (
        f"{{{{Cobudget|campagne={campaign}|enveloppe={amount} €|"
        f"participants={', '.join(participants)}|ouverture=1er octobre 2026|"
        f"clôture=15 décembre 2026|plafond par projet={cap}}}}}"
    )
    lines = [
        f"Le '''co-budget {campaign}''' répartit une partie du résultat de la fédération sur des "
        "projets proposés par les membres.",
        "",
        call,
        "",
        "== Comment ça marche ==",
        text(),
        "",
        "== Les propositions ==",
    ]
    lines += [f"* [[Cobudget {campaign}/Projet {p.title}|{p.title}]]" for p in proposals]
    lines += ["", "[[Catégorie:Cobudget]]"]
    return "\n".join(lines) + "\n"


def pledge_call(campaign: str, pledge: Pledge, rng: random.Random) -> str:
    return (
        f"{{{{Soutien cobudget|campagne={campaign}|projet={pledge.project}|"
        f"membre={pledge.member}|montant={money(pledge.amount, rng)}}}}}"
    )


def proposal_page(
    campaign: str, proposal: Proposal, pledges: list[Pledge], rng: random.Random, text: Prose
) -> str:
    params = [
        f"campagne={campaign}",
        f"titre={proposal.title}",
        f"minimum={money(proposal.minimum, rng)}",
    ]
    if proposal.maximum is not None:
        params.append(f"maximum={money(proposal.maximum, rng)}")
    params.append(f"porteurs={', '.join(proposal.holders)}")
    params.append(f"transversal={'oui' if proposal.cross_cutting else 'non'}")
    if proposal.status:
        params.append(f"statut={proposal.status}")
    lines = ["{{Projet cobudget|" + "|".join(params) + "}}", "", text(), "", "== Budget ==", text()]
    lines += ["", "== Soutiens =="]
    lines += [f"* {pledge_call(campaign, p, rng)}" for p in pledges]
    return "\n".join(lines) + "\n"


def pledge_page(
    campaign: str, dotation: Decimal, pledges: list[Pledge], rng: random.Random, text: Prose
) -> str:
    lines = [
        f"Mes choix pour le [[Cobudget {campaign}|co-budget {campaign}]]. "
        f"Ma dotation est de {money(dotation, rng)}.",
        "",
    ]
    for pledge in pledges:
        comment = f" — {text()}" if rng.random() < 0.15 else ""
        lines.append(f"* {pledge_call(campaign, pledge, rng)}{comment}")
    lines += ["", text()]
    return "\n".join(lines) + "\n"
