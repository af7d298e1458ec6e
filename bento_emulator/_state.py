"""In-memory data of one emulated Bento site: subscribers, tags, fields, events, purchases.

Pure logic: no I/O, no aiohttp. Entities are frozen attrs values. Every change replaces the
stored value while holding one lock, so a test thread can read snapshots (the query methods)
while the server thread writes. The API's semantics (which request does what) live in the
handlers; this module offers the primitives they are built from.
"""

from __future__ import annotations

import itertools
import re
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import datetime, timezone
from typing import Any, Literal

import attrs

from ._imports import PendingImports
from ._state_audience import AudienceState
from ._state_content import ContentState
from ._state_experimental import ExperimentalStubs
from ._state_stats import StatsFixtures

JSONValue = Any  # what json.loads returns

_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_SEPARATORS = re.compile(r"[\s_\-]+")


def utcnow() -> datetime:
    """Return the current time, timezone-aware in UTC."""
    return datetime.now(timezone.utc)


def field_name_for(key: str) -> str:
    """Derive a field's display name from its key: `thisIsAKey` gives `This Is A Key`.

    Words are split at camelCase boundaries, spaces, hyphens and underscores.
    """
    words = _SEPARATORS.split(_CAMEL_BOUNDARY.sub(" ", key))
    return " ".join(word[:1].upper() + word[1:] for word in words if word)


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


@attrs.frozen
class Tag:
    """A tag; `discarded_at` is set while it is soft-deleted."""

    id: str
    name: str
    site_id: int
    created_at: datetime
    discarded_at: datetime | None = None


@attrs.frozen
class FieldDefinition:
    """A custom field known to the site, created the first time a value is written."""

    id: str
    key: str
    name: str
    created_at: datetime
    whitelisted: bool | None = None


@attrs.frozen
class Event:
    """An event accepted by `batch/events`; `date` is the given date or the receive time."""

    type: str
    email: str
    fields: Mapping[str, JSONValue]
    details: Mapping[str, JSONValue]
    date: datetime


@attrs.frozen
class Purchase:
    """Revenue recorded by a `$purchase` event; `key` is `details.unique.key` (None if absent)."""

    key: str | None
    subscriber_id: str
    email: str
    amount: int
    currency: str
    date: datetime


@attrs.frozen
class Automation:
    """A write that would have triggered the site's automations (workflows)."""

    trigger: str  # the event type, or the command name "add_tag_via_event"
    email: str
    details: Mapping[str, JSONValue]
    at: datetime


@attrs.frozen
class EmulatorSettings:
    """The site's identity and the emulator's behaviour switches."""

    site_uuid: str
    publishable_key: str
    secret_key: str
    commands_response: Literal["results", "visitor"] = "results"
    enterprise: bool = False
    authors: frozenset[str] = frozenset({"jesse@example.com"})
    author_error_status: Literal[500, 422] = 500
    import_delay: float = 0.0  # seconds before an import shows in fetch/subscribers


