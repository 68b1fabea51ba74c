"""`wikiledger.toml`: the one validated model of the configuration file, and its loading.

Each TOML section is one field of `ConfigFile`; unknown sections and keys are refused with a
one-line error that names them, suggests the nearest valid name and lists the valid ones.
Defaults are written once, where the code that uses them lives: `[templates]` and `[pages]`
are the `TemplateNames` and `PageTitles` dataclasses themselves (pydantic validates them and
refuses their unknown keys), and the keys of `[ledger]` and `[wiki]` take their defaults from
`SyncConfig`'s fields.

Adding a section: write its model (a `Section` subclass, or a frozen dataclass with defaults),
add it as a field of `ConfigFile`, carry it into the configuration in `to_sync_config()`, and
list its keys in the README's configuration section (a test compares them).
"""

from __future__ import annotations

import tomllib
from dataclasses import MISSING, dataclass, fields
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ledger.governance import GovernanceSettings, Mode
from ledger.name import suggest
from ledger.plausibility import Limits
from parsers.page import TemplateNames
from render.config import PageTitles, SyncConfig

DEFAULT_FILENAME = "wikiledger.toml"


class ConfigError(Exception):
    """The configuration is wrong; the message says what to fix, in one line."""


def _default(name: str) -> Any:
    """The default of one `SyncConfig` field, so that it is written in one place only."""
    for field in fields(SyncConfig):
        if field.name == name:
            if field.default is not MISSING:
                return field.default
            if field.default_factory is not MISSING:
                return field.default_factory()
    raise KeyError(name)


# Shared by every section, nested dataclasses included: no unknown key, no empty string.
_STRICT_KEYS = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True, str_min_length=1)


class Section(BaseModel):
    """A TOML table of `wikiledger.toml` whose keys are not a dataclass of their own."""

    model_config = _STRICT_KEYS


class LedgerSection(Section):
    """`[ledger]`: computation settings."""

    # the ceiling used when a circle-year's envelope gives no `taux horaire`
    default_hourly_rate: Decimal = Field(default=_default("default_rate"), ge=0, decimal_places=2)


class WikiSection(Section):
    """`[wiki]`: the conventions of the wiki the bot works on."""

    # namespaces whose pages belong to a member (`{{Relevé}}` statements are written there)
    user_namespaces: tuple[str, ...] = Field(default=_default("user_namespaces"), min_length=1)
    # how many times a save is tried again after an edit conflict
    edit_retries: int = Field(default=_default("edit_retries"), ge=0, le=20)
    # the time zone of the "mis à jour le" line of summary pages
    timezone: str = _default("timezone")

    @field_validator("timezone")
    @classmethod
    def known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown time zone {value!r} (an IANA name such as 'Europe/Paris')"
            ) from None
        return value


class LimitsSection(Section):
    """`[limits]`: above these, one declaration gets a plausibility warning (still counted)."""

    max_amount: Decimal = Field(default=Limits().max_amount, gt=0)  # € asked by one declaration
    max_hours: Decimal = Field(default=Limits().max_hours, gt=0)  # hours of one declaration
    max_hourly_rate: Decimal = Field(default=Limits().max_hourly_rate, gt=0)  # montant ÷ heures

    def to_limits(self) -> Limits:
        return Limits(self.max_amount, self.max_hours, self.max_hourly_rate)


class ClosingSection(Section):
    """`[closing]`: year-end closing of a circle."""

    # the floor of the `plancher` option shown beside the other rules (none: not shown)
    floor: Decimal | None = Field(default=_default("closing_floor"), ge=0, decimal_places=2)


