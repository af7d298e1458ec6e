"""Subscribers of an emulated site: creation, (un)subscribing, tags, fields, email changes."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any

import attrs

from ._core import JSONValue
from .fields import FieldState
from .tags import TagState


def email_index_key(email: str) -> str:
    """Return the key emails are looked up by: Bento treats addresses case-insensitively."""
    return email.lower()


@attrs.frozen
class Subscriber:
    """A person on the site (a "visitor" with an email)."""

    id: str
    uuid: str
    email: str
    fields: Mapping[str, JSONValue]
    tag_ids: frozenset[str]
    created_at: datetime
    updated_at: datetime
    unsubscribed_at: datetime | None = None
    last_event_at: datetime | None = None

    @property
    def subscribed(self) -> bool:
        """Whether the person is subscribed (has not unsubscribed)."""
        return self.unsubscribed_at is None


class SubscriberState(TagState, FieldState):
    """The site's people, by id, email and uuid (a mixin of EmulatorState).

    Every mutator finds or creates the person first, as Bento's writes do.
    """

    _subscribers: dict[str, Subscriber]
    _ids_by_email: dict[str, str]
    _ids_by_uuid: dict[str, str]

    def _reset(self) -> None:
        super()._reset()
        self._subscribers = {}
        self._ids_by_email = {}
        self._ids_by_uuid = {}

    # -- queries -------------------------------------------------------------------------

    @property
    def subscribers(self) -> list[Subscriber]:
        """Return every subscriber, in creation order."""
        with self._lock:
            return list(self._subscribers.values())

    def subscriber_by_email(self, email: str) -> Subscriber | None:
        """Return the subscriber with this email (case-insensitive), or None."""
        with self._lock:
            sub_id = self._ids_by_email.get(email_index_key(email))
            return None if sub_id is None else self._subscribers[sub_id]

    def subscriber_by_uuid(self, uuid_: str) -> Subscriber | None:
        """Return the subscriber with this uuid, or None."""
        with self._lock:
            sub_id = self._ids_by_uuid.get(uuid_)
            return None if sub_id is None else self._subscribers[sub_id]

    def subscriber_by_id(self, sub_id: str) -> Subscriber | None:
        """Return the subscriber with this id, or None."""
        with self._lock:
            return self._subscribers.get(sub_id)

    def tag_names_of(self, subscriber: Subscriber | str) -> list[str]:
        """Return the sorted tag names of a subscriber (given as a value or an email)."""
        found = self._resolve(subscriber)
        if found is None:
            return []
        with self._lock:
            return sorted(self._tags[tag_id].name for tag_id in found.tag_ids)

    def _resolve(self, subscriber: Subscriber | str) -> Subscriber | None:
        if isinstance(subscriber, str):
            return self.subscriber_by_email(subscriber)
        return self.subscriber_by_id(subscriber.id)

    # -- mutators ------------------------------------------------------------------------

    def find_or_create_subscriber(self, email: str) -> tuple[Subscriber, bool]:
        """Return the subscriber with this email, creating it; the flag tells if it was created."""
        with self._lock:
            found = self.subscriber_by_email(email)
            if found is not None:
                return found, False
            now = self.clock()
            created = Subscriber(
                id=self._next_id("subscriber"),
                uuid=uuid.uuid4().hex,
                email=email,
                fields={},
                tag_ids=frozenset(),
                created_at=now,
                updated_at=now,
            )
            self._store(created)
            return created, True

    def subscribe(self, email: str) -> Subscriber:
        """Subscribe a person (creating them), clearing `unsubscribed_at`."""
        return self._update(email, lambda _: {"unsubscribed_at": None})

    def unsubscribe(self, email: str) -> Subscriber:
        """Unsubscribe a person (creating them); a repeat moves `unsubscribed_at` forward."""
        return self._update(email, lambda _: {"unsubscribed_at": self.clock()})

    def add_tags(self, email: str, names: Iterable[str]) -> Subscriber:
        """Tag a person (creating them and any missing or discarded tag)."""

        def tagged(subscriber: Subscriber) -> dict[str, Any]:
            added = {self.find_or_create_tag(name)[0].id for name in names}
            return {"tag_ids": subscriber.tag_ids | added}

        return self._update(email, tagged)

    def remove_tags(self, email: str, names: Iterable[str]) -> Subscriber:
        """Untag a person (creating them); unknown tag names are ignored."""

        def untagged(subscriber: Subscriber) -> dict[str, Any]:
            removed = {tag.id for tag in map(self.tag_by_name, names) if tag is not None}
            return {"tag_ids": subscriber.tag_ids - removed}

        return self._update(email, untagged)

    def set_fields(self, email: str, values: Mapping[str, JSONValue]) -> Subscriber:
        """Merge field values into a person (creating them and any missing definition)."""

        def merged(subscriber: Subscriber) -> dict[str, Any]:
            for key in values:
                self.find_or_create_field(key)
            return {"fields": {**subscriber.fields, **values}}

        return self._update(email, merged)

    def remove_fields(self, email: str, keys: Iterable[str]) -> Subscriber:
        """Remove field values from a person (creating them); definitions stay."""

        def pruned(subscriber: Subscriber) -> dict[str, Any]:
            dropped = set(keys)
            return {"fields": {k: v for k, v in subscriber.fields.items() if k not in dropped}}

        return self._update(email, pruned)

    def change_email(self, email: str, new_email: str) -> Subscriber:
        """Give a person (created if missing) a new address.

        Raises ValueError when another subscriber already has the new address.
        """
        with self._lock:
            subscriber, _ = self.find_or_create_subscriber(email)
            other = self.subscriber_by_email(new_email)
            if other is not None and other.id != subscriber.id:
                raise ValueError("email has already been taken")
            updated = self._update(email, lambda _: {"email": new_email})
            if email_index_key(subscriber.email) != email_index_key(new_email):
                del self._ids_by_email[email_index_key(subscriber.email)]
            return updated

    def _update(self, email: str, changes: Callable[[Subscriber], dict[str, Any]]) -> Subscriber:
        """Find or create a person, apply `changes(person)` to them and store the result."""
        with self._lock:
            subscriber, _ = self.find_or_create_subscriber(email)
            updated = attrs.evolve(subscriber, updated_at=self.clock(), **changes(subscriber))
            self._store(updated)
            return updated

    def _store(self, subscriber: Subscriber) -> None:
        self._subscribers[subscriber.id] = subscriber
        self._ids_by_email[email_index_key(subscriber.email)] = subscriber.id
        self._ids_by_uuid[subscriber.uuid] = subscriber.id
