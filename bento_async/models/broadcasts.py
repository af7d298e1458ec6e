"""Broadcasts: one-off campaigns, listed from ``fetch/broadcasts`` and created in batches."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, ClassVar

import attrs

from ._base import Resource
from ._enums import OpenEnum
from ._frozen import EMPTY

__all__ = [
    "Broadcast",
    "BroadcastFailure",
    "BroadcastResult",
    "BroadcastStats",
    "BroadcastStatus",
    "BroadcastTemplate",
    "BroadcastType",
    "CreatedBroadcast",
    "NewBroadcast",
    "Sender",
]


class BroadcastType(OpenEnum):
    """How a broadcast's content is rendered: ``plain`` (Bento's styling) or ``raw`` HTML.

    The Node SDK also sends ``html`` and ``markdown``; those parse as unknown members.
    """

    PLAIN = "plain"
    RAW = "raw"


class BroadcastStatus(OpenEnum):
    """A broadcast's state, also the ``status`` filter of the list (``cancelled`` is an alias)."""

    SENT = "sent"
    DRAFT = "draft"
    SENDING = "sending"
    SCHEDULED = "scheduled"
    PAUSED = "paused"
    CANCELED = "canceled"

    @classmethod
    def aliases(cls) -> Mapping[str, str]:
        """Return ``{"cancelled": "canceled"}``."""
        return {"cancelled": "canceled"}


@attrs.frozen
class Sender(Resource):
    """The ``from`` of a broadcast: an author's address and display name."""

    email: str | None = None
    name: str | None = None
    extra: Mapping[str, Any] = attrs.field(default=EMPTY, repr=False)


@attrs.frozen
class BroadcastTemplate(Resource):
    """A broadcast's template; drafts carry only ``template_id``."""

    template_id: str | None = None
    subject: str | None = None
    to: str | None = None
    html: str | None = None
    extra: Mapping[str, Any] = attrs.field(default=EMPTY, repr=False)


@attrs.frozen
class BroadcastStats(Resource):
    """Engagement figures of a sent broadcast (rates are fractions, as the API sends them)."""

    open_rate: float | None = None
    click_rate: float | None = None
    extra: Mapping[str, Any] = attrs.field(default=EMPTY, repr=False)


@attrs.frozen
class Broadcast(Resource):
    """A broadcast as ``fetch/broadcasts`` lists it.

    The sources disagree on the attributes (Node: ``content``, ``from``, tags; OpenAPI:
    ``template``, ``share_url``, ``stats``), so every one of them is optional.
    """

    __wire_names__: ClassVar[Mapping[str, str]] = {"from": "from_"}

    id: str
    name: str | None = None
    subject: str | None = None
    content: str | None = None
    type: BroadcastType | None = None
    status: BroadcastStatus | None = None
    from_: Sender | None = None
    inclusive_tags: str | None = None
    exclusive_tags: str | None = None
    segment_id: str | None = None
    batch_size_per_hour: int | None = None
    share_url: str | None = None
    template: BroadcastTemplate | None = None
    stats: BroadcastStats | None = None
    created_at: datetime | None = None
    send_at: datetime | None = None
    sent_final_batch_at: datetime | None = None
    extra: Mapping[str, Any] = attrs.field(default=EMPTY, repr=False)


@attrs.frozen
class NewBroadcast:
    """A broadcast to create (as a draft) with ``bento.broadcasts.create``.

    ``from_`` is an author's address (or a :class:`Sender` with a name).
    ``batch_size_per_hour`` must be 10 to 250000. Tags are lists or comma strings of
    names; ``send_at`` schedules it.
    """

    name: str
    subject: str
    content: str
    from_: str | Sender
    batch_size_per_hour: int
    type: BroadcastType | str = BroadcastType.PLAIN
    inclusive_tags: str | tuple[str, ...] | list[str] | None = None
    exclusive_tags: str | tuple[str, ...] | list[str] | None = None
    segment_id: str | None = None
    send_at: datetime | str | None = None
    approved: bool | None = None


@attrs.frozen
class CreatedBroadcast(Resource):
    """A broadcast ``batch/broadcasts`` created: its id, template and dashboard link."""

    id: str
    name: str | None = None
    template_id: str | None = None
    dashboard_url: str | None = None
    extra: Mapping[str, Any] = attrs.field(default=EMPTY, repr=False)


@attrs.frozen
class BroadcastFailure(Resource):
    """A broadcast ``batch/broadcasts`` refused: its position in the call and why."""

    index: int | None = None
    name: str | None = None
    error: str | None = None
    extra: Mapping[str, Any] = attrs.field(default=EMPTY, repr=False)


@attrs.frozen
class BroadcastResult:
    """What ``batch/broadcasts`` reports. The older API sent only ``results``; then the
    tuples are empty."""

    results: int
    failed: int = 0
    broadcasts: tuple[CreatedBroadcast, ...] = ()
    failures: tuple[BroadcastFailure, ...] = ()

    @property
    def ok(self) -> bool:
        """Whether no broadcast failed."""
        return self.failed == 0 and not self.failures
