"""Saved segments of an emulated site; membership is decided at each request."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime

import attrs

from ._core import JSONValue
from .subscribers import Subscriber, SubscriberState


@attrs.frozen
class Segment:
    """A saved segment. Its members are the people whose email is in `emails`, plus (when
    `tags` is not empty) everyone carrying all of `tags`, plus everyone `rule` accepts;
    `visitor_event_query` is only shown."""

    id: str
    name: str
    created_at: datetime
    updated_at: datetime
    description: str | None = None
    visitor_event_query: Mapping[str, JSONValue] = attrs.field(factory=dict)
    emails: frozenset[str] = frozenset()
    tags: frozenset[str] = frozenset()
    discarded_at: datetime | None = None
    rule: Callable[[Subscriber], bool] | None = attrs.field(default=None, repr=False, eq=False)


class SegmentState(SubscriberState):
    """The site's segments and their members (a mixin of EmulatorState)."""

    _segments: dict[str, Segment]

    def _reset(self) -> None:
        super()._reset()
        self._segments = {}

    def add_segment(
        self,
        name: str,
        *,
        description: str | None = None,
        visitor_event_query: Mapping[str, JSONValue] | None = None,
        emails: Iterable[str] = (),
        tags: Iterable[str] = (),
        rule: Callable[[Subscriber], bool] | None = None,
        segment_id: str | None = None,
    ) -> Segment:
        """Store a segment whose members are `emails`, everyone carrying all `tags`, and
        everyone `rule` accepts (membership is decided at each request)."""
        if isinstance(emails, str):
            emails = [emails]
        with self._lock:
            now = self.clock()
            segment = Segment(
                segment_id if segment_id is not None else self._next_id("segment"),
                name,
                now,
                now,
                description,
                dict(visitor_event_query or {}),
                frozenset(e.lower() for e in emails),
                frozenset(tags),
                rule=rule,
            )
            self._segments[segment.id] = segment
            return segment

    def discard_segment(self, segment_id: str) -> Segment | None:
        """Delete a segment (it is no longer listed); None when the id is unknown."""
        with self._lock:
            found = self._segments.get(segment_id)
            if found is not None and found.discarded_at is None:
                found = attrs.evolve(found, discarded_at=self.clock())
                self._segments[segment_id] = found
            return found

    @property
    def segments(self) -> list[Segment]:
        """Return the segments that are not deleted, ordered by name."""
        with self._lock:
            live = [s for s in self._segments.values() if s.discarded_at is None]
        return sorted(live, key=lambda s: (s.name.lower(), int(s.id)))

    def segment_by_id(self, segment_id: str) -> Segment | None:
        """Return the live segment with this id, or None."""
        with self._lock:
            found = self._segments.get(segment_id)
        return found if found is not None and found.discarded_at is None else None

    def in_segment(self, segment: Segment, subscriber: Subscriber) -> bool:
        """Tell whether a subscriber is a member of a segment."""
        if subscriber.email.lower() in segment.emails:
            return True
        if segment.rule is not None and segment.rule(subscriber):
            return True
        return bool(segment.tags) and segment.tags <= set(self.tag_names_of(subscriber))

    def segment_members(self, segment_id: str) -> list[Subscriber]:
        """Return the members of a live segment (empty when the id is unknown)."""
        segment = self.segment_by_id(segment_id)
        if segment is None:
            return []
        return [s for s in self.subscribers if self.in_segment(segment, s)]
