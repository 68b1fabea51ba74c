"""The history of records: the revisions they come from and what each edit changed.

A `RevisionRef` names one wiki revision (id, author, time, whether the author is an IP or
was hidden). A tracked record's `versions` are the revisions where its content changed, each
with the record as it was then (None: removed); its events (`created`, a field changed,
`moved` to another page) are worked out from them, values as written on the page.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field

from ledger.name import name_key
from ledger.record import Contribution, written_value

CREATED = "created"
MOVED = "moved"
# The fields of a declaration whose changes are events, in the order they are listed.
TRACKED_FIELDS = ("statut", "montant", "heures", "contributeur", "cercle", "date")
# What changes the money a validation vouched for: a change undoes the validation.
MATERIAL_FIELDS = ("montant", "heures", "contributeur", "cercle")


@dataclass(frozen=True, slots=True)
class RevisionRef:
    """One revision of a wiki page: who saved it and when (UTC)."""

    rev_id: int
    user: str  # "" when the author was hidden (revision deletion)
    timestamp: datetime.datetime  # aware, UTC
    anonymous: bool = False  # an IP edit: `user` is the address
    user_hidden: bool = False

    def to_json(self) -> dict[str, object]:
        return {
            "user": self.user or None,
            "timestamp": iso_utc(self.timestamp),
            "rev_id": self.rev_id,
        }


def iso_utc(moment: datetime.datetime) -> str:
    """`2026-03-12T09:30:00Z`: ISO 8601 in UTC, to the second."""
    utc = moment.astimezone(datetime.UTC).replace(tzinfo=None, microsecond=0)
    return utc.isoformat() + "Z"


@dataclass(frozen=True, slots=True)
class HistoryEvent:
    """One change of a declaration: `field` is `created`, `moved` or one of TRACKED_FIELDS.

    `old`/`new` are the values as written on the page ("" when absent); for `moved`, the
    titles of the pages; for `created`, "" and the written status.
    """

    revision: RevisionRef
    field: str
    old: str
    new: str

    def to_json(self) -> dict[str, object]:
        return {
            "rev_id": self.revision.rev_id,
            "user": self.revision.user or None,
            "timestamp": iso_utc(self.revision.timestamp),
            "field": self.field,
            "from": self.old,
            "to": self.new,
        }


@dataclass(frozen=True, slots=True)
class Version:
    """A record as one revision left it: `record` None when that revision removed it."""

    revision: RevisionRef
    page_id: int
    record: object | None


@dataclass(slots=True)
class Trail:
    """A record followed across edits: its versions, oldest first, and where it is now."""

    number: int  # stable: the order of first appearance in the history
    kind: str  # "contribution", "pledge", "circle", "envelope", "campaign", "project"
    page_id: int
    record: object  # the record as on the page now (or when it was last seen)
    versions: list[Version] = field(default_factory=list)

    @property
    def present(self) -> bool:
        return self.versions[-1].record is not None

    @property
    def created(self) -> RevisionRef:
        return self.versions[0].revision

    def written_versions(self) -> list[Version]:
        """The versions with a record (removals left out), oldest first."""
        return [v for v in self.versions if v.record is not None]


def field_text(record: Contribution, name: str) -> str:
    """A declaration's parameter as written; its status as the default when not written."""
    text = written_value(record.written, name)
    if not text and name == "statut":
        return str(record.status)
    return text


def field_value(record: Contribution, name: str) -> object:
    """The parsed value behind a tracked parameter (what decides whether it changed)."""
    match name:
        case "cercle":  # as the ledger compares circles: case and spaces do not count
            return name_key(record.circle)
        case "statut":
            return record.status
        case "montant":
            return record.amount
        case "heures":
            return record.hours
        case "contributeur":
            return record.contributor
        case "date":
            return record.date
    raise KeyError(name)


def material(record: Contribution) -> tuple[object, ...]:
    """What a validation vouches for: amount, hours, contributor and circle."""
    return tuple(field_value(record, name) for name in MATERIAL_FIELDS)


def contribution_events(versions: Sequence[Version]) -> list[HistoryEvent]:
    """The events of a declaration from its versions, oldest first.

    Removals are not events: a declaration removed and put back (an undone vandalism) shows
    only what differs between the version before and the one after.
    """
    events: list[HistoryEvent] = []
    previous: Version | None = None
    for version in versions:
        record = version.record
        if not isinstance(record, Contribution):
            continue
        if previous is None:
            events.append(HistoryEvent(version.revision, CREATED, "", field_text(record, "statut")))
        else:
            before = previous.record
            assert isinstance(before, Contribution)
            if previous.page_id != version.page_id:
                page = record.source.page
                events.append(HistoryEvent(version.revision, MOVED, before.source.page, page))
            for name in TRACKED_FIELDS:
                if field_value(before, name) != field_value(record, name):
                    events.append(
                        HistoryEvent(
                            version.revision,
                            name,
                            field_text(before, name),
                            field_text(record, name),
                        )
                    )
        previous = version
    return events