@attrs.define(eq=False)
class EmulatorState(AudienceState, ContentState):
    """Everything one emulated site knows. Mutators take the lock; queries return snapshots.

    Content (templates, broadcasts, sequences, workflows, the outbox) and audience data
    (segments, form responses) come from the `ContentState` and `AudienceState` mixins.
    """

    site_id: int = 1
    clock: Callable[[], datetime] = utcnow
    _lock: threading.RLock = attrs.field(init=False, factory=threading.RLock, repr=False)
    _subscribers: dict[str, Subscriber] = attrs.field(init=False, factory=dict)
    _ids_by_email: dict[str, str] = attrs.field(init=False, factory=dict)
    _ids_by_uuid: dict[str, str] = attrs.field(init=False, factory=dict)
    _tags: dict[str, Tag] = attrs.field(init=False, factory=dict)
    _tag_ids_by_name: dict[str, str] = attrs.field(init=False, factory=dict)
    _fields: dict[str, FieldDefinition] = attrs.field(init=False, factory=dict)
    _events: list[Event] = attrs.field(init=False, factory=list)
    _purchases: list[Purchase] = attrs.field(init=False, factory=list)
    _purchase_keys: set[str] = attrs.field(init=False, factory=set)
    _automations: list[Automation] = attrs.field(init=False, factory=list)
    _ids: dict[str, Iterator[int]] = attrs.field(init=False, factory=dict)
    # Segments, reports and ads for stats/*, and the experimental endpoints' tables.
    stats: StatsFixtures = attrs.field(init=False, factory=StatsFixtures)
    experimental: ExperimentalStubs = attrs.field(init=False, factory=ExperimentalStubs)
    # Imports queued by batch/subscribers under an import delay (see _imports).
    pending_imports: PendingImports[Any] = attrs.field(init=False, factory=PendingImports)

    def __attrs_post_init__(self) -> None:
        self._reset_content()
        self._reset_audience()

    def reset(self) -> None:
        """Forget all data and restart the id sequences; restore the stats and stub defaults."""
        self.stats.reset()
        self.experimental.reset()
        self.pending_imports.clear()
        with self._lock:
            self._reset_content()
            self._reset_audience()
            self._subscribers.clear()
            self._ids_by_email.clear()
            self._ids_by_uuid.clear()
            self._tags.clear()
            self._tag_ids_by_name.clear()
            self._fields.clear()
            for log in (self._events, self._purchases, self._automations):
                log.clear()
            self._purchase_keys.clear()
            self._ids.clear()

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

    @property
    def tags(self) -> list[Tag]:
        """Return every tag, discarded ones included, in creation order."""
        with self._lock:
            return list(self._tags.values())

    def active_tags(self) -> list[Tag]:
        """Return the tags that are not discarded."""
        return [tag for tag in self.tags if tag.discarded_at is None]

    def tag_by_name(self, name: str) -> Tag | None:
        """Return the tag with this exact name, discarded or not, or None."""
        with self._lock:
            tag_id = self._tag_ids_by_name.get(name)
            return None if tag_id is None else self._tags[tag_id]

    def tag_by_id(self, tag_id: str) -> Tag | None:
        """Return the tag with this id, or None."""
        with self._lock:
            return self._tags.get(tag_id)

    def tag_names_of(self, subscriber: Subscriber | str) -> list[str]:
        """Return the sorted tag names of a subscriber (given as a value or an email)."""
        found = self._resolve(subscriber)
        if found is None:
            return []
        with self._lock:
            return sorted(self._tags[tag_id].name for tag_id in found.tag_ids)

    @property
    def fields(self) -> list[FieldDefinition]:
        """Return every field definition, in creation order."""
        with self._lock:
            return list(self._fields.values())

    def field_by_key(self, key: str) -> FieldDefinition | None:
        """Return the field definition with this (case-sensitive) key, or None."""
        with self._lock:
            return self._fields.get(key)

    @property
    def events(self) -> list[Event]:
        """Return the accepted events, oldest first."""
        with self._lock:
            return list(self._events)

    def events_of(self, email: str) -> list[Event]:
        """Return the events sent for this email (case-insensitive)."""
        key = email_index_key(email)
        return [event for event in self.events if email_index_key(event.email) == key]

    @property
    def purchases(self) -> list[Purchase]:
        """Return the recorded purchases (duplicates excluded), oldest first."""
        with self._lock:
            return list(self._purchases)

    def revenue_of(self, subscriber: Subscriber | str) -> dict[str, int]:
        """Return a subscriber's lifetime revenue in cents, per currency."""
        found = self._resolve(subscriber)
        totals: dict[str, int] = {}
        if found is None:
            return totals
        for purchase in self.purchases:
            if purchase.subscriber_id == found.id:
                totals[purchase.currency] = totals.get(purchase.currency, 0) + purchase.amount
        return totals

    @property
    def automations(self) -> list[Automation]:
        """Return the writes that would have triggered automations, oldest first."""
        with self._lock:
            return list(self._automations)

    def _resolve(self, subscriber: Subscriber | str) -> Subscriber | None:
        if isinstance(subscriber, str):
            return self.subscriber_by_email(subscriber)
        return self.subscriber_by_id(subscriber.id)

    # -- subscribers ---------------------------------------------------------------------

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

    # -- tags and fields -----------------------------------------------------------------

    def find_or_create_tag(self, name: str) -> tuple[Tag, bool]:
        """Return the tag with this name, creating or restoring it; the flag tells if created."""
        with self._lock:
            found = self.tag_by_name(name)
            if found is None:
                tag = Tag(self._next_id("tag"), name, self.site_id, created_at=self.clock())
                self._tags[tag.id] = tag
                self._tag_ids_by_name[name] = tag.id
                return tag, True
            if found.discarded_at is not None:
                found = attrs.evolve(found, discarded_at=None)
                self._tags[found.id] = found
            return found, False

    def discard_tag(self, tag_id: str) -> Tag | None:
        """Soft-delete a tag (memberships stay); return it, or None if the id is unknown."""
        with self._lock:
            found = self._tags.get(tag_id)
            if found is not None:
                found = attrs.evolve(found, discarded_at=found.discarded_at or self.clock())
                self._tags[tag_id] = found
            return found

    def find_or_create_field(self, key: str) -> tuple[FieldDefinition, bool]:
        """Return the definition for this key, creating it; the flag tells if it was created."""
        with self._lock:
            found = self._fields.get(key)
            if found is not None:
                return found, False
            field = FieldDefinition(
                self._next_id("field"), key, field_name_for(key), created_at=self.clock()
            )
            self._fields[key] = field
            return field, True

    # -- events, purchases, automations --------------------------------------------------

    def record_event(self, event: Event) -> Event:
        """Log an event and move its subscriber's `last_event_at` forward."""
        with self._lock:
            subscriber, _ = self.find_or_create_subscriber(event.email)
            self._events.append(event)
            last = subscriber.last_event_at
            if last is None or event.date > last:
                self._store(attrs.evolve(subscriber, last_event_at=event.date))
            return event

    def record_purchase(
        self, email: str, key: str | None, amount: int, currency: str, date: datetime
    ) -> bool:
        """Record revenue unless a purchase with the same key exists; return whether recorded."""
        with self._lock:
            if key is not None:
                if key in self._purchase_keys:
                    return False
                self._purchase_keys.add(key)
            subscriber, _ = self.find_or_create_subscriber(email)
            self._purchases.append(Purchase(key, subscriber.id, email, amount, currency, date))
            return True

    def record_automation(
        self, trigger: str, email: str, details: Mapping[str, JSONValue]
    ) -> Automation:
        """Note that a write would have triggered automations."""
        with self._lock:
            automation = Automation(trigger, email, details, at=self.clock())
            self._automations.append(automation)
            return automation

    def _next_id(self, kind: str) -> str:
        return str(next(self._ids.setdefault(kind, itertools.count(1))))
