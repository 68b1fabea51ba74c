"""One page's wikitext -> records and problems, for the seven templates of DESIGN §3.

Every call of one of our templates becomes a record, or at least one `error` problem saying
what to fix (the declaration is then not counted rather than counted wrong). Warnings
(unknown or duplicated parameters) do not stop a record.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ledger.name import fold, suggest
from ledger.record import (
    Campaign,
    Circle,
    Contribution,
    Envelope,
    Pledge,
    Problem,
    Project,
    Records,
    Severity,
    Source,
    StatementRequest,
)
from parsers import value as v
from parsers.template import (
    MAX_PAGE_CHARS,
    TemplateCall,
    find_calls,
    normalize_param_name,
    normalize_template_name,
)


@dataclass(frozen=True)
class TemplateNames:
    """Names of our templates on the wiki (configurable; these are Optéos' names)."""

    circle: str = "Cercle"
    envelope: str = "Enveloppe cercle"
    contribution: str = "Contribution"
    campaign: str = "Cobudget"
    project: str = "Projet cobudget"
    pledge: str = "Soutien cobudget"
    statement: str = "Relevé"


# Parameters per template kind: (display name, required, parser, aliases).
Parser = Callable[[str], Any]


@dataclass(frozen=True, slots=True)
class Spec:
    name: str
    required: bool
    parse: Parser
    aliases: tuple[str, ...] = ()


def _text(raw: str) -> str:
    return raw


SPECS: dict[str, tuple[Spec, ...]] = {
    "circle": (
        Spec("nom", True, _text),
        Spec("référents", False, v.parse_user_list, ("référentes", "référent·es", "referent")),
        Spec("canal", False, _text),
        Spec("état", False, v.parse_circle_state),
    ),
    "envelope": (
        Spec("cercle", True, _text),
        Spec("année", True, v.parse_year),
        Spec("montant", True, v.parse_money),
        Spec("taux horaire", False, v.parse_money, ("taux",)),
    ),
    "contribution": (
        Spec("contributeur", True, v.parse_user, ("contributrice", "contributeur·rice")),
        Spec("cercle", True, _text),
        Spec("date", True, v.parse_date),
        Spec("heures", False, v.parse_hours, ("durée",)),
        Spec("montant", False, v.parse_money),
        Spec("mission", False, _text),
        Spec("statut", False, v.parse_contribution_status),
    ),
    "campaign": (
        Spec("campagne", True, _text),
        Spec("enveloppe", False, v.parse_money),
        Spec("dotation", False, v.parse_money),
        Spec("participants", False, v.parse_user_list),
        Spec("ouverture", False, v.parse_date),
        Spec("clôture", False, v.parse_date),
        Spec("plafond par projet", False, v.parse_money, ("plafond",)),
    ),
    "project": (
        Spec("campagne", True, _text),
        Spec("titre", True, _text),
        Spec("minimum", True, v.parse_money),
        Spec("maximum", False, v.parse_money),
        Spec("porteurs", False, v.parse_user_list, ("porteuses", "porteur·ses")),
        Spec("transversal", False, v.parse_bool, ("transversale",)),
        Spec("statut", False, v.parse_project_status),
    ),
    "pledge": (
        Spec("campagne", True, _text),
        Spec("projet", True, _text),
        Spec("membre", True, v.parse_user),
        Spec("montant", True, v.parse_money),
    ),
    "statement": (),
}


def _template_of(kind: str, names: TemplateNames) -> str:
    return str(getattr(names, kind))


def parse_page(
    title: str,
    text: str,
    names: TemplateNames = TemplateNames(),
    aliases: Mapping[str, str] | None = None,
) -> tuple[Records, list[Problem]]:
    """Records and problems of one page. `aliases`: {other template name: one of ours}."""
    records, problems = Records(), []
    if len(text) > MAX_PAGE_CHARS:
        problems.append(
            Problem(
                Source(title, 1),
                names.contribution,
                Severity.ERROR,
                f"page trop longue ({len(text)} caractères) : elle n'est pas lue ; "
                "découpez-la en plusieurs pages",
            )
        )
        return records, problems
    wanted: dict[str, str] = {}
    for kind in SPECS:
        normalized = normalize_template_name(_template_of(kind, names))
        if normalized:
            wanted[normalized] = kind
    for alias, target in (aliases or {}).items():
        alias_name, target_name = normalize_template_name(alias), normalize_template_name(target)
        if alias_name and target_name and target_name in wanted:
            wanted.setdefault(alias_name, wanted[target_name])
    for call in find_calls(text, wanted):
        reader = _CallReader(title, call, _template_of(call.kind, names))
        record = reader.read()
        problems.extend(reader.problems)
        if record is not None:
            _add(records, record)
    return records, problems


def _add(records: Records, record: object) -> None:
    target = {
        Circle: records.circles,
        Envelope: records.envelopes,
        Contribution: records.contributions,
        Campaign: records.campaigns,
        Project: records.projects,
        Pledge: records.pledges,
        StatementRequest: records.statements,
    }[type(record)]
    target.append(record)  # type: ignore[attr-defined]


@dataclass
class _CallReader:
    title: str
    call: TemplateCall
    template: str
    problems: list[Problem] = field(default_factory=list)

    def problem(self, line: int, severity: Severity, message: str) -> None:
        self.problems.append(Problem(Source(self.title, line), self.template, severity, message))

    def read(self) -> object | None:
        specs = SPECS[self.call.kind]
        values = self.values(specs)
        if values is None:
            return None
        source = Source(self.title, self.call.line)
        build: Callable[[dict[str, Any], Source], object | None] = getattr(
            self, f"build_{self.call.kind}"
        )
        return build(values, source)

    def values(self, specs: tuple[Spec, ...]) -> dict[str, Any] | None:
        """Parsed values by display name; None when an error stops the record."""
        known: dict[str, Spec] = {}
        for spec in specs:
            for alias in (spec.name, *spec.aliases):
                known[normalize_param_name(alias)] = spec
        for duplicate in self.call.duplicates:
            self.problem(
                duplicate.line,
                Severity.WARNING,
                f"paramètre « {duplicate.name} » en double : seule la dernière valeur compte ; "
                "supprimez l'autre",
            )
        for param in self.call.positional:
            self.problem(
                param.line,
                Severity.WARNING,
                f"valeur sans nom de paramètre « {param.value[:40]} » ignorée : écrivez nom=valeur",
            )
        values: dict[str, Any] = {}
        failed = False
        for key, param in self.call.params.items():
            found = known.get(key)
            if found is None:
                hint = suggest(param.name, [s.name for s in specs])
                message = f"paramètre inconnu « {param.name} » ignoré"
                if hint:
                    message += f" — vouliez-vous dire « {hint} » ?"
                self.problem(param.line, Severity.WARNING, message)
                continue
            spec = found
            if not param.value:
                continue  # an empty value is an absent value
            try:
                values[spec.name] = spec.parse(param.value)
            except v.ValueFormatError as error:
                self.problem(param.line, Severity.ERROR, f"{spec.name} : {error.message}")
                failed = True
        for spec in specs:
            if spec.required and spec.name not in values and not failed:
                given = any(known.get(k) is spec for k in self.call.params)
                what = "vide" if given else "manquant"
                self.problem(
                    self.call.line,
                    Severity.ERROR,
                    f"paramètre « {spec.name} » {what} : ajoutez {spec.name}=… "
                    f"(la déclaration n'est pas comptée)",
                )
                failed = True
        return None if failed else values

    def build_circle(self, values: dict[str, Any], source: Source) -> Circle:
        return Circle(
            " ".join(values["nom"].split()),
            source,
            referents=values.get("référents", ()),
            channel=values.get("canal", ""),
            state=values.get("état", Circle.__dataclass_fields__["state"].default),
        )

    def build_envelope(self, values: dict[str, Any], source: Source) -> Envelope:
        return Envelope(
            " ".join(values["cercle"].split()),
            values["année"],
            values["montant"],
            source,
            hourly_rate=values.get("taux horaire"),
        )

    def build_contribution(self, values: dict[str, Any], source: Source) -> Contribution | None:
        hours: Decimal | None = values.get("heures")
        amount: Decimal | None = values.get("montant")
        if hours is None and amount is None:
            self.problem(
                source.line,
                Severity.ERROR,
                "ni heures ni montant : ajoutez heures=… ou montant=… "
                "(la déclaration n'est pas comptée)",
            )
            return None
        kwargs: dict[str, Any] = {}
        if "statut" in values:
            kwargs["status"] = values["statut"]
        return Contribution(
            values["contributeur"],
            " ".join(values["cercle"].split()),
            values["date"],
            source,
            hours=hours,
            amount=amount,
            mission=values.get("mission", ""),
            **kwargs,
        )

    def build_campaign(self, values: dict[str, Any], source: Source) -> Campaign:
        return Campaign(
            " ".join(values["campagne"].split()),
            source,
            envelope=values.get("enveloppe"),
            dotation=values.get("dotation"),
            participants=values.get("participants", ()),
            opening=values.get("ouverture"),
            closing=values.get("clôture"),
            project_cap=values.get("plafond par projet"),
        )

    def build_project(self, values: dict[str, Any], source: Source) -> Project:
        kwargs: dict[str, Any] = {}
        if "statut" in values:
            kwargs["status"] = values["statut"]
        return Project(
            " ".join(values["campagne"].split()),
            " ".join(values["titre"].split()),
            values["minimum"],
            source,
            maximum=values.get("maximum"),
            holders=values.get("porteurs", ()),
            cross_cutting=values.get("transversal", False),
            **kwargs,
        )

    def build_pledge(self, values: dict[str, Any], source: Source) -> Pledge:
        return Pledge(
            " ".join(values["campagne"].split()),
            " ".join(values["projet"].split()),
            values["membre"],
            values["montant"],
            source,
        )

    def build_statement(self, values: dict[str, Any], source: Source) -> StatementRequest | None:
        prefix, colon, rest = self.title.partition(":")
        if colon and fold(prefix) in v.USER_PREFIXES and rest.strip():
            return StatementRequest(v.normalize_user(rest.split("/", 1)[0]), source)
        self.problem(
            source.line,
            Severity.WARNING,
            f"{{{{{self.template}}}}} ignoré ici : placez-le sur votre page utilisateur "
            "ou une de ses sous-pages (Utilisateur:Votre Nom/Relevé)",
        )
        return None
