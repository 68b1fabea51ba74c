"""`wikiledger export`: CSV/ODS files from a fake engine holding a real computation."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from odf.opendocument import load
from odf.table import Table

from render.compute import Computation
from service import cli
from tests.unit.test_export_routes import CAMPAGNE, computation


class FakeEngine:
    """What the CLI uses of `SyncEngine`: a read-only full sync, then `compute()`."""

    def __init__(self) -> None:
        self.syncs: list[dict[str, bool]] = []

    def full_sync(self, *, dry_run: bool = False, write: bool = True) -> None:
        self.syncs.append({"dry_run": dry_run, "write": write})

    def compute(self) -> Computation:
        return computation()


@pytest.fixture
def engine(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> FakeEngine:
    fake = FakeEngine()
    monkeypatch.chdir(tmp_path)  # no wikiledger.toml: the default configuration
    for variable in (
        "WIKILEDGER_WEBHOOK_SECRET",
        "WIKILEDGER_API_TOKEN",
        "WIKILEDGER_BOT_PASSWORD",
    ):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setattr(cli, "build_engine", lambda settings, config: fake)
    return fake


def test_exporting_a_year_writes_a_french_csv_file_and_no_page(engine, tmp_path, capsys) -> None:
    target = tmp_path / "registre.csv"
    assert cli.main(["export", "contributions", "2026", "--format", "csv", "-o", str(target)]) == 0
    assert engine.syncs == [{"dry_run": False, "write": False}]
    text = target.read_bytes().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text, newline=""), delimiter=";"))
    assert len(rows) == 4 and rows[0]["Date"] == "09/01/2026"
    assert f"wrote {target} (csv, 4 declaration(s))" in capsys.readouterr().out


def test_the_format_follows_the_files_extension_when_not_given(engine, tmp_path) -> None:
    target = tmp_path / "cobudget.ods"
    assert cli.main(["export", "cobudget", CAMPAGNE, "-o", str(target)]) == 0
    document = load(str(target))
    assert len(document.spreadsheet.getElementsByType(Table)) >= 2


def test_without_a_file_the_export_goes_to_binary_stdout(engine, capsysbinary) -> None:
    assert (
        cli.main(["export", "cobudget", CAMPAGNE, "--format", "csv", "--dialect", "rfc4180"]) == 0
    )
    out = capsysbinary.readouterr().out
    assert out.startswith(b"member,project,amount,state,page,line,project_status\r\n")
    assert b"Alice Martin,Four \xc3\xa0 pain,500.00,counted," in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["contributions", "2019"], "no declarations for 2019 on the wiki (years: 2025, 2026)"),
        (["cobudget", "Hiver"], f"no campaign named 'Hiver' on the wiki (known: {CAMPAGNE})"),
        (["contributions", "2026", "--format", "ods", "--dialect", "fr"], "CSV exports only"),
    ],
)
def test_a_wrong_request_is_a_one_line_error(engine, capsys, argv, message) -> None:
    assert cli.main(["export", *argv]) == 2
    err = capsys.readouterr().err
    assert err.startswith("wikiledger: ") and message in err and err.count("\n") == 1
