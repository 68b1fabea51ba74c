"""`wikiledger.toml`: every setting settable, defaults once, unknown names refused in one line."""

from __future__ import annotations

import re
import tomllib
from dataclasses import fields
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from parsers.page import TemplateNames
from render.compute import Computation
from render.config import PageTitles, SyncConfig
from service import cli
from service.config import ConfigError, parse_config, read_config, section_keys
from tests.unit.test_export_routes import computation

README = Path(__file__).resolve().parents[2] / "README.md"

EVERYTHING_CHANGED = """
[templates]
circle = "Groupe"
envelope = "Budget groupe"
contribution = "Apport"
campaign = "Budget participatif"
project = "Proposition"
pledge = "Vote"
statement = "Bilan personnel"
closing = "Clôture de cercle"

[pages]
registry = "Registre/{année}"
registry_circle = "Registre/{année}/{cercle}"
anomalies = "Registre/Erreurs"
contribution_data = "Registre/Données"
bilan = "BP {campagne}"
campaign_data = "BP {campagne}/Données"
card_data = "Registre/Suivi/{n}"
declarations = "Membre:{nom}/Déclarations {année}"
pledges = "Membre:{nom}/Soutiens {campagne}"
preload = "Registre/Modèles/{modèle}"

[ledger]
default_hourly_rate = "25.50"

[wiki]
user_namespaces = ["Membre"]
edit_retries = 5
timezone = "America/Montreal"

[limits]
max_amount = "2500"
max_hours = "80"
max_hourly_rate = "90"

[closing]
floor = "300.00"

[governance]
mode = "enforce"
validators = ["Denis Roux"]
treasurers = ["Claire Petit"]
treasurer_group = "tresorerie"
"""


def parse(text: str) -> SyncConfig:
    return parse_config(tomllib.loads(text))


def refusal(text: str) -> str:
    with pytest.raises(ConfigError) as caught:
        parse(text)
    message = str(caught.value)
    assert "\n" not in message
    return message


def readme_toml() -> str:
    text = README.read_text("utf-8")
    section = text[text.index("## Configuration") :]
    (block,) = re.findall(r"```toml\n(.*?)```", section[: section.index("\n## ", 3)], re.S)
    return block


# -- what the file can set -------------------------------------------------------------------


def test_no_section_gives_the_defaults() -> None:
    assert parse("") == SyncConfig()


def test_every_setting_of_the_code_can_be_set_from_the_file() -> None:
    config, default = parse(EVERYTHING_CHANGED), SyncConfig()
    for field in fields(SyncConfig):
        assert getattr(config, field.name) != getattr(default, field.name), field.name
    for names in (TemplateNames, PageTitles):
        for field in fields(names):
            part = config.templates if names is TemplateNames else config.pages
            assert getattr(part, field.name) != field.default, field.name
    assert config.default_rate == Decimal("25.50")
    assert config.user_namespaces == ("Membre",)
    assert (config.edit_retries, config.timezone) == (5, "America/Montreal")
    assert config.pages.bilan_for("2027") == "BP 2027"
    assert config.pages.is_output("Registre/2026/Numérique")


def test_the_sections_of_earlier_versions_keep_working() -> None:
    config = parse(
        '[templates]\ncircle = "Groupe"\n[pages]\nregistry = "Registre {année}"\n'
        "[ledger]\ndefault_hourly_rate = 32.5\n"
    )
    assert config.templates == TemplateNames(circle="Groupe")
    assert config.pages.registry_for(2026) == "Registre 2026"
    assert config.default_rate == Decimal("32.5")


def readme_keys(block: str) -> dict[str, tuple[str, ...]]:
    """Every section of the README's block and its keys, those shown commented out included
    (optional keys without a default, such as `# floor = "300.00"`)."""
    keys: dict[str, list[str]] = {}
    section = ""
    for line in block.splitlines():
        if match := re.match(r"\[(\w+)\]", line):
            section = match[1]
            keys[section] = []
        elif match := re.match(r"#? ?(\w+) = ", line):
            keys[section].append(match[1])
    return {name: tuple(names) for name, names in keys.items()}


def test_the_readme_lists_every_key_with_its_default() -> None:
    block = readme_toml()
    assert readme_keys(block) == section_keys()
    assert parse_config(tomllib.loads(block)) == SyncConfig()


# -- unknown names ---------------------------------------------------------------------------


def test_an_unknown_section_is_refused_with_a_suggestion_and_the_valid_ones() -> None:
    message = refusal('[template]\ncircle = "Cercle"\n')
    assert message == (
        "wikiledger.toml: unknown section [template] — did you mean [templates]? "
        "(valid sections: [templates], [pages], [ledger], [wiki], [limits], [closing], "
        "[governance])"
    )


def test_an_unknown_key_is_refused_with_a_suggestion_and_the_valid_ones() -> None:
    message = refusal('[wiki]\ntimezon = "Europe/Paris"\n')
    assert message == (
        "wikiledger.toml: unknown key timezon in [wiki] — did you mean timezone? "
        "(valid keys: user_namespaces, edit_retries, timezone)"
    )


