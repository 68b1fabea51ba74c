"""The engine the service builds: the bot's own account is one of `[governance]`'s bots."""

from __future__ import annotations

from pathlib import Path

from pydantic import SecretStr

from ledger.governance import GovernanceSettings
from render.config import SyncConfig
from service.settings import Settings
from service.wiring import build_engine
from tests.fakewiki import FakeWiki


def test_the_bots_account_is_added_to_the_governance_bots_once(tmp_path: Path) -> None:
    settings = Settings(
        wiki_url="http://wiki.invalid",
        bot_user="WikiLedgerBot@wikiledger",
        bot_password=SecretStr("0123456789abcdef0123456789abcdef"),
        data_dir=tmp_path,
    )
    config = SyncConfig(governance=GovernanceSettings(bots=("AutreRobot",)))
    engine = build_engine(settings, config, connect=False, wiki=FakeWiki())  # type: ignore[arg-type]
    try:
        assert engine.config.governance.bots == ("AutreRobot", "WikiLedgerBot")
        assert engine.keeper.settings.bots == ("AutreRobot", "WikiLedgerBot")
    finally:
        engine.state.close()
    config = SyncConfig(governance=GovernanceSettings(bots=("WikiLedgerBot",)))
    engine = build_engine(settings, config, connect=False, wiki=FakeWiki())  # type: ignore[arg-type]
    try:
        assert engine.config.governance.bots == ("WikiLedgerBot",)
    finally:
        engine.state.close()
