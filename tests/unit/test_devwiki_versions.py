"""Choosing the dev wiki's MediaWiki (1.39 or 1.43) and reading the machine's apt sources to
fetch the one its Debian does not ship."""

from __future__ import annotations

from pathlib import Path

import pytest

from devwiki import fetch, versions

BOOKWORM_DEB822 = """\
Types: deb
# http://snapshot.example/archive/debian/20250520T000000Z
URIs: http://mirror.example/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://mirror.example/debian-security
Suites: bookworm-security
Components: main

Types: deb-src
URIs: http://mirror.example/debian
Suites: bookworm
Components: main

Types: deb
URIs: https://vendor.example/apt
Suites: nodistro
Components: main
"""

BOOKWORM_ONE_LINE = """\
deb http://mirror.example/debian bookworm main contrib
# deb http://commented.example/debian bookworm main
deb [arch=amd64] http://mirror.example/debian-security bookworm-security main
deb http://mirror.example/debian bookworm-backports main
"""


def test_the_other_releases_sources_use_the_machines_mirrors_deb822() -> None:
    lines = fetch.mirror_sources("bookworm", "trixie", BOOKWORM_DEB822)
    suites = [line.rsplit(" ", 3)[-3:] for line in lines]
    assert suites == [
        ["http://mirror.example/debian", "trixie", "main"],
        ["http://mirror.example/debian", "trixie-updates", "main"],
        ["http://mirror.example/debian-security", "trixie-security", "main"],
    ]
    assert all(line.startswith("deb ") for line in lines)


def test_the_other_releases_sources_use_the_machines_mirrors_one_line() -> None:
    lines = fetch.mirror_sources("bookworm", "trixie", BOOKWORM_ONE_LINE)
    assert [line.rsplit(" ", 3)[-3:] for line in lines] == [
        ["http://mirror.example/debian", "trixie", "main"],
        ["http://mirror.example/debian-security", "trixie-security", "main"],
    ]


def test_debian_13_fetches_1_39_from_bookworm() -> None:
    trixie = BOOKWORM_ONE_LINE.replace("bookworm", "trixie")
    lines = fetch.mirror_sources("trixie", "bookworm", trixie)
    assert [line.rsplit(" ", 2)[-2] for line in lines] == ["bookworm", "bookworm-security"]


def test_the_version_is_chosen_by_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(versions.ENV, "1.43")
    assert versions.selected_series() == "1.43"
    monkeypatch.setenv(versions.ENV, "1.39")
    assert versions.selected_series() == "1.39"
    monkeypatch.setenv(versions.ENV, "1.42")
    with pytest.raises(ValueError, match=r"1\.39, 1\.43"):
        versions.selected_series()


def test_unset_it_is_the_one_the_machines_debian_ships(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(versions.ENV, raising=False)
    for codename, series in (("bookworm", "1.39"), ("trixie", "1.43")):
        monkeypatch.setattr(versions, "os_release", lambda c=codename: {"VERSION_CODENAME": c})
        assert versions.selected_series() == series
        assert versions.mediawiki_dir(series) == versions.SYSTEM_DIR
        other = "1.43" if series == "1.39" else "1.39"
        assert versions.mediawiki_dir(other) == versions.unpacked_dir(other)


def test_os_release_is_read_with_its_quotes_removed(tmp_path: Path) -> None:
    path = tmp_path / "os-release"
    path.write_text('PRETTY_NAME="Debian GNU/Linux 13 (trixie)"\nVERSION_ID="13"\nID=debian\n')
    assert versions.os_release(path) == {
        "PRETTY_NAME": "Debian GNU/Linux 13 (trixie)",
        "VERSION_ID": "13",
        "ID": "debian",
    }


def test_an_unpacked_tree_loses_its_absolute_symlinks(tmp_path: Path) -> None:
    tree = tmp_path / "usr" / "share" / "mediawiki"
    (tree / "extensions-core" / "ParserFunctions").mkdir(parents=True)
    for name, target in (
        ("extensions", "/var/lib/mediawiki/extensions"),
        ("config", "/var/lib/mediawiki/config"),
        ("images", "/var/lib/mediawiki/images"),
        ("LocalSettings.php", "/var/lib/mediawiki/LocalSettings.php"),
    ):
        (tree / name).symlink_to(target)
    fetch.make_self_contained(tree)
    assert (tree / "extensions" / "ParserFunctions").is_dir()
    assert (tree / "images").is_dir() and not (tree / "images").is_symlink()
    assert not (tree / "config").exists() and not (tree / "LocalSettings.php").exists()


def test_an_unexpected_absolute_symlink_is_refused(tmp_path: Path) -> None:
    tree = tmp_path / "mediawiki"
    (tree / "extensions-core").mkdir(parents=True)
    (tree / "vendor").symlink_to("/usr/share/php/nowhere")
    with pytest.raises(RuntimeError, match="vendor"):
        fetch.make_self_contained(tree)
