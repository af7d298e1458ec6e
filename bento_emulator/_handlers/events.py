"""Events: `POST batch/events`, 1..1000 events, each upserting its subscriber (§5).

Special types: `$subscribe`, `$unsubscribe`, `$tag` / `$remove_tag` (`details.tag`),
`$update_fields` and `$purchase` (revenue in integer cents from `details.value`, de-duplicated
by `details.unique.key`: a repeat is accepted and adds no revenue). Every accepted event is
logged and recorded as an automation trigger unless `details.bypass_workflows` is true or "true".
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime

import attrs

from .._state import EmulatorState, Event, JSONValue
from ._common import (
    Call,
    InvalidItem,
    Reply,
    Route,
    counts,
    flat_fields,
    get_any,
    is_truthy,
    optional_object,
    parse_date,
    require_object,
    required_email,
    required_text,
    run_batch,
    wrapped_items,
)

MAX_EVENTS = 1000


@attrs.frozen
class PurchaseInput:
    """The revenue part of a `$purchase` event."""

    key: str | None
    amount: int
    currency: str


def parse_purchase(details: Mapping[str, JSONValue]) -> PurchaseInput:
    """Read `unique.key` (optional string or integer) and `value.{amount,currency}` (cents)."""
    key = get_any(details, "unique", "key")
    if key is not None and (isinstance(key, bool) or not isinstance(key, (str, int))):
        raise InvalidItem("details.unique.key", "must be a string or an integer", status=400)
    amount = get_any(details, "value", "amount")
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise InvalidItem("details.value.amount", "must be an integer number of cents", 400)
    currency = get_any(details, "value", "currency")
    if not isinstance(currency, str) or not currency.strip():
        raise InvalidItem("details.value.currency", "can't be blank", status=400)
    return PurchaseInput(None if key is None else str(key), amount, currency.strip().upper())


def _tag_name(details: Mapping[str, JSONValue]) -> str:
    return required_text(details.get("tag"), "details.tag").strip()


def parse_event(item: JSONValue, received_at: datetime) -> Event:
    """Validate one event: `type` and `email` required, flat `fields`, ISO `date` optional."""
    item = require_object(item, "event")
    event = Event(
        type=required_text(item.get("type"), "type"),
        email=required_email(item),
        fields=flat_fields(optional_object(item, "fields")),
        details=optional_object(item, "details"),
        date=parse_date(item.get("date")) or received_at,
    )
    if event.type in ("$tag", "$remove_tag"):
        _tag_name(event.details)
    elif event.type == "$purchase":
        parse_purchase(event.details)
    return event


def _purchase(state: EmulatorState, event: Event) -> None:
    purchase = parse_purchase(event.details)
    state.record_purchase(event.email, purchase.key, purchase.amount, purchase.currency, event.date)


_EFFECTS: Mapping[str, Callable[[EmulatorState, Event], object]] = {
    "$subscribe": lambda state, event: state.subscribe(event.email),
    "$unsubscribe": lambda state, event: state.unsubscribe(event.email),
    "$tag": lambda state, event: state.add_tags(event.email, [_tag_name(event.details)]),
    "$remove_tag": lambda state, event: state.remove_tags(event.email, [_tag_name(event.details)]),
    "$purchase": _purchase,
}


def apply_event(state: EmulatorState, event: Event) -> None:
    """Upsert the subscriber, merge fields, apply the type's effect, log, note automations."""
    state.find_or_create_subscriber(event.email)
    if event.fields:  # `$update_fields` needs nothing beyond this
        state.set_fields(event.email, event.fields)
    effect = _EFFECTS.get(event.type)
    if effect is not None:
        effect(state, event)
    state.record_event(event)
    if not is_truthy(event.details.get("bypass_workflows")):
        state.record_automation(event.type, event.email, event.details)


def import_events(call: Call) -> Reply:
    """Accept 1..1000 events; invalid events count as failed."""
    items = wrapped_items(call, "events", MAX_EVENTS)
    now = call.state.clock()
    return counts(run_batch(items, lambda item: apply_event(call.state, parse_event(item, now))))


ROUTES = (Route("POST", "/batch/events", import_events),)
