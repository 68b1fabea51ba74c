"""The dependency direction of DESIGN §2, read from the imports of every module."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROJECT = {"ledger", "parsers", "render", "sync", "service", "devwiki", "bench"}


def imported_top_levels(package: str) -> dict[str, set[str]]:
    """{module path: top-level names it imports}, for every .py file of the package."""
    found: dict[str, set[str]] = {}
    for path in sorted((ROOT / package).rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
        found[str(path.relative_to(ROOT))] = names
    return found


def test_ledger_imports_only_the_standard_library_and_itself() -> None:
    for module, names in imported_top_levels("ledger").items():
        outside = {n for n in names if n != "ledger" and n not in sys.stdlib_module_names}
        assert not outside, f"{module} imports {sorted(outside)}"


def test_parsers_import_ledger_but_not_sync_or_service() -> None:
    for module, names in imported_top_levels("parsers").items():
        assert not names & {"render", "sync", "service", "devwiki", "bench"}, module


def test_render_imports_neither_the_wiki_nor_sync_or_service() -> None:
    # rendering is pure: from records to wikitext, with no wiki client
    for module, names in imported_top_levels("render").items():
        assert not names & {"sync", "service", "devwiki", "bench", "mwclient", "requests"}, module


def test_sync_imports_neither_service_nor_devwiki() -> None:
    for module, names in imported_top_levels("sync").items():
        assert not names & {"service", "devwiki", "bench"}, module


def test_the_import_reader_sees_real_imports() -> None:
    # the reader itself must notice imports, or the tests above could pass vacuously
    assert "decimal" in imported_top_levels("ledger")["ledger/record.py"]
    assert {"parsers", "ledger", "render"} <= imported_top_levels("sync")["sync/sources.py"]
    assert "jinja2" in imported_top_levels("render")["render/pages.py"]
