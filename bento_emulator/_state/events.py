"""Events of an emulated site, and what they leave: purchases and automation triggers."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

import attrs

from ._core import JSONValue
from .subscribers import Subscriber, SubscriberState


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


class EventState(SubscriberState):
    """The event log, purchases and automation triggers (a mixin of EmulatorState)."""

    _events: list[Event]
    _purchases: list[Purchase]
    _purchase_keys: set[str]
    _automations: list[Automation]

    def _reset(self) -> None:
        super()._reset()
        self._events = []
        self._purchases = []
        self._purchase_keys = set()
        self._automations = []

    @property
    def events(self) -> list[Event]:
        """Return the accepted events, oldest first."""
        with self._lock:
            return list(self._events)

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
