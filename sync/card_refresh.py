"""When the cards of the pages a sync read show their new feedback: the card data shards are
saved once the sources' rendering is cached, and the pages read are purged after them.

The feedback itself (what each card says) is rendered in `render.card`.
"""

from __future__ import annotations

import datetime
import logging
import time
from collections.abc import Callable, Iterable, Mapping

from sync.port import PageText, WikiError, WikiPort
from sync.state import ParsedPage

log = logging.getLogger(__name__)

# MediaWiki keeps a page's rendering while the page was not touched after it, to the second:
# a card rendered when its page was saved, then touched by a shard saved in that same second,
# would keep "en attente" for good. The shards are saved two seconds after the newest source
# revision read, once its rendering is cached.
PARSER_CACHE_SECONDS = 2.0


def newest_revision(timestamps: Iterable[str]) -> float | None:
    """The newest of revision timestamps (`2026-03-12T09:30:00Z`), in seconds since the epoch."""
    times = [datetime.datetime.fromisoformat(t.replace("Z", "+00:00")) for t in timestamps if t]
    return max(times).timestamp() if times else None


def wait_for_rendered_sources(
    newest: float | None,
    *,
    clock: Callable[[], float] = time.time,
    sleep: Callable[[float], None] = time.sleep,
) -> float:
    """Before a shard is saved: wait until the source pages read were rendered in an earlier
    second than the save; returns the seconds waited."""
    if newest is None:
        return 0.0
    delay = newest + PARSER_CACHE_SECONDS - clock()
    if delay <= 0:
        return 0.0
    sleep(delay)
    return delay


def purge_titles(read: Iterable[PageText], parsed: Mapping[int, ParsedPage]) -> list[str]:
    """The pages a live sync read that hold cards: purged (with their link tables) after the
    shards are saved. MediaWiki re-renders a card's page when its shard changes, through
    templatelinks, but a page created with its first card was seen to keep "en attente":
    its links were not recorded yet when the shard's change was propagated."""
    return sorted(p.title for p in read if p.page_id in parsed and parsed[p.page_id].cards)


def purge_cards(wiki: WikiPort, read: Iterable[PageText], cached: Mapping[int, ParsedPage]) -> None:
    """Re-render the pages just read whose cards got new feedback (`purge_titles`)."""
    titles = purge_titles(read, cached)
    if not titles:
        return
    try:
        wiki.purge(titles)
    except WikiError as error:  # the data is written: the cards follow with the job queue
        log.warning("could not purge %d pages with cards: %s", len(titles), error)
