"""Statuses and states typed by members; accents, case, gender and number are ignored.

A contribution is `déclarée` (default), `validée`, `versée`, `refusée` or `bénévole`
(`declare`, `Validé`, `versées`, `payée` read the same); a project `proposé` (default),
`annulé` or `réalisé`; a circle `actif` or `en sommeil`; a closing's rule `prorata`,
`plafond horaire`, `plancher` or `égalitaire` (`égalitaires`, `plafond_horaire` too).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from enum import StrEnum
from typing import TypeVar

from ledger.name import fold, suggest
from ledger.record import (
    RULE_LABELS,
    CircleState,
    ContributionStatus,
    ProjectStatus,
    SettlementRule,
)
from parsers.text import ValueFormatError, clean, quote

Status = TypeVar("Status", bound=StrEnum)


def _forms(*words: str) -> Iterator[str]:
    """A folded masculine singular word and its feminine and plural forms."""
    for word in words:
        yield from (word, word + "e", word + "s", word + "es")


def _table(spellings: Mapping[Status, tuple[str, ...]]) -> dict[str, Status]:
    return {form: status for status, words in spellings.items() for form in _forms(*words)}


_CONTRIBUTION = _table(
    {
        ContributionStatus.DECLARED: ("declare",),
        ContributionStatus.VALIDATED: ("valide",),
        ContributionStatus.PAID: ("verse", "paye"),
        ContributionStatus.REFUSED: ("refuse", "rejete"),
        ContributionStatus.VOLUNTARY: ("benevole", "benevolat"),
    }
)
_PROJECT = _table(
    {
        ProjectStatus.PROPOSED: ("propose",),
        ProjectStatus.CANCELLED: ("annule",),
        ProjectStatus.DONE: ("realise", "termine"),
    }
)
_CIRCLE = _table(
    {
        CircleState.ACTIVE: ("actif", "active"),
        CircleState.DORMANT: ("en sommeil", "sommeil", "inactif", "inactive", "en pause"),
    }
)

_RULE: dict[str, SettlementRule] = {
    **_table({rule: (fold(label),) for rule, label in RULE_LABELS.items()}),
    "pro rata": SettlementRule.PRORATA,
    "proportionnel": SettlementRule.PRORATA,
    "plafond_horaire": SettlementRule.HOURLY_CAP,
    "egal": SettlementRule.EQUAL,
}


def _parse(text: str, table: Mapping[str, Status], values: list[str], label: str) -> Status:
    value = clean(text)
    found = table.get(fold(value))
    if found is not None:
        return found
    possible = ", ".join(values)
    hint = suggest(value, values)
    if hint is not None:
        raise ValueFormatError(
            f"{label} inconnu {quote(text)} — vouliez-vous dire « {hint} » ? "
            f"(valeurs possibles : {possible})"
        )
    raise ValueFormatError(f"{label} inconnu {quote(text)} : écrivez l'une des valeurs {possible}")


def parse_contribution_status(text: str, label: str = "statut") -> ContributionStatus:
    return _parse(text, _CONTRIBUTION, [str(s) for s in ContributionStatus], label)


def parse_project_status(text: str, label: str = "statut") -> ProjectStatus:
    return _parse(text, _PROJECT, [str(s) for s in ProjectStatus], label)


def parse_circle_state(text: str, label: str = "état") -> CircleState:
    return _parse(text, _CIRCLE, [str(s) for s in CircleState], label)


def parse_settlement_rule(text: str, label: str = "règle") -> SettlementRule:
    """A closing's rule; an unknown one says which rule was meant, if one is close."""
    value = clean(text)
    found = _RULE.get(fold(value))
    if found is not None:
        return found
    labels = list(RULE_LABELS.values())
    possible = ", ".join(labels)
    hint = suggest(value, labels)
    if hint is not None:
        raise ValueFormatError(
            f"{label} inconnue {quote(text)} — vouliez-vous dire « {hint} » ? "
            f"(règles possibles : {possible})"
        )
    raise ValueFormatError(f"{label} inconnue {quote(text)} : écrivez l'une des règles {possible}")
