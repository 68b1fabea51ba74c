"""`[governance]` in wikiledger.toml: mode, validators, treasurers, treasurer_group."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ledger.governance import GovernanceSettings, Mode
from service.settings import ConfigError, load_config


def config_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "wikiledger.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_defaults_warn_and_name_nobody(tmp_path: Path) -> None:
    assert load_config(config_file(tmp_path, "")).governance == GovernanceSettings()


def test_every_key_is_read(tmp_path: Path) -> None:
    path = config_file(
        tmp_path,
        '[governance]\nmode = "enforce"\nvalidators = ["Denis_Roux"]\n'
        'treasurers = ["Claire Petit"]\ntreasurer_group = "tresorerie"\n',
    )
    assert load_config(path).governance == GovernanceSettings(
        mode=Mode.ENFORCE,
        validators=("Denis Roux",),
        treasurers=("Claire Petit",),
        treasurer_group="tresorerie",
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('mode = "strict"', 'mode must be "warn" or "enforce"'),
        ('validators = "Alice"', "validators must be a list of user names"),
        ("treasurer_group = 3", "treasurer_group must be a wiki user group"),
        ('treasurer = ["Alice"]', "unknown key(s) in [governance]"),
    ],
)
def test_a_wrong_value_is_refused_with_what_to_write(
    tmp_path: Path, text: str, message: str
) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)):
        load_config(config_file(tmp_path, f"[governance]\n{text}\n"))
