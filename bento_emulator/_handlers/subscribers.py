"""Subscribers: `GET`/`POST fetch/subscribers` and the `POST batch/subscribers` import."""

from __future__ import annotations

from collections.abc import Mapping

import attrs

from .._state import EmulatorState, JSONValue
from . import _render as render
from ._common import (
    Call,
    Reply,
    Route,
    bad_request,
    counts,
    flat_fields,
    optional_object,
    parse_tag_list,
    require_object,
    required_email,
    run_batch,
    wrapped_items,
    wrapped_object,
)

MAX_IMPORT = 1000
_NOT_FIELDS = frozenset({"email", "tags", "remove_tags", "fields"})


def get_subscriber(call: Call) -> Reply:
    """Find a subscriber by `email` or `uuid` (exactly one); `{"data": null}` when absent.

    Imports held back by an import delay are applied first, when due.
    """
    apply_due_imports(call.state)
    email, uuid = call.query.get("email") or None, call.query.get("uuid") or None
    if (email is None) == (uuid is None):
        raise bad_request("Give exactly one of the query parameters 'email' and 'uuid'")
    if email is not None:
        found = call.state.subscriber_by_email(email)
    else:
        found = call.state.subscriber_by_uuid(uuid or "")
    return Reply({"data": None if found is None else render.subscriber(found)})


def create_subscriber(call: Call) -> Reply:
    """Find or create a subscriber by email: 201 when created, 200 when it existed.

    Besides `{"subscriber": {"email"}}` it accepts the seed guide's top-level `email`.
    """
    body = call.body
    if isinstance(body, dict) and "subscriber" not in body and "email" in body:
        item: Mapping[str, JSONValue] = body
    else:
        item = wrapped_object(call, "subscriber")
    subscriber, created = call.state.find_or_create_subscriber(required_email(item))
    return Reply({"data": render.subscriber(subscriber)}, 201 if created else 200)


@attrs.frozen
class SubscriberImport:
    """One validated `batch/subscribers` item."""

    email: str
    fields: Mapping[str, JSONValue]
    tags: list[str]
    remove_tags: list[str]


def parse_import(item: JSONValue) -> SubscriberImport:
    """Validate an import item: flat or nested `fields`, tags as a comma string or an array."""
    item = require_object(item, "subscriber")
    extra = {key: value for key, value in item.items() if key not in _NOT_FIELDS}
    return SubscriberImport(
        email=required_email(item),
        fields=flat_fields({**optional_object(item, "fields"), **extra}),
        tags=parse_tag_list(item.get("tags"), "tags"),
        remove_tags=parse_tag_list(item.get("remove_tags"), "remove_tags"),
    )


def apply_import(state: EmulatorState, change: SubscriberImport) -> None:
    """Upsert the subscriber, then write fields, add tags and remove tags (no automations)."""
    state.find_or_create_subscriber(change.email)
    if change.fields:
        state.set_fields(change.email, change.fields)
    if change.tags:
        state.add_tags(change.email, change.tags)
    if change.remove_tags:
        state.remove_tags(change.email, change.remove_tags)


def apply_due_imports(state: EmulatorState) -> None:
    """Apply the imports an import delay held back whose time has come."""
    for change in state.pending_imports.take_due():
        apply_import(state, change)


def import_subscribers(call: Call) -> Reply:
    """Upsert 1..1000 subscribers; invalid items count as failed.

    Under an import delay, valid items are queued and applied once it has passed.
    """
    items = wrapped_items(call, "subscribers", MAX_IMPORT)
    state, delay = call.state, call.settings.import_delay
    apply_due_imports(state)
    if delay > 0:
        return counts(
            run_batch(items, lambda item: state.pending_imports.add(delay, parse_import(item)))
        )
    return counts(run_batch(items, lambda item: apply_import(state, parse_import(item))))


ROUTES = (
    Route("GET", "/fetch/subscribers", get_subscriber),
    Route("POST", "/fetch/subscribers", create_subscriber),
    Route("POST", "/batch/subscribers", import_subscribers),
)
