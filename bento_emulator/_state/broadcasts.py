"""Broadcasts of an emulated site; each one owns an email template."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

import attrs

from ._core import JSONValue
from .email_templates import TemplateState


@attrs.frozen
class Broadcast:
    """A broadcast; those created through the API start as drafts."""

    id: str
    name: str
    subject: str
    content: str
    type: str
    status: str
    from_email: str
    from_name: str | None
    batch_size_per_hour: int
    template_id: str
    created_at: datetime
    inclusive_tags: str | None = None
    exclusive_tags: str | None = None
    segment_id: str | None = None
    send_at: datetime | None = None
    approved: bool = False
    stats: Mapping[str, JSONValue] | None = None


class BroadcastState(TemplateState):
    """The site's broadcasts, in creation order (a mixin of EmulatorState)."""

    _broadcasts: dict[str, Broadcast]

    def _reset(self) -> None:
        super()._reset()
        self._broadcasts = {}

    @property
    def broadcasts(self) -> list[Broadcast]:
        """Return every broadcast, in creation order."""
        with self._lock:
            return list(self._broadcasts.values())

    def add_broadcast(
        self,
        name: str,
        *,
        subject: str | None = None,
        content: str = "<p>Hello</p>",
        status: str = "sent",
        type: str = "plain",
        from_email: str = "jesse@example.com",
        from_name: str | None = None,
        batch_size_per_hour: int = 1000,
        **optional: JSONValue,
    ) -> Broadcast:
        """Store a broadcast and its template; `optional` sets the other Broadcast fields
        (`inclusive_tags`, `segment_id`, `send_at`, `approved`, `stats`, `created_at`)."""
        with self._lock:
            template = self.add_email_template(subject=subject or name, html=content, name=name)
            fields = {"created_at": self.clock(), **optional}
            broadcast = Broadcast(
                id=self._next_id("broadcast"),
                name=name,
                subject=subject or name,
                content=content,
                type=type,
                status=status,
                from_email=from_email,
                from_name=from_name,
                batch_size_per_hour=batch_size_per_hour,
                template_id=template.id,
                **fields,
            )
            self._broadcasts[broadcast.id] = broadcast
            return broadcast
