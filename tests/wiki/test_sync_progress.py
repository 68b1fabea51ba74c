"""A first sync on the real wiki tells its progress: pages listed, read, written; the command
draws it on a terminal only."""

from __future__ import annotations

import io
import sys

import pytest

from devwiki.mediawiki import LocalWiki
from service.cli import main
from sync.engine import SyncEngine
from sync.progress import LISTED, READ, WRITTEN


def test_a_first_sync_reports_each_step_up_to_its_total(engine: SyncEngine) -> None:
    calls: list[tuple[str, int, int]] = []
    engine.progress = lambda step, done, total: calls.append((step, done, total))
    result = engine.full_sync()

    steps = [step for step, _, _ in calls]
    assert steps == sorted(steps, key=[LISTED, READ, WRITTEN].index)  # in order, each once
    assert calls[0] == (LISTED, result.pages_listed, result.pages_listed)
    read = [(done, total) for step, done, total in calls if step == READ]
    assert read[-1] == (result.pages_read, result.pages_read)
    assert [done for done, _ in read] == sorted({done for done, _ in read})
    written = [(done, total) for step, done, total in calls if step == WRITTEN]
    assert [done for done, _ in written] == list(range(1, len(written) + 1))
    assert written[-1][1] == len(written) >= len(result.edits) > 0

    calls.clear()
    again = engine.full_sync()  # nothing changed: nothing read, every page compared again
    assert again.pages_read == 0
    assert [step for step, _, _ in calls if step == READ] == []
    assert calls[0] == (LISTED, again.pages_listed, again.pages_listed)


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_sync_command_draws_a_bar_on_a_terminal_and_clears_it(
    env: LocalWiki, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    terminal = FakeTerminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert main(["sync", "--dry-run"]) == 0
    drawn = terminal.getvalue()
    assert "source pages listed" in drawn and "pages read" in drawn
    assert "summary pages written" in drawn and "100%" in drawn
    assert "\n" not in drawn and drawn.endswith("\r")  # the line is cleared, not left behind
    assert "source pages" in capsys.readouterr().out  # the command's own summary


def test_the_sync_command_is_silent_when_stderr_is_not_a_terminal(
    env: LocalWiki, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["sync", "--dry-run"]) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    assert "pages read" not in captured.out and "\r" not in captured.out
