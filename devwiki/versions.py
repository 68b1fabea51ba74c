"""Which MediaWiki LTS the dev wikis run (1.39 or 1.43), and where that MediaWiki's files are.

`WIKILEDGER_MEDIAWIKI=1.39|1.43` chooses; unset, the one the machine's Debian ships (Debian 12:
1.39, Debian 13: 1.43). The Debian release that ships the chosen version serves it from
`/usr/share/mediawiki` (its `mediawiki` package); any other release runs it from that Debian
release's `mediawiki` and `mediawiki-classes` packages, downloaded and unpacked into the
checkout's `var/mediawiki-VERSION/` by `devwiki.fetch` (nothing of the other release is
installed into the system).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

ENV = "WIKILEDGER_MEDIAWIKI"
SYSTEM_DIR = Path("/usr/share/mediawiki")
PROJECT_DIR = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Release:
    """A MediaWiki LTS series and the Debian release whose `mediawiki` package ships it."""

    series: str
    debian: str  # Debian's major version
    codename: str


RELEASES = (
    Release("1.39", "12", "bookworm"),
    Release("1.43", "13", "trixie"),
)
SUPPORTED = tuple(release.series for release in RELEASES)


def release(series: str) -> Release:
    for candidate in RELEASES:
        if candidate.series == series:
            return candidate
    raise ValueError(
        f"{ENV}={series!r}: unsupported MediaWiki version (choose one of {', '.join(SUPPORTED)})"
    )


def os_release(path: Path = Path("/etc/os-release")) -> dict[str, str]:
    """The machine's /etc/os-release as a dict (empty when there is none)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return {}
    facts = {}
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep:
            facts[key.strip()] = value.strip().strip('"')
    return facts


def system_release() -> Release | None:
    """The release whose MediaWiki this machine's Debian ships (None off Debian 12/13)."""
    facts = os_release()
    for candidate in RELEASES:
        if facts.get("VERSION_CODENAME") == candidate.codename:
            return candidate
        if facts.get("ID") == "debian" and facts.get("VERSION_ID") == candidate.debian:
            return candidate
    return None


def default_series() -> str:
    system = system_release()
    return system.series if system is not None else RELEASES[-1].series


def selected_series() -> str:
    """The series chosen by WIKILEDGER_MEDIAWIKI, else the machine's own Debian's."""
    series = os.environ.get(ENV, "").strip() or default_series()
    return release(series).series


def is_system_series(series: str) -> bool:
    """True when this machine's Debian ships SERIES as its `mediawiki` package."""
    system = system_release()
    return system is not None and system.series == series


def unpacked_dir(series: str) -> Path:
    """Where a MediaWiki downloaded from another Debian release is unpacked, in the checkout."""
    return PROJECT_DIR / "var" / f"mediawiki-{series}"


def mediawiki_dir(series: str | None = None) -> Path:
    """The MediaWiki tree (where index.php, api.php and maintenance/ are) of SERIES."""
    series = series or selected_series()
    return SYSTEM_DIR if is_system_series(series) else unpacked_dir(series)


def read_mediawiki_version(mediawiki_dir: Path) -> str:
    """Return MediaWiki's version from includes/Defines.php without starting PHP."""
    defines = (mediawiki_dir / "includes" / "Defines.php").read_text(encoding="utf-8")
    match = re.search(r"define\(\s*'MW_VERSION',\s*'([^']+)'", defines)
    if match is None:
        raise RuntimeError(f"no MW_VERSION in {mediawiki_dir}/includes/Defines.php")
    return match.group(1)
