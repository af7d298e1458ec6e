"""Events: POST batch/events, special event types, purchases and automations."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

pytestmark = pytest.mark.anyio

EMAIL = "jesse@example.com"


def purchase(key, amount=8000, currency="USD", **details):
    """Build a `$purchase` event."""
    value = {"currency": currency, "amount": amount}
    return {
        "email": EMAIL,
        "type": "$purchase",
        "details": {"unique": {"key": key}, "value": value, **details},
    }


async def post_events(api, *events):
    """Send events and return the answer's body."""
    answer = await api.post("batch/events", {"events": list(events)})
    assert answer.status == 200
    return answer.body


async def test_custom_event_upserts_subscriber_and_fields(api, emu):
    """An event creates its subscriber, merges fields and is logged with its details."""
    event = {
        "email": EMAIL,
        "type": "$custom_event",
        "fields": {"first_name": "Jesse"},
        "details": {"custom_stat": 1000, "nested": {"ok": True}},
    }
    assert await post_events(api, event) == {"results": 1, "failed": 0}
    assert emu.state.subscriber_by_email(EMAIL).fields == {"first_name": "Jesse"}
    (logged,) = emu.state.events
    assert (logged.type, logged.email) == ("$custom_event", EMAIL)
    assert logged.details == {"custom_stat": 1000, "nested": {"ok": True}}
    assert emu.state.subscriber_by_email(EMAIL).last_event_at == logged.date


async def test_subscribe_and_unsubscribe_events(api, emu):
    """`$unsubscribe` sets unsubscribed_at and `$subscribe` clears it."""
    await post_events(api, {"email": EMAIL, "type": "$unsubscribe"})
    assert not emu.state.subscriber_by_email(EMAIL).subscribed
    await post_events(api, {"email": EMAIL, "type": "$subscribe", "fields": {"plan": "pro"}})
    subscriber = emu.state.subscriber_by_email(EMAIL)
    assert subscriber.subscribed
    assert subscriber.fields == {"plan": "pro"}


async def test_tag_remove_tag_and_update_fields_events(api, emu):
    """`$tag` and `$remove_tag` read details.tag; `$update_fields` merges fields."""
    body = await post_events(
        api,
        {"email": EMAIL, "type": "$tag", "details": {"tag": "lead"}},
        {"email": EMAIL, "type": "$tag", "details": {"tag": "mql"}},
        {"email": EMAIL, "type": "$remove_tag", "details": {"tag": "lead"}},
        {"email": EMAIL, "type": "$update_fields", "fields": {"a": 1}},
        {"email": EMAIL, "type": "$update_fields", "fields": {"b": 2}},
    )
    assert body == {"results": 5, "failed": 0}
    assert emu.state.tag_names_of(EMAIL) == ["mql"]
    assert emu.state.subscriber_by_email(EMAIL).fields == {"a": 1, "b": 2}


async def test_purchase_is_deduplicated_by_unique_key(api, emu):
    """A repeated unique.key is accepted but adds no revenue."""
    cart = {"items": [{"product_sku": "SKU123", "product_name": "Test", "quantity": 100}]}
    body = await post_events(api, purchase("test123"), purchase("test123", cart=cart))
    assert body == {"results": 2, "failed": 0}
    assert emu.state.revenue_of(EMAIL) == {"USD": 8000}
    (recorded,) = emu.state.purchases
    assert (recorded.key, recorded.amount, recorded.currency) == ("test123", 8000, "USD")
    assert len(emu.state.events) == 2


async def test_revenue_adds_up_per_currency(api, emu):
    """Distinct purchases add up in cents, per currency; numeric keys work."""
    await post_events(api, purchase(1, 1000), purchase(2, 2500), purchase("3", 700, "eur"))
    await post_events(api, purchase("1", 1000))
    assert emu.state.revenue_of(EMAIL) == {"USD": 3500, "EUR": 700}
    assert emu.state.revenue_of("other@example.com") == {}