def test_an_unknown_key_of_a_dataclass_section_is_refused_too() -> None:
    message = refusal('[templates]\ncontributon = "Apport"\n')
    assert "unknown key contributon in [templates] — did you mean contribution?" in message
    assert "valid keys: circle, envelope, contribution, campaign, project, pledge" in message


def test_a_key_in_the_wrong_section_is_sent_to_its_own() -> None:
    assert "it belongs in [wiki]" in refusal('[ledger]\ntimezone = "Europe/Paris"\n')
    assert "timezone is a key of [wiki]" in refusal('timezone = "Europe/Paris"\n')


def test_a_name_far_from_every_valid_one_gets_the_list_only() -> None:
    message = refusal("[banque]\nmode = 1\n")
    assert message.startswith("wikiledger.toml: unknown section [banque] (valid sections:")


# -- wrong values ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('[ledger]\ndefault_hourly_rate = "trente"', "[ledger] default_hourly_rate:"),
        ('[ledger]\ndefault_hourly_rate = "30.001"', "[ledger] default_hourly_rate:"),
        ("[ledger]\ndefault_hourly_rate = -1", "[ledger] default_hourly_rate:"),
        ("[wiki]\nedit_retries = -1", "[wiki] edit_retries:"),
        ('[wiki]\ntimezone = "Europe/Pariss"', "[wiki] timezone: unknown time zone"),
        ("[wiki]\nuser_namespaces = []", "[wiki] user_namespaces:"),
        ('[templates]\ncircle = " "', "[templates] circle:"),
        ('templates = "Cercle"', "[templates] must be a table of keys (valid keys: circle,"),
    ],
)
def test_a_wrong_value_is_refused_in_one_line_naming_its_key(text: str, expected: str) -> None:
    assert expected in refusal(text)


def test_several_mistakes_are_counted_after_the_first() -> None:
    message = refusal("[wiki]\nedit_retries = -1\ntimezon = 1\n")
    assert message.endswith("(and 1 more problem(s))")


# -- files -----------------------------------------------------------------------------------


def test_without_a_file_the_defaults_are_used_and_said(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    loaded = read_config(None)
    assert (loaded.config, loaded.path) == (SyncConfig(), None)
    assert loaded.describe() == f"configuration: defaults (no wikiledger.toml in {tmp_path})"


def test_the_file_of_the_current_folder_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "wikiledger.toml").write_text('[wiki]\ntimezone = "UTC"\n', "utf-8")
    monkeypatch.chdir(tmp_path)
    loaded = read_config(None)
    assert loaded.config.timezone == "UTC"
    assert loaded.describe() == f"configuration: {tmp_path / 'wikiledger.toml'}"


def test_a_missing_or_invalid_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="configuration file not found"):
        read_config(tmp_path / "absent.toml")
    broken = tmp_path / "broken.toml"
    broken.write_text("[wiki\n", "utf-8")
    with pytest.raises(ConfigError, match="is not valid TOML"):
        read_config(broken)
    wrong = tmp_path / "wrong.toml"
    wrong.write_text("[template]\n", "utf-8")
    with pytest.raises(ConfigError, match=f"^{re.escape(str(wrong))}: unknown section"):
        read_config(wrong)


# -- the command line ------------------------------------------------------------------------


class FakeEngine:
    def full_sync(self, *, dry_run: bool = False, write: bool = True) -> None:
        pass

    def compute(self) -> Computation:
        return computation()


@pytest.fixture
def built(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[SyncConfig]:
    """The configurations the CLI builds its engine with (a fake one)."""
    configs: list[SyncConfig] = []

    def build(settings: Any, config: SyncConfig) -> FakeEngine:
        configs.append(config)
        return FakeEngine()

    monkeypatch.chdir(tmp_path)
    for variable in (
        "WIKILEDGER_WEBHOOK_SECRET",
        "WIKILEDGER_API_TOKEN",
        "WIKILEDGER_BOT_PASSWORD",
    ):
        monkeypatch.delenv(f"WIKILEDGER_{variable}", raising=False)
    monkeypatch.setattr(cli, "build_engine", build)
    return configs


def test_check_says_it_used_the_defaults(
    built: list[SyncConfig], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["check"]) in (0, 1)
    first = capsys.readouterr().out.splitlines()[0]
    assert first == f"configuration: defaults (no wikiledger.toml in {tmp_path})"
    assert built == [SyncConfig()]


def test_check_says_which_file_it_read_and_the_engine_gets_its_settings(
    built: list[SyncConfig], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "autre.toml"
    path.write_text(EVERYTHING_CHANGED, "utf-8")
    assert cli.main(["--config", str(path), "check"]) in (0, 1)
    assert capsys.readouterr().out.splitlines()[0] == f"configuration: {path}"
    assert built == [parse(EVERYTHING_CHANGED)]


def test_a_wrong_configuration_stops_the_cli_with_one_line(
    built: list[SyncConfig], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "wikiledger.toml").write_text('[wiki]\ntimezon = "UTC"\n', "utf-8")
    assert cli.main(["check"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "unknown key timezon in [wiki] — did you mean timezone?" in err[0]
    assert built == []
