"""Configuration: `wikiledger.toml` for the wiki's conventions, the environment for secrets.

Built by the CLI and `create_app()`, never at import. Secrets are `SecretStr` so that they
never show in logs or tracebacks; obvious placeholders are refused.
"""

from __future__ import annotations

import tomllib
from dataclasses import fields
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from pydantic import SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from ledger.governance import GovernanceSettings, Mode
from parsers.page import TemplateNames
from sync.config import PageTitles, SyncConfig

PLACEHOLDERS = {"", "changeme", "change-me", "secret", "password", "xxx", "todo", "placeholder"}


class ConfigError(Exception):
    """The configuration is wrong; the message says what to fix."""


class Settings(BaseSettings):
    """Secrets and locations from the `WIKILEDGER_*` environment variables."""

    model_config = SettingsConfigDict(env_prefix="WIKILEDGER_", extra="ignore")

    wiki_url: str = ""
    bot_user: str = ""
    bot_password: SecretStr = SecretStr("")
    webhook_secret: SecretStr = SecretStr("")
    api_token: SecretStr = SecretStr("")
    data_dir: Path = Path("var")
    coalesce_seconds: float = 0.5  # how long the worker waits to gather a burst of saves
    catchup_seconds: float = 60.0  # how often it reads recentchanges for lost webhooks

    @field_validator("webhook_secret", "api_token", "bot_password")
    @classmethod
    def refuse_placeholders(cls, value: SecretStr) -> SecretStr:
        raw = value.get_secret_value()
        if raw and (raw.strip().lower() in PLACEHOLDERS or raw.startswith("<")):
            raise ValueError("is a placeholder: set a real secret")
        return value

    def require_wiki(self) -> None:
        if not self.wiki_url:
            raise ConfigError(
                "WIKILEDGER_WIKI_URL is not set: give the wiki's base URL, where api.php lives"
            )
        if not self.bot_user or not self.bot_password.get_secret_value():
            raise ConfigError(
                "WIKILEDGER_BOT_USER and WIKILEDGER_BOT_PASSWORD must be set "
                "(a bot password: Special:BotPasswords, user written as User@app)"
            )

    def require_webhook_secret(self) -> str:
        raw = self.webhook_secret.get_secret_value()
        if len(raw) < 24:
            raise ConfigError(
                "WIKILEDGER_WEBHOOK_SECRET must be set to a random secret of 24 characters or "
                "more (the same as $wgWikiLedgerWebhookSecret on the wiki)"
            )
        return raw


def _dataclass_from(cls: Any, table: dict[str, Any], section: str) -> Any:
    known = {f.name for f in fields(cls)}
    unknown = set(table) - known
    if unknown:
        raise ConfigError(
            f"unknown key(s) in [{section}] of wikiledger.toml: {', '.join(sorted(unknown))} "
            f"(known: {', '.join(sorted(known))})"
        )
    return cls(**{k: str(v) for k, v in table.items()})


def load_config(path: Path | None) -> SyncConfig:
    """Read `wikiledger.toml` (all keys optional); the defaults are Optéos' conventions."""
    if path is None:
        default = Path("wikiledger.toml")
        if not default.exists():
            return SyncConfig()
        path = default
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"configuration file not found: {path}") from None
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"{path} is not valid TOML: {err}") from None
    templates = _dataclass_from(TemplateNames, data.get("templates", {}), "templates")
    pages = _dataclass_from(PageTitles, data.get("pages", {}), "pages")
    ledger = data.get("ledger", {})
    try:
        rate = Decimal(str(ledger.get("default_hourly_rate", "30.00")))
    except InvalidOperation:
        raise ConfigError("[ledger] default_hourly_rate must be a number like 30.00") from None
    governance = _governance(data.get("governance", {}))
    return SyncConfig(templates=templates, pages=pages, default_rate=rate, governance=governance)


def _governance(table: dict[str, Any]) -> GovernanceSettings:
    """`[governance]`: mode ("warn" or "enforce"), validators, treasurers, treasurer_group."""
    known = ("mode", "validators", "treasurers", "treasurer_group")
    unknown = set(table) - set(known)
    if unknown:
        raise ConfigError(
            f"unknown key(s) in [governance] of wikiledger.toml: {', '.join(sorted(unknown))} "
            f"(known: {', '.join(known)})"
        )
    mode = str(table.get("mode", "warn"))
    if mode not in ("warn", "enforce"):
        raise ConfigError(f'[governance] mode must be "warn" or "enforce", not {mode!r}')
    names: dict[str, tuple[str, ...]] = {}
    for key in ("validators", "treasurers"):
        value = table.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f'[governance] {key} must be a list of user names, like ["Alice"]')
        names[key] = tuple(" ".join(v.replace("_", " ").split()) for v in value)
    group = table.get("treasurer_group", "")
    if not isinstance(group, str):
        raise ConfigError(
            '[governance] treasurer_group must be a wiki user group, like "tresorerie"'
        )
    return GovernanceSettings(
        mode=Mode(mode),
        validators=names["validators"],
        treasurers=names["treasurers"],
        treasurer_group=group.strip(),
    )
