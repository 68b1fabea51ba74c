"""`[governance]` in wikiledger.toml: mode, validators, treasurers, treasurer_group."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ledger.governance import GovernanceSettings, Mode
from service.config import ConfigError, read_config


def config_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "wikiledger.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_defaults_warn_and_name_nobody(tmp_path: Path) -> None:
    assert read_config(config_file(tmp_path, "")).config.governance == GovernanceSettings()


def test_every_key_is_read(tmp_path: Path) -> None:
    path = config_file(
        tmp_path,
        '[governance]\nmode = "enforce"\nvalidators = ["Denis_Roux"]\n'
        'treasurers = ["Claire Petit"]\ntreasurer_group = "tresorerie"\n',
    )
    assert read_config(path).config.governance == GovernanceSettings(
        mode=Mode.ENFORCE,
        validators=("Denis Roux",),
        treasurers=("Claire Petit",),
        treasurer_group="tresorerie",
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('mode = "strict"', "[governance] mode: Input should be 'warn' or 'enforce'"),
        ('validators = "Alice"', "[governance] validators: Input should be a list, like"),
        ("treasurer_group = 3", "[governance] treasurer_group: Input should be a valid string"),
        (
            'treasurer = ["Alice"]',
            "unknown key treasurer in [governance] — did you mean treasurers?",
        ),
    ],
)
def test_a_wrong_value_is_refused_with_what_to_write(
    tmp_path: Path, text: str, message: str
) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)):
        read_config(config_file(tmp_path, f"[governance]\n{text}\n"))
