"""Plausibility limits: an implausible amount, hours or hourly rate is a warning with page and
line, and the declaration is counted all the same."""

from __future__ import annotations

import datetime
from decimal import Decimal as D
from pathlib import Path

import pytest

from ledger.plausibility import Limits, check_plausibility
from ledger.record import Contribution, ContributionStatus, Severity, Source
from parsers.page import parse_page
from render.compute import compute_all
from render.config import SyncConfig
from service.config import ConfigError, read_config

PAGE = "Utilisateur:Alice Martin/Contributions 2026"
CIRCLE = "{{Cercle|nom=Numérique}}\n{{Enveloppe cercle|cercle=Numérique|année=2026|montant=5000}}\n"


def declaration(hours: str | None, amount: str | None, status: str = "déclarée") -> Contribution:
    return Contribution(
        "Alice Martin",
        "Numérique",
        datetime.date(2026, 3, 12),
        Source(PAGE, 7),
        hours=None if hours is None else D(hours),
        amount=None if amount is None else D(amount),
        status=ContributionStatus(status),
    )


DEFAULTS = Limits()


def messages(*declarations: Contribution, limits: Limits = DEFAULTS) -> list[str]:
    found = check_plausibility(declarations, limits)
    assert all(p.severity == Severity.WARNING and p.source == Source(PAGE, 7) for _, p in found)
    assert all(year == 2026 for year, _ in found)
    return [problem.message for _, problem in found]


def test_values_a_cooperative_expects_give_no_warning() -> None:
    usual = [declaration("3.5", None), declaration("12", "360"), declaration(None, "900")]
    assert messages(*usual) == []


def test_a_billion_euros_is_flagged_with_the_limit() -> None:
    (message,) = messages(declaration(None, "1000000000"))
    assert "1\xa0000\xa0000\xa0000,00\xa0€" in message and "10\xa0000,00\xa0€" in message


def test_9999_hours_are_flagged() -> None:
    (message,) = messages(declaration("9999", None))
    assert message.startswith("9\xa0999,00\xa0h") and "200,00\xa0h" in message


def test_zero_hours_are_flagged_with_or_without_an_amount() -> None:
    (alone,) = messages(declaration("0", None))
    assert "ne compte rien" in alone
    (paid,) = messages(declaration("0", "300"))
    assert paid.startswith("0,00\xa0h pour 300,00\xa0€")


def test_an_implied_hourly_rate_above_the_limit_is_flagged() -> None:
    (message,) = messages(declaration("2", "400"))
    assert "200,00\xa0€/h" in message and "150,00\xa0€/h" in message
    assert messages(declaration("2", "300")) == []  # 150 €/h: at the limit, not above


def test_limits_are_configurable_and_refused_declarations_are_not_checked() -> None:
    strict = Limits(max_amount=D("500"), max_hours=D("10"), max_hourly_rate=D("40"))
    assert len(messages(declaration("12", "600"), limits=strict)) == 3
    assert messages(declaration("9999", "1000000000", status="refusée")) == []


def test_an_implausible_declaration_is_counted_and_reported_in_the_year_report() -> None:
    text = CIRCLE + (
        "* {{Contribution|contributeur=Alice Martin|cercle=Numérique|date=2026-03-12"
        "|heures=9999}}\n"
    )
    records, problems = parse_page(PAGE, text)
    computation = compute_all(records, problems, SyncConfig(), today=datetime.date(2026, 4, 1))
    report = computation.contributions[2026]
    (circle,) = report.circles
    assert circle.requested == D("299970.00")  # counted as written: 9 999 h × 30 €/h
    (warning,) = [p for p in computation.problems if "vraisemblance" in p.message]
    assert (warning.source, warning.template) == (Source(PAGE, 3), "Contribution")
    assert warning in report.problems


def test_the_limits_come_from_wikiledger_toml(tmp_path: Path) -> None:
    config = tmp_path / "wikiledger.toml"
    config.write_text('[limits]\nmax_amount = "2500"\nmax_hours = 80\n', encoding="utf-8")
    limits = read_config(config).config.limits
    assert (limits.max_amount, limits.max_hours, limits.max_hourly_rate) == (
        D("2500"),
        D("80"),
        Limits().max_hourly_rate,
    )
    config.write_text("[limits]\nmax_euros = 1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="max_euros"):
        read_config(config)
    config.write_text('[limits]\nmax_hours = "beaucoup"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="max_hours"):
        read_config(config)
