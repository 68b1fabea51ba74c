"""Download another Debian release's MediaWiki and unpack it into the checkout, once per machine.

Debian 12 ships MediaWiki 1.39 and Debian 13 ships 1.43; to run the other LTS, this takes the
other release's `mediawiki` and `mediawiki-classes` packages from the mirrors this machine's apt
already uses, through a private apt index (its own sources list, lists and cache: the system's
apt state is not touched), unpacks them with `dpkg-deb -x` and makes the tree self-contained:
Debian's absolute symlinks (`extensions` -> /var/lib/mediawiki/extensions -> extensions-core,
`config`, `images`, `LocalSettings.php`) are replaced by what a dev wiki needs. The dev wikis
run it with this machine's PHP and point MW_CONFIG_FILE at their own LocalSettings.php.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from devwiki import versions

PACKAGES = ("mediawiki", "mediawiki-classes")
KEYRING = Path("/usr/share/keyrings/debian-archive-keyring.gpg")
APT_SOURCES = Path("/etc/apt/sources.list")
APT_SOURCE_PARTS = Path("/etc/apt/sources.list.d")
COMPLETE = ".complete"  # written last: a tree without it is a failed or interrupted unpack


def is_fetched(series: str) -> bool:
    target = versions.unpacked_dir(series)
    return (target / COMPLETE).is_file() and (target / "maintenance" / "install.php").is_file()


def ensure_fetched(series: str) -> Path:
    """The unpacked tree of SERIES, downloaded and unpacked first when it is not there yet."""
    target = versions.unpacked_dir(series)
    if is_fetched(series):
        return target
    release = versions.release(series)
    system = versions.system_release()
    if system is None:
        raise RuntimeError(
            f"MediaWiki {series} comes from Debian {release.debian}'s packages, fetched with "
            "this machine's apt sources: this is not Debian 12 or 13"
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f"mediawiki-{series}.fetching-", dir=target.parent))
    try:
        debs = download(release, system, work)
        tree = unpack(debs, work / "root")
        (tree / COMPLETE).write_text(versions.read_mediawiki_version(tree) + "\n", "utf-8")
        shutil.rmtree(target, ignore_errors=True)  # an interrupted earlier unpack
        try:
            tree.rename(target)
        except OSError:
            if not is_fetched(series):
                raise  # not a concurrent fetch that finished first
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return target


def mirror_sources(system_codename: str, codename: str, sources_text: str) -> list[str]:
    """One-line apt sources for CODENAME's main component, on the mirrors that SOURCES_TEXT
    (this machine's apt sources, one-line or deb822) use for SYSTEM_CODENAME."""
    lines = []
    for uri, suite in _debian_entries(sources_text):
        if suite == system_codename or suite.startswith(system_codename + "-"):
            other = codename + suite[len(system_codename) :]
            if other.endswith("-backports"):
                continue
            signed = f" [signed-by={KEYRING}]" if KEYRING.is_file() else ""
            line = f"deb{signed} {uri} {other} main"
            if line not in lines:
                lines.append(line)
    return lines


def download(release: versions.Release, system: versions.Release, work: Path) -> list[Path]:
    """Download RELEASE's MediaWiki packages with a private apt index in WORK."""
    sources = mirror_sources(system.codename, release.codename, _system_sources_text())
    if not sources:
        raise RuntimeError(f"no Debian {system.codename} source in this machine's apt sources")
    (work / "lists" / "partial").mkdir(parents=True)
    (work / "cache" / "archives" / "partial").mkdir(parents=True)
    (work / "debs").mkdir()
    source_list = work / "sources.list"
    source_list.write_text("\n".join(sources) + "\n", encoding="utf-8")
    options = [
        "-o", f"Dir::Etc::sourcelist={source_list}",
        "-o", "Dir::Etc::sourceparts=-",
        "-o", f"Dir::State::Lists={work / 'lists'}",
        "-o", f"Dir::Cache={work / 'cache'}",
        "-o", "APT::Get::List-Cleanup=0",
        "-o", "APT::Sandbox::User=root",
    ]  # fmt: skip
    _run(["apt-get", *options, "-qq", "update"], work)
    _run(["apt-get", *options, "-qq", "download", *PACKAGES], work / "debs")
    debs = sorted((work / "debs").glob("*.deb"))
    if len(debs) != len(PACKAGES):
        raise RuntimeError(f"apt-get download gave {[deb.name for deb in debs]}")
    return debs


def unpack(debs: list[Path], root: Path) -> Path:
    """Unpack DEBS under ROOT; return the self-contained MediaWiki tree (usr/share/mediawiki)."""
    root.mkdir(parents=True)
    for deb in debs:
        _run(["dpkg-deb", "-x", str(deb), str(root)], root)
    tree = root / "usr" / "share" / "mediawiki"
    make_self_contained(tree)
    return tree


def make_self_contained(tree: Path) -> None:
    """Replace the absolute symlinks of Debian's layout with what lives inside TREE."""
    for name in ("extensions", "config", "images", "LocalSettings.php"):
        path = tree / name
        if path.is_symlink():
            path.unlink()
    # /var/lib/mediawiki/extensions/X -> /usr/share/mediawiki/extensions-core/X for every X.
    (tree / "extensions").symlink_to("extensions-core")
    (tree / "images").mkdir()
    # No LocalSettings.php: every dev wiki names its own with MW_CONFIG_FILE.
    dangling = [
        str(path.relative_to(tree))
        for path in tree.rglob("*")
        if path.is_symlink() and os.readlink(path).startswith("/") and not path.exists()
    ]
    if dangling:
        raise RuntimeError(f"absolute symlinks left in the MediaWiki tree: {dangling[:10]}")


def _system_sources_text() -> str:
    paths = [APT_SOURCES] if APT_SOURCES.is_file() else []
    if APT_SOURCE_PARTS.is_dir():
        paths += sorted(
            path for path in APT_SOURCE_PARTS.iterdir() if path.suffix in (".list", ".sources")
        )
    return "\n\n".join(path.read_text(encoding="utf-8", errors="replace") for path in paths)


def _debian_entries(text: str) -> list[tuple[str, str]]:
    """(URI, suite) of every enabled `deb` source of one-line and deb822 texts."""
    entries: list[tuple[str, str]] = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        match = re.match(r"deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)", line)
        if match:
            entries.append((match.group(1), match.group(2)))
    for stanza in re.split(r"\n\s*\n", text):
        fields: dict[str, str] = {}
        for line in stanza.splitlines():
            if line.lstrip().startswith("#"):
                continue
            key, sep, value = line.partition(":")
            if sep and not line.startswith((" ", "\t")):
                fields[key.strip().lower()] = value.strip()
        if "deb" not in fields.get("types", "").split() or fields.get("enabled") == "no":
            continue
        for uri in fields.get("uris", "").split():
            entries += [(uri, suite) for suite in fields.get("suites", "").split()]
    return entries


def _run(command: list[str], cwd: Path) -> None:
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).splitlines()[-20:])
        raise RuntimeError(f"{' '.join(command[:1] + command[-3:])} failed:\n{tail}")
