"""The parameters of each of our templates (DESIGN §3): names, aliases and examples.

Parameter names are compared loosely (`parsers.template.normalize_param_name`), so only real
alternative words are listed as aliases (`contributrice`, `taux`, `plafond`); `clotûre`,
`Annee` or `taux_horaire` need none.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from parsers.template import normalize_param_name
from parsers.text import clean

_SINGLE_LINK = re.compile(r"\[\[\s*:?([^\[\]|]+?)\s*(?:\|([^\[\]]*))?\]\]")


@dataclass(frozen=True, slots=True)
class Field:
    """One parameter: its name on the wiki, an example value for messages, its aliases."""

    name: str
    example: str
    feminine: bool = False
    aliases: tuple[str, ...] = ()

    def param_keys(self) -> tuple[str, ...]:
        return tuple(normalize_param_name(name) for name in (self.name, *self.aliases))

    def missing(self) -> str:
        missing = "manquante" if self.feminine else "manquant"
        return f"{self.name} {missing} : ajoutez {self.name}={self.example}"


FIELDS: dict[str, tuple[Field, ...]] = {
    "circle": (
        Field("nom", "Numérique"),
        Field(
            "référents",
            "Alice Martin, Bruno Lefèvre",
            aliases=("référentes", "référent·es", "référent·e·s", "référent", "référente"),
        ),
        Field("canal", "#numerique"),
        Field("état", "actif"),
    ),
    "envelope": (
        Field("cercle", "Numérique"),
        Field("année", "2026", feminine=True),
        Field("montant", "10 000 €"),
        Field("taux horaire", "30 €/h", aliases=("taux", "plafond horaire")),
    ),
    "contribution": (
        Field(
            "contributeur",
            "Alice Martin",
            aliases=("contributrice", "contributeur·rice", "contributeur·trice"),
        ),
        Field("cercle", "Numérique"),
        Field("date", "12/03/2026", feminine=True),
        Field("heures", "3,5", feminine=True, aliases=("heure",)),
        Field("montant", "120 €"),
        Field("mission", "Accueil des nouveaux membres", feminine=True),
        Field("statut", "déclarée"),
    ),
    "campaign": (
        Field("campagne", "2026", feminine=True),
        Field("enveloppe", "10 000 €", feminine=True),
        Field("dotation", "500 €", feminine=True),
        Field(
            "participants",
            "Alice Martin, Bruno Lefèvre",
            aliases=("participantes", "participant·es", "participant·e·s"),
        ),
        Field("ouverture", "01/03/2026", feminine=True),
        Field("clôture", "31/03/2026", feminine=True),
        Field("plafond par projet", "600 €", aliases=("plafond",)),
    ),
    "project": (
        Field("campagne", "2026", feminine=True),
        Field("titre", "Vélo cargo partagé"),
        Field("minimum", "900 €"),
        Field("maximum", "1 400 €"),
        Field(
            "porteurs",
            "Alice Martin",
            aliases=("porteuses", "porteur·ses", "porteur·euses", "porteur", "porteuse"),
        ),
        Field("transversal", "oui", aliases=("transversale",)),
        Field("statut", "proposé"),
    ),
    "pledge": (
        Field("campagne", "2026", feminine=True),
        Field("projet", "Vélo cargo partagé"),
        Field("membre", "Alice Martin"),
        Field("montant", "100 €"),
    ),
    "statement": (),
    "closing": (
        Field("cercle", "Numérique"),
        Field("année", "2026", feminine=True),
        Field("règle", "prorata", feminine=True),
        Field("plancher", "300 €"),
        Field("date", "15/01/2027", feminine=True),
        Field("décision", "[[Compte rendu AG 2027]]", feminine=True),
    ),
}


def name_text(raw: str, label: str) -> str:
    """A name (circle, campaign, project): as shown, spaces collapsed; `[[X|Y]]` -> `Y`."""
    value = clean(raw)
    link = _SINGLE_LINK.fullmatch(value)
    if link:
        value = clean(link.group(2) or link.group(1))
    return value


def wikitext(raw: str, label: str) -> str:
    """Free text (mission, channel): kept as written; escaping is the renderer's job."""
    return raw
