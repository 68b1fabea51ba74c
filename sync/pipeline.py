"""Small steps of the engine's pipeline: batches of pages to read, template aliases, and the
render thread's timed render."""

from __future__ import annotations

from render.plan import OutputPage, PlannedPage
from sync.result import SyncResult


def aliases_of(redirects: dict[str, str]) -> dict[str, str]:
    """{alias template name: our template name} from {redirect title: template title}."""
    return {alias.split(":", 1)[1]: target.split(":", 1)[1] for alias, target in redirects.items()}


_SPLIT_FROM = 50  # fewer pages are read in one request: a second one would cost more


def read_batches(page_ids: list[int], size: int) -> list[list[int]]:
    """Batches of at most `size` pages, the last one holding a fifth of a batch: the engine
    parses a batch while the wiki serves the next, so once the wiki has served everything
    only that small last batch remains to parse."""
    if len(page_ids) < _SPLIT_FROM:
        return [page_ids]
    tail = max(1, min(len(page_ids), size) // 5)
    body, last = page_ids[:-tail], page_ids[-tail:]
    return [body[i : i + size] for i in range(0, len(body), size)] + [last]


def timed_render(page: PlannedPage, result: SyncResult) -> OutputPage:
    with result.phase("render"):  # only the render thread adds to this phase
        return page.render()
