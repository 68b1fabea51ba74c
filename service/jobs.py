"""The kinds of job the durable queue holds, as typed events, each with the pages it names.

`WebhookEvent` (a page saved, deleted, moved or undeleted, as the extension sends it),
`FullSync` (asked for through `POST /api/sync`, or standing in for a job that could not be read
back), `CatchUp` (pages the wiki's recent changes list, for webhooks that were lost) and
`Retry` (pages the wiki refused, tried again after a backoff). They are
stored as JSON with their `event` tag and read back through `load_event`. Each has `pages()`,
the titles to read again, and `full`, whether it asks for a full sync.
"""

from __future__ import annotations

import logging
from functools import cache
from typing import Annotated, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from service.webhook import WebhookEvent

log = logging.getLogger(__name__)


class FullSync(BaseModel):
    """Read every source page again and rewrite what changed."""

    model_config = ConfigDict(extra="ignore", frozen=True)
    full: ClassVar[bool] = True

    event: Literal["full"] = "full"
    reason: str = ""  # why, for the status page: "api", "unreadable job #12"…

    def pages(self) -> set[str]:
        return set()


class CatchUp(BaseModel):
    """Pages the wiki's recent changes named since the last cursor."""

    model_config = ConfigDict(extra="ignore", frozen=True)
    full: ClassVar[bool] = False

    event: Literal["catchup"] = "catchup"
    titles: tuple[str, ...] = ()

    def pages(self) -> set[str]:
        return set(self.titles)


class Retry(BaseModel):
    """Write again the pages the wiki refused (`titles`), after a backoff: the worker queues
    it, due later, when a sync ends with refused pages."""

    model_config = ConfigDict(extra="ignore", frozen=True)
    full: ClassVar[bool] = False

    event: Literal["retry"] = "retry"
    titles: tuple[str, ...] = ()

    def pages(self) -> set[str]:
        return set()  # summary pages are not sources: a sync writes them when they differ


Event = WebhookEvent | FullSync | CatchUp | Retry
_TaggedEvent = Annotated[Event, Field(discriminator="event")]


@cache
def _adapter() -> TypeAdapter[Event]:
    adapter: TypeAdapter[Event] = TypeAdapter(_TaggedEvent)
    return adapter


def dump_event(event: Event) -> str:
    """The JSON stored in the queue, with its `event` tag."""
    return event.model_dump_json()


def load_event(payload: str, job_id: int | None = None) -> Event:
    """An event read back from the queue.

    A payload that no longer reads (written by another version, or damaged) becomes a full
    sync: it covers whatever pages the lost event named, so nothing is dropped.
    """
    try:
        return _adapter().validate_json(payload)
    except ValidationError as error:
        what = f"job #{job_id}" if job_id is not None else "a job"
        log.warning("%s cannot be read back (%s): a full sync stands in for it", what, error)
        return FullSync(reason=f"unreadable {what}")
