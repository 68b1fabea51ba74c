"""The sync's progress bar: drawn on a terminal only, throttled, cleared at the end."""

from __future__ import annotations

import io

from service.progress import BAR_WIDTH, TerminalProgress, render_line
from sync.progress import LISTED, READ, WRITTEN


class FakeTerminal(io.StringIO):
    """A stream that says it is a terminal, as sys.stderr in a shell does."""

    def isatty(self) -> bool:
        super().isatty()  # raises ValueError once closed, as a real stream does
        return True


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_line_says_the_step_the_count_and_the_share_with_a_bar() -> None:
    line = render_line(READ, 500, 2000)
    assert line.startswith("pages read")
    assert "500/2000" in line
    assert "[" + "#" * (BAR_WIDTH // 4) + "-" * (BAR_WIDTH - BAR_WIDTH // 4) + "]" in line
    assert line.endswith("25%")
    assert "100%" in render_line(WRITTEN, 7, 7)
    assert render_line(LISTED, 0, 0) == "source pages listed    0"


def test_on_a_terminal_each_step_redraws_one_line_and_the_end_clears_it() -> None:
    stream, clock = FakeTerminal(), Clock()
    progress = TerminalProgress(stream, clock=clock)
    progress(LISTED, 40, 40)
    clock.now += 1
    progress(READ, 20, 40)
    clock.now += 1
    progress(READ, 40, 40)
    text = stream.getvalue()
    assert "\n" not in text
    assert text.count("\r") == 3
    assert "source pages listed" in text and "20/40" in text and "40/40" in text
    progress.close()
    assert stream.getvalue().endswith("\r" + " " * len(render_line(READ, 40, 40)) + "\r")


def test_redraws_are_throttled_but_the_last_of_a_step_is_always_drawn() -> None:
    stream, clock = FakeTerminal(), Clock()
    progress = TerminalProgress(stream, clock=clock)
    for done in range(1, 1001):
        clock.now += 0.001  # a thousand calls in one second
        progress(READ, done, 1000)
    text = stream.getvalue()
    assert text.count("\r") <= 12
    assert text.rstrip().endswith(render_line(READ, 1000, 1000))


def test_a_shorter_line_covers_the_rest_of_the_longer_one() -> None:
    stream = FakeTerminal()
    progress = TerminalProgress(stream, clock=Clock())
    progress(WRITTEN, 10000, 10000)
    long = len(stream.getvalue()) - 1
    progress(LISTED, 3, 3)
    assert len(stream.getvalue().rsplit("\r", 1)[1]) == long


def test_nothing_is_written_when_the_stream_is_not_a_terminal() -> None:
    stream = io.StringIO()
    progress = TerminalProgress(stream)
    progress(LISTED, 4, 4)
    progress(READ, 4, 4)
    progress.close()
    assert stream.getvalue() == ""


def test_a_disabled_bar_draws_nothing_even_on_a_terminal() -> None:
    stream = FakeTerminal()
    progress = TerminalProgress(stream, enabled=False)  # `wikiledger -v`: the log has stderr
    progress(READ, 1, 2)
    progress.close()
    assert stream.getvalue() == ""


def test_a_closed_stream_is_not_a_terminal() -> None:
    stream = FakeTerminal()
    stream.close()
    progress = TerminalProgress(stream)
    progress(READ, 1, 2)  # no error, nothing drawn
    assert progress.enabled is False
