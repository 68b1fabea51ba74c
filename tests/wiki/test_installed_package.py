"""The package as an admin installs it: the wheel in a virtual environment of its own, the
`wikiledger` command run outside the checkout against the real wiki, and the extension it
ships copied into a wiki that loads it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import urllib.request
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from devwiki.mediawiki import LocalWiki, create_wiki

CHECKOUT = Path(__file__).resolve().parents[2]


def run(command: list[str], *, cwd: Path, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=240, check=False
    )
    assert result.returncode == 0, f"{command[:3]} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The `wikiledger` command of the wheel installed into a fresh virtual environment."""
    uv = shutil.which("uv")
    assert uv is not None, "uv is needed to build the wheel (scripts/lib/setup.sh installs it)"
    home = tmp_path_factory.mktemp("installed")
    run([uv, "build", "--wheel", "--out-dir", str(home / "dist"), str(CHECKOUT)], cwd=home)
    (wheel,) = (home / "dist").glob("wikiledger-*.whl")
    run([uv, "venv", "--quiet", "--python", sys.executable, str(home / "venv")], cwd=home)
    python = home / "venv" / "bin" / "python"
    run([uv, "pip", "install", "--quiet", "--python", str(python), str(wheel)], cwd=home)
    return home


def outside_env(wiki: LocalWiki, home: Path) -> dict[str, str]:
    """The environment an admin's service has: no checkout on the Python path, its own data."""
    inherited = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("WIKILEDGER_", "PYTHON", "VIRTUAL_ENV", "UV_"))
    }
    return {
        **inherited,
        "WIKILEDGER_WIKI_URL": wiki.url,
        "WIKILEDGER_BOT_USER": wiki.bot_login,
        "WIKILEDGER_BOT_PASSWORD": wiki.bot_password,
        "WIKILEDGER_WEBHOOK_SECRET": "a-long-enough-secret-for-the-installed-test",
        "WIKILEDGER_DATA_DIR": str(home / "data"),
    }


def test_the_wheel_ships_the_runtime_and_its_files_not_the_dev_wiki_or_the_benchmarks(
    installed: Path,
) -> None:
    (wheel,) = (installed / "dist").glob("wikiledger-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    tops = {name.split("/")[0] for name in names if not name.startswith("wikiledger-")}
    assert tops == {"ledger", "parsers", "render", "sync", "service", "wiki_templates"}
    assert "wiki_templates/extension/WikiLedger/extension.json" in names
    assert "wiki_templates/mediawiki/Contribution.wiki" in names
    assert "wiki_templates/reports/registry.j2" in names
    assert "service/demo.py" not in names  # the demo needs the dev wiki, from the checkout


def test_the_installed_command_installs_templates_and_syncs_from_outside_the_checkout(
    installed: Path, seeded: LocalWiki, wiki: LocalWiki, tmp_path: Path
) -> None:
    command = str(installed / "venv" / "bin" / "wikiledger")
    env = outside_env(wiki, tmp_path)
    code = "import devwiki"
    python = str(installed / "venv" / "bin" / "python")
    assert subprocess.run([python, "-c", code], cwd=tmp_path, env=env).returncode != 0
    assert "up to date" in run([command, "install-templates"], cwd=tmp_path, env=env)
    out = run([command, "sync", "--dry-run"], cwd=tmp_path, env=env)
    assert "Contribution-rétribution/Registre 2026" in out
    assert "0 problem(s)" not in out  # the seed pages hold mistakes on purpose
    report = json.loads(
        run([command, "report", "contributions", "2026", "--json"], cwd=tmp_path, env=env)
    )
    assert report["year"] == 2026 and report["circles"]


@pytest.fixture
def extension_wiki(installed: Path, tmp_path: Path) -> Iterator[LocalWiki]:
    """A wiki that loads the extension copied by the installed `wikiledger install-extension`."""
    mediawiki_dir = tmp_path / "mediawiki"
    (mediawiki_dir / "extensions").mkdir(parents=True)
    out = run(
        [str(installed / "venv" / "bin" / "wikiledger"), "install-extension", str(mediawiki_dir)],
        cwd=tmp_path,
    )
    assert "wfLoadExtension( 'WikiLedger' );" in out
    copied = mediawiki_dir / "extensions" / "WikiLedger" / "extension.json"
    wiki = create_wiki(
        tmp_path / "wiki", extra_settings=f"wfLoadExtension( 'WikiLedger', '{copied}' );"
    )
    wiki.start()
    try:
        yield wiki
    finally:
        wiki.stop()
    assert wiki.logged_errors() == {}


def test_the_extension_copied_by_the_installed_command_loads_in_the_wiki(
    extension_wiki: LocalWiki,
) -> None:
    query = f"{extension_wiki.api_url}?action=query&meta=siteinfo&siprop=extensions&format=json"
    with urllib.request.urlopen(query, timeout=10) as response:
        extensions = json.load(response)["query"]["extensions"]
    (ours,) = [e for e in extensions if e["name"] == "WikiLedger"]
    assert ours["version"] == "0.1.0"
