"""Render state entities in the API's JSON:API shapes (§3.1 of the reference)."""

from __future__ import annotations

from datetime import datetime, timezone

from .._state import FieldDefinition, JSONValue, Subscriber, Tag


def iso(moment: datetime | None) -> str | None:
    """Render a datetime as the API does, e.g. `2024-01-01T00:00:00Z`; None stays None."""
    if moment is None:
        return None
    utc = moment.astimezone(timezone.utc).replace(microsecond=0, tzinfo=None)
    return utc.isoformat() + "Z"


def subscriber(value: Subscriber) -> dict[str, JSONValue]:
    """Render a subscriber as a `visitors` resource; empty fields render as null."""
    attributes = {
        "uuid": value.uuid,
        "email": value.email,
        "fields": dict(value.fields) or None,
        "cached_tag_ids": sorted(value.tag_ids, key=int),
        "unsubscribed_at": iso(value.unsubscribed_at),
    }
    return {"id": value.id, "type": "visitors", "attributes": attributes}


def tag(value: Tag) -> dict[str, JSONValue]:
    """Render a tag as a `tags` resource."""
    attributes = {
        "name": value.name,
        "created_at": iso(value.created_at),
        "discarded_at": iso(value.discarded_at),
        "site_id": value.site_id,
    }
    return {"id": value.id, "type": "tags", "attributes": attributes}


def field(value: FieldDefinition) -> dict[str, JSONValue]:
    """Render a field definition as a `visitors-fields` resource."""
    attributes = {
        "key": value.key,
        "name": value.name,
        "whitelisted": value.whitelisted,
        "created_at": iso(value.created_at),
    }
    return {"id": value.id, "type": "visitors-fields", "attributes": attributes}
