"""Secrets and locations from the environment (`WIKILEDGER_*`); the wiki's conventions come from
`wikiledger.toml`, read by `service.config`.

Built by the CLI and `create_app()`, never at import. Secrets are `SecretStr` so that they
never show in logs or tracebacks; obvious placeholders are refused.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from service.config import ConfigError

__all__ = ["PLACEHOLDERS", "ConfigError", "Settings"]

PLACEHOLDERS = {"", "changeme", "change-me", "secret", "password", "xxx", "todo", "placeholder"}


class Settings(BaseSettings):
    """Secrets and locations from the `WIKILEDGER_*` environment variables."""

    model_config = SettingsConfigDict(env_prefix="WIKILEDGER_", extra="ignore")

    wiki_url: str = ""
    bot_user: str = ""
    bot_password: SecretStr = SecretStr("")
    webhook_secret: SecretStr = SecretStr("")
    api_token: SecretStr = SecretStr("")
    read_token: SecretStr = SecretStr("")  # required to read the API, exports, metrics, status
    data_dir: Path = Path("var")
    coalesce_seconds: float = 0.5  # least time between two syncs' starts (bursts coalesce)
    catchup_seconds: float = 60.0  # how often it reads recentchanges for lost webhooks

    @field_validator("webhook_secret", "api_token", "read_token", "bot_password")
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
