"""The `wikiledger` command line against the real wiki: errors in one line, reports, check."""

from __future__ import annotations

import json

import mwclient
import pytest

from devwiki.mediawiki import LocalWiki, free_port
from render.config import SyncConfig
from service.cli import main
from sync.templates import install_templates
from tests.wiki.conftest import bot_client


def one_line_error(capsys: pytest.CaptureFixture[str]) -> str:
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert "Traceback" not in captured.err
    return lines[0]


def test_an_unreachable_wiki_gives_a_one_line_error(
    env: LocalWiki, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("WIKILEDGER_WIKI_URL", f"http://127.0.0.1:{free_port()}")
    assert main(["check"]) == 2
    assert "cannot reach the wiki" in one_line_error(capsys)


def test_a_wrong_url_gives_a_one_line_error(
    env: LocalWiki, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("WIKILEDGER_WIKI_URL", env.url + "/nowhere")
    assert main(["check"]) == 2
    assert "WIKILEDGER_WIKI_URL" in one_line_error(capsys)


def test_a_wrong_password_gives_a_one_line_error_without_the_password(
    env: LocalWiki, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("WIKILEDGER_BOT_PASSWORD", "wrong-password-0123456789")
    assert main(["sync"]) == 2
    line = one_line_error(capsys)
    assert "login refused" in line and "WIKILEDGER_BOT_PASSWORD" in line
    assert "wrong-password-0123456789" not in line


def test_install_templates_does_nothing_when_they_are_current(
    env: LocalWiki, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["install-templates"]) == 0
    assert "already up to date" in capsys.readouterr().out


def test_install_templates_puts_back_a_changed_template(
    env: LocalWiki, admin_site: mwclient.Site, capsys: pytest.CaptureFixture[str]
) -> None:
    page = admin_site.pages["Modèle:Soutien cobudget"]
    original = page.text(cache=False)
    page.edit(original + "\nmodification locale", "essai")
    try:
        assert main(["install-templates"]) == 0
        assert "saved Modèle:Soutien cobudget" in capsys.readouterr().out
        assert page.text(cache=False).rstrip() == original.rstrip()
    finally:
        install_templates(bot_client(env), SyncConfig())


def test_report_prints_the_json_and_writes_nothing(
    env: LocalWiki, capsys: pytest.CaptureFixture[str], bot_site: mwclient.Site
) -> None:
    assert main(["report", "contributions", "2026", "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    numerique = next(c for c in payload["circles"] if c["name"] == "Numérique")
    assert numerique["requested"] == "4770.50"
    assert not bot_site.pages["Contribution-rétribution/Registre 2026"].exists
    assert main(["report", "cobudget", "2026", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["dotation"] == "1428.57"


def test_check_lists_problems_as_page_line_message_and_fails_on_errors(
    env: LocalWiki, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check"]) == 1
    out = capsys.readouterr().out
    assert (
        "Contribution-rétribution/Déclarations 2026:7: cercle inconnu « Numerique » "
        "— vouliez-vous dire « Numérique » ?"
    ) in out.splitlines()


def test_a_dry_run_prints_diffs_and_writes_nothing(
    env: LocalWiki, capsys: pytest.CaptureFixture[str], bot_site: mwclient.Site
) -> None:
    assert main(["sync", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "+++ Contribution-rétribution/Registre 2026 (wikiledger)" in out
    assert "would edit" in out
    assert not bot_site.pages["Contribution-rétribution/Registre 2026"].exists


def test_sync_rebuild_reads_the_history_again(
    env: LocalWiki, capsys: pytest.CaptureFixture[str]
) -> None:
    def pages_read(*args: str) -> tuple[int, int]:
        assert main(["sync", "--dry-run", *args]) == 0
        last = capsys.readouterr().out.strip().splitlines()[-1]
        listed, _, rest = last.partition(" source pages, ")
        return int(listed), int(rest.split(" read,")[0])

    listed, read = pages_read()  # a first sync: the history, then no page read twice
    assert listed > 0 and read == listed
    assert pages_read() == (listed, 0)  # the history and the pages are kept in the state
    assert pages_read("--rebuild") == (listed, listed)  # every revision read again
