"""Shared builders of the parser tests: the value parsers, and a page's contributions by line."""

from __future__ import annotations

from collections.abc import Callable

from parsers.page import parse_page
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

# Every parser of parsers.value: each gives a value or raises a ValueFormatError.
VALUE_PARSERS: list[Callable[[str], object]] = [
    parse_money,
    parse_rate,
    parse_hours,
    parse_date,
    parse_year,
    parse_user,
    parse_user_list,
    parse_bool,
    parse_contribution_status,
    parse_project_status,
    parse_circle_state,
    parse_settlement_rule,
]


def contributions(text: str, **options: object) -> list[tuple[int, str]]:
    """(line, mission) of each counted contribution of `text`."""
    records, _ = parse_page("Page d'essai", text, **options)  # type: ignore[arg-type]
    return [(c.source.line, c.mission) for c in records.contributions]