class GovernanceSection(Section):
    """`[governance]`: who may validate and pay, and whether the rules are enforced."""

    # "warn": figures as written, each finding a warning; "enforce": counted as set by people
    # entitled to set it
    mode: Mode = Mode.WARN
    # may validate in every circle, besides the référent·es its `{{Cercle}}` names
    validators: tuple[str, ...] = ()
    # may mark declarations paid (`versée`)
    treasurers: tuple[str, ...] = ()
    # a wiki user group whose members may mark declarations paid too ("": none)
    treasurer_group: str = Field(default="", min_length=0)

    @field_validator("validators", "treasurers")
    @classmethod
    def user_names(cls, names: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(" ".join(name.replace("_", " ").split()) for name in names)

    def to_settings(self) -> GovernanceSettings:
        return GovernanceSettings(
            mode=self.mode,
            validators=self.validators,
            treasurers=self.treasurers,
            treasurer_group=self.treasurer_group.strip(),
        )


class ConfigFile(BaseModel):
    """The whole of `wikiledger.toml`; every section and key is optional."""

    model_config = _STRICT_KEYS

    templates: TemplateNames = Field(default_factory=TemplateNames)
    pages: PageTitles = Field(default_factory=PageTitles)
    ledger: LedgerSection = LedgerSection()
    wiki: WikiSection = WikiSection()
    limits: LimitsSection = LimitsSection()
    closing: ClosingSection = ClosingSection()
    governance: GovernanceSection = GovernanceSection()

    def to_sync_config(self) -> SyncConfig:
        return SyncConfig(
            templates=self.templates,
            pages=self.pages,
            default_rate=self.ledger.default_hourly_rate,
            user_namespaces=self.wiki.user_namespaces,
            edit_retries=self.wiki.edit_retries,
            timezone=self.wiki.timezone,
            limits=self.limits.to_limits(),
            closing_floor=self.closing.floor,
            governance=self.governance.to_settings(),
        )


def section_keys() -> dict[str, tuple[str, ...]]:
    """Every section of the file and its keys, in declaration order."""
    keys: dict[str, tuple[str, ...]] = {}
    for name, info in ConfigFile.model_fields.items():
        model = info.annotation
        if isinstance(model, type) and issubclass(model, BaseModel):
            keys[name] = tuple(model.model_fields)
        else:  # a dataclass section
            keys[name] = tuple(f.name for f in fields(model))  # type: ignore[arg-type]
    return keys


@dataclass(frozen=True)
class LoadedConfig:
    """The configuration and where it came from (None: no file, the defaults)."""

    config: SyncConfig
    path: Path | None

    def describe(self) -> str:
        if self.path is None:
            return f"configuration: defaults (no {DEFAULT_FILENAME} in {Path.cwd()})"
        return f"configuration: {self.path.resolve()}"


def read_config(path: Path | None) -> LoadedConfig:
    """Read `path`, or `./wikiledger.toml` when it exists, or use the defaults."""
    if path is None:
        default = Path(DEFAULT_FILENAME)
        if not default.is_file():
            return LoadedConfig(SyncConfig(), None)
        path = default
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"configuration file not found: {path}") from None
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError(f"cannot read {path}: {err}") from None
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"{path} is not valid TOML: {err}") from None
    return LoadedConfig(parse_config(data, source=str(path)), path)


def parse_config(data: dict[str, Any], *, source: str = DEFAULT_FILENAME) -> SyncConfig:
    """Validate the parsed TOML; a `ConfigError` names the first mistake in one line."""
    try:
        return ConfigFile.model_validate(data).to_sync_config()
    except ValidationError as error:
        problems = error.errors()
        more = f" (and {len(problems) - 1} more problem(s))" if len(problems) > 1 else ""
        raise ConfigError(f"{source}: {_describe(problems[0])}{more}") from None


def _describe(problem: Any) -> str:
    """One pydantic error as a sentence about the file."""
    loc = tuple(str(part) for part in problem["loc"])
    kind = problem["type"]
    sections = section_keys()
    if kind in ("extra_forbidden", "unexpected_keyword_argument"):
        if len(loc) == 1:
            return _unknown_section(loc[0], sections)
        return _unknown_key(loc[0], loc[1], sections)
    if len(loc) == 1:
        return f"[{loc[0]}] must be a table of keys (valid keys: {', '.join(sections[loc[0]])})"
    where = f"[{loc[0]}] {'.'.join(loc[1:])}"
    message = str(problem["msg"]).removeprefix("Value error, ")
    message = message.replace("a valid tuple", 'a list, like ["…", "…"]')
    given = repr(problem["input"])
    return f"{where}: {message}" + ("" if given in message else f" (got {given})")


def _unknown_section(name: str, sections: dict[str, tuple[str, ...]]) -> str:
    valid = ", ".join(f"[{s}]" for s in sections)
    hint = suggest(name, sections)
    if hint:
        return f"unknown section [{name}] — did you mean [{hint}]? (valid sections: {valid})"
    owner = next((s for s, keys in sections.items() if name in keys), None)
    if owner:
        return f"unknown section [{name}] — {name} is a key of [{owner}] (valid sections: {valid})"
    return f"unknown section [{name}] (valid sections: {valid})"


def _unknown_key(section: str, key: str, sections: dict[str, tuple[str, ...]]) -> str:
    keys = sections[section]
    hint = suggest(key, keys)
    owner = next((s for s, others in sections.items() if key in others), None)
    text = f"unknown key {key} in [{section}]"
    if hint:
        text += f" — did you mean {hint}?"
    elif owner:
        text += f" — it belongs in [{owner}]"
    return f"{text} (valid keys: {', '.join(keys)})"