@pytest.mark.parametrize(
    "details",
    [
        {"value": {"currency": "USD", "amount": 99.99}},
        {"value": {"currency": "USD", "amount": "8000"}},
        {"value": {"amount": 8000}},
        {},
        {"unique": {"key": ["a"]}, "value": {"currency": "USD", "amount": 1}},
    ],
)
async def test_malformed_purchases_fail(api, emu, details):
    """A purchase needs integer cents and a currency; a bad one fails and records nothing."""
    body = await post_events(api, {"email": EMAIL, "type": "$purchase", "details": details})
    assert body == {"results": 0, "failed": 1}
    assert emu.state.purchases == []
    assert emu.state.subscribers == []


async def test_every_event_fires_automations_unless_bypassed(api, emu):
    """Events record automations unless details.bypass_workflows is true or "true"."""
    await post_events(
        api,
        {"email": EMAIL, "type": "$fires"},
        {"email": EMAIL, "type": "$bypassed", "details": {"bypass_workflows": True}},
        {"email": EMAIL, "type": "$bypassed", "details": {"bypass_workflows": "true"}},
        {"email": EMAIL, "type": "$bypassed", "details": {"bypass_workflows": "TRUE"}},
        {"email": EMAIL, "type": "$fires_too", "details": {"bypass_workflows": False}},
        {"email": EMAIL, "type": "$fires_three", "details": {"bypass_workflows": "false"}},
    )
    triggers = [automation.trigger for automation in emu.state.automations]
    assert triggers == ["$fires", "$fires_too", "$fires_three"]
    assert len(emu.state.events) == 6


async def test_date_backdates_the_event(api, emu):
    """An ISO 8601 `date` is kept (UTC when no offset); without one the receive time is used."""
    await post_events(
        api,
        {"email": EMAIL, "type": "$old", "date": "2021-03-04T05:06:07Z"},
        {"email": EMAIL, "type": "$naive", "date": "2022-01-01T00:00:00"},
        {"email": EMAIL, "type": "$offset", "date": "2023-06-01T12:00:00+02:00"},
        {"email": EMAIL, "type": "$now"},
    )
    old, naive, offset, now = emu.state.events
    assert old.date == datetime(2021, 3, 4, 5, 6, 7, tzinfo=timezone.utc)
    assert naive.date == datetime(2022, 1, 1, tzinfo=timezone.utc)
    assert offset.date == datetime(2023, 6, 1, 10, 0, tzinfo=timezone.utc)
    assert abs((datetime.now(timezone.utc) - now.date).total_seconds()) < 60
    assert emu.state.subscriber_by_email(EMAIL).last_event_at == now.date


async def test_invalid_events_count_as_failed(api, emu):
    """Missing type or email, bad dates, nested fields and tagless `$tag` fail one event each."""
    body = await post_events(
        api,
        {"email": EMAIL, "type": "$ok"},
        {"email": EMAIL},
        {"type": "$no_email"},
        {"email": "broken", "type": "$x"},
        {"email": EMAIL, "type": "$x", "date": "three years ago"},
        {"email": EMAIL, "type": "$x", "date": 1700000000},
        {"email": EMAIL, "type": "$x", "fields": {"address": {"city": "Paris"}}},
        {"email": EMAIL, "type": "$x", "fields": "name=Jesse"},
        {"email": EMAIL, "type": "$x", "details": "nope"},
        {"email": EMAIL, "type": "$tag"},
        {"email": EMAIL, "type": "$remove_tag", "details": {"tag": ""}},
        ["not", "an", "object"],
    )
    assert body == {"results": 1, "failed": 11}
    assert [event.type for event in emu.state.events] == ["$ok"]


@pytest.mark.parametrize("count", [0, 1001])
async def test_event_count_limits(api, count):
    """batch/events takes 1 to 1000 events; outside that the request gets 400."""
    events = [{"email": EMAIL, "type": "$x"} for _ in range(count)]
    answer = await api.post("batch/events", {"events": events})
    assert answer.status == 400


async def test_missing_events_wrapper_gets_400(api):
    """Without an `events` array the request gets 400."""
    answer = await api.post("batch/events", {"event": {"email": EMAIL, "type": "$x"}})
    assert answer.status == 400
    assert "events" in answer.body["error"]
