"""Events for ``batch/events``: custom events and Bento's special ``$`` types."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import attrs

__all__ = ["Event", "EventType"]


class EventType:
    """Event types with a special meaning to Bento."""

    PURCHASE = "$purchase"
    SUBSCRIBE = "$subscribe"
    UNSUBSCRIBE = "$unsubscribe"
    TAG = "$tag"
    REMOVE_TAG = "$remove_tag"
    UPDATE_FIELDS = "$update_fields"


def _merge_details(details: Mapping[str, Any] | None, bypass_workflows: bool) -> dict[str, Any]:
    merged = dict(details or {})
    if bypass_workflows:
        merged["bypass_workflows"] = True
    return merged


@attrs.frozen
class Event:
    """One event. ``fields`` (flat) are written to the subscriber; ``details`` stay on the event.

    ``date`` backdates the event (sent as ISO 8601). ``bypass_workflows`` keeps
    it from firing workflows.
    """

    email: str
    type: str
    fields: Mapping[str, Any] | None = None
    details: Mapping[str, Any] | None = None
    date: datetime | str | None = None

    @classmethod
    def custom(
        cls,
        email: str,
        type: str,
        *,
        fields: Mapping[str, Any] | None = None,
        details: Mapping[str, Any] | None = None,
        date: datetime | None = None,
        bypass_workflows: bool = False,
    ) -> Event:
        """Return a custom event such as ``signed_up`` or ``$completed_onboarding``."""
        merged = _merge_details(details, bypass_workflows)
        return cls(email, type, fields, merged or None, date)

    @classmethod
    def purchase(
        cls,
        email: str,
        *,
        key: str | int,
        amount: int,
        currency: str = "USD",
        cart: Mapping[str, Any] | None = None,
        fields: Mapping[str, Any] | None = None,
        date: datetime | None = None,
        bypass_workflows: bool = False,
    ) -> Event:
        """Return a ``$purchase``: ``amount`` in cents, de-duplicated by ``key`` (an order id)."""
        details: dict[str, Any] = {
            "unique": {"key": key},
            "value": {"currency": currency, "amount": amount},
        }
        if cart is not None:
            details["cart"] = dict(cart)
        return cls(
            email, EventType.PURCHASE, fields, _merge_details(details, bypass_workflows), date
        )

    @classmethod
    def subscribe(cls, email: str, *, fields: Mapping[str, Any] | None = None) -> Event:
        """Return a ``$subscribe`` (fires subscribe automations)."""
        return cls(email, EventType.SUBSCRIBE, fields)

    @classmethod
    def unsubscribe(cls, email: str) -> Event:
        """Return an ``$unsubscribe`` (fires automations even if already unsubscribed)."""
        return cls(email, EventType.UNSUBSCRIBE)

    @classmethod
    def tag(cls, email: str, tag: str) -> Event:
        """Return a ``$tag`` (adds the tag and fires tag automations every time)."""
        return cls(email, EventType.TAG, details={"tag": tag})

    @classmethod
    def remove_tag(cls, email: str, tag: str) -> Event:
        """Return a ``$remove_tag``."""
        return cls(email, EventType.REMOVE_TAG, details={"tag": tag})

    @classmethod
    def update_fields(cls, email: str, fields: Mapping[str, Any]) -> Event:
        """Return an ``$update_fields`` (sets fields and fires field-update automations)."""
        return cls(email, EventType.UPDATE_FIELDS, fields)

    def to_wire(self) -> dict[str, Any]:
        """Return the JSON object sent to the API (``date`` as ISO 8601)."""
        wire: dict[str, Any] = {"email": self.email, "type": self.type}
        if self.fields is not None:
            wire["fields"] = dict(self.fields)
        if self.details is not None:
            wire["details"] = dict(self.details)
        if self.date is not None:
            wire["date"] = self.date.isoformat() if isinstance(self.date, datetime) else self.date
        return wire
