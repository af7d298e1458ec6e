"""The seed guide's walkthrough, end to end, through the async client against the emulator."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from bento_async import AsyncBento, CommandResult, Event, Subscriber
from bento_emulator import BentoEmulator

pytestmark = pytest.mark.anyio

EMAIL = "jesse@example.com"


async def test_create_then_get_subscriber(bento: AsyncBento, emulator: BentoEmulator) -> None:
    """POST finds or creates; GET finds by email and by uuid; the emulator holds one record."""
    created = await bento.subscribers.create(EMAIL)
    assert isinstance(created, Subscriber)
    assert created.email == EMAIL
    assert created.fields == {}
    assert created.cached_tag_ids == ()
    assert created.subscribed
    again = await bento.subscribers.create(EMAIL)
    assert again.id == created.id
    by_email = await bento.subscribers.get(email=EMAIL)
    by_uuid = await bento.subscribers.get(uuid=created.uuid)
    assert by_email == by_uuid == created
    assert len(emulator.state.subscribers) == 1


async def test_missing_subscriber_is_none(bento: AsyncBento) -> None:
    """A lookup of an unknown address returns None rather than raising."""
    assert await bento.subscribers.get(email="nobody@example.com") is None


async def test_tag_and_field_then_names(bento: AsyncBento, emulator: BentoEmulator) -> None:
    """add_tag and add_field change the subscriber; tag ids resolve to names."""
    await bento.subscribers.create(EMAIL)
    result = await bento.commands.add_tag(EMAIL, "customer")
    assert result == CommandResult(results=1, failed=0)
    await bento.commands.add_field(EMAIL, "name", "Jesse")
    sub = await bento.subscribers.get(email=EMAIL)
    assert sub is not None
    assert sub.fields == {"name": "Jesse"}
    assert await bento.tags.names_for(sub) == ["customer"]
    assert emulator.state.automations == []  # add_tag fires no automation


async def test_tag_names_cached_until_unknown_id(
    bento: AsyncBento, emulator: BentoEmulator
) -> None:
    """names_for fetches the tag list once, and again only when it meets an unknown id."""
    await bento.commands.add_tag(EMAIL, "customer")
    sub = await bento.subscribers.get(email=EMAIL)
    assert sub is not None
    assert await bento.tags.names_for(sub) == ["customer"]
    assert await bento.tags.names_for(sub) == ["customer"]
    tag_lists = [r for r in emulator.requests if r.path.endswith("fetch/tags")]
    assert len(tag_lists) == 1
    await bento.commands.add_tag(EMAIL, "vip")
    sub = await bento.subscribers.get(email=EMAIL)
    assert sub is not None
    assert await bento.tags.names_for(sub) == ["customer", "vip"]
    tag_lists = [r for r in emulator.requests if r.path.endswith("fetch/tags")]
    assert len(tag_lists) == 2


async def test_every_command(bento: AsyncBento, emulator: BentoEmulator) -> None:
    """Each command has its documented effect on the emulator's state."""
    await bento.commands.add_tag(EMAIL, "lead")
    await bento.commands.add_tag_via_event(EMAIL, "hot")
    await bento.commands.remove_tag(EMAIL, "lead")
    await bento.commands.add_field(EMAIL, "plan", "pro")
    await bento.commands.add_field(EMAIL, "seats", 3)
    await bento.commands.remove_field(EMAIL, "plan")
    await bento.commands.unsubscribe(EMAIL)
    sub = emulator.state.subscriber_by_email(EMAIL)
    assert sub is not None
    assert sub.unsubscribed_at is not None
    await bento.commands.subscribe(EMAIL)
    await bento.commands.change_email(EMAIL, "jesse.new@example.com")
    assert emulator.state.subscriber_by_email(EMAIL) is None
    moved = emulator.state.subscriber_by_email("jesse.new@example.com")
    assert moved is not None
    assert moved.unsubscribed_at is None
    assert moved.fields == {"seats": 3}
    assert emulator.state.tag_names_of(moved) == ["hot"]
    assert [a.trigger for a in emulator.state.automations] == ["add_tag_via_event"]


async def test_run_many_commands_in_one_call(bento: AsyncBento, emulator: BentoEmulator) -> None:
    """commands.run sends 100 commands in one request, and more in chunks of 100."""
    from bento_async import Command

    commands = [Command.add_tag(f"user{i}@example.com", "batch") for i in range(100)]
    result = await bento.commands.run(commands)
    assert (result.accepted, result.requests, result.ok) == (100, 1, True)
    assert len(emulator.state.subscribers) == 100
    assert len([r for r in emulator.requests if r.path.endswith("fetch/commands")]) == 1
    more = (Command.add_field(f"user{i}@example.com", "n", i) for i in range(250))
    result = await bento.commands.run(more)
    assert (result.accepted, result.requests, result.ok) == (250, 3, True)
    sizes = [len(r.json["command"]) for r in emulator.requests[1:]]  # type: ignore[index,call-overload,arg-type]
    assert sizes == [100, 100, 50]
    assert emulator.state.subscriber_by_email("user249@example.com").fields == {"n": 249}  # type: ignore[union-attr]


async def test_visitor_shaped_command_answer(emulator: BentoEmulator) -> None:
    """The seed's visitor envelope from fetch/commands is understood too."""
    async with (
        BentoEmulator(commands_response="visitor") as old_api,
        AsyncBento(**old_api.credentials, rate_limits="seed") as client,
    ):
        result = await client.commands.add_tag(EMAIL, "customer")
    assert result.results == 1
    assert result.subscriber is not None
    assert result.subscriber.email == EMAIL
    assert len(result.subscriber.cached_tag_ids) == 1


async def test_import_subscribers(bento: AsyncBento, emulator: BentoEmulator) -> None:
    """batch/subscribers upserts records with fields and tags and fires no automation."""
    result = await bento.subscribers.import_many(
        [
            {
                "email": "a@example.com",
                "name": "Jesse",
                "customer_id": "123",
                "tags": ["lead", "mql"],
            },
            {
                "email": "b@example.com",
                "name": "Scott",
                "fields": {"plan": "pro"},
                "tags": "lead",
                "remove_tags": "customer",
            },
        ]
    )
    assert (result.accepted, result.failed, result.requests, result.ok) == (2, 0, 1, True)
    a = emulator.state.subscriber_by_email("a@example.com")
    b = emulator.state.subscriber_by_email("b@example.com")
    assert a is not None
    assert b is not None
    assert a.fields == {"name": "Jesse", "customer_id": "123"}
    assert b.fields == {"name": "Scott", "plan": "pro"}
    assert emulator.state.tag_names_of(a) == ["lead", "mql"]
    assert emulator.state.automations == []


async def test_track_seed_events(bento: AsyncBento, emulator: BentoEmulator) -> None:
    """Custom, purchase (twice, one key), backdated and bypassing events land as the seed shows."""
    three_years_ago = datetime.now(timezone.utc) - timedelta(days=3 * 365)
    result = await bento.events.track_many(
        [
            {
                "email": EMAIL,
                "type": "$custom_event",
                "fields": {"first_name": "Jesse"},
                "details": {"custom_stat": 1000},
            },
            {
                "email": EMAIL,
                "type": "$custom_event_with_workflow_bypass",
                "details": {"bypass_workflows": "true"},
            },
            Event.purchase(EMAIL, key="test123", amount=8000, currency="USD"),
            Event.purchase(
                EMAIL,
                key="test123",
                amount=8000,
                currency="USD",
                cart={"items": [{"product_sku": "SKU123", "quantity": 100}]},
            ),
            {"email": EMAIL, "type": "$backdated_event", "date": three_years_ago},
        ]
    )
    assert (result.accepted, result.failed, result.requests, result.ok) == (5, 0, 1, True)
    state = emulator.state
    assert state.revenue_of(EMAIL) == {"USD": 8000}
    fired = [a.trigger for a in state.automations]
    assert "$custom_event_with_workflow_bypass" not in fired
    assert fired.count("$purchase") == 2
    backdated = next(e for e in state.events if e.type == "$backdated_event")
    assert abs((backdated.date - three_years_ago).total_seconds()) < 1
    sub = state.subscriber_by_email(EMAIL)
    assert sub is not None
    assert sub.fields == {"first_name": "Jesse"}


async def test_track_single_event_sends_iso_date(
    bento: AsyncBento, emulator: BentoEmulator
) -> None:
    """track() backdates with a datetime, sent as ISO 8601, and can bypass workflows."""
    when = datetime(2023, 5, 1, 12, 30, tzinfo=timezone.utc)
    await bento.events.track(EMAIL, "signed_up", date=when, bypass_workflows=True)
    sent = [r for r in emulator.requests if r.path.endswith("batch/events")][-1]
    assert sent.json == {
        "events": [
            {
                "email": EMAIL,
                "type": "signed_up",
                "details": {"bypass_workflows": True},
                "date": "2023-05-01T12:30:00+00:00",
            }
        ]
    }
    assert emulator.state.automations == []


async def test_track_purchase_helper(bento: AsyncBento, emulator: BentoEmulator) -> None:
    """track_purchase records revenue in cents under its unique key."""
    await bento.events.track_purchase(EMAIL, key="order-9", amount=1999, currency="EUR")
    assert emulator.state.revenue_of(EMAIL) == {"EUR": 1999}


async def test_tags_and_fields_create_and_list(bento: AsyncBento) -> None:
    """tags.create/list and fields.create/list round-trip through the emulator."""
    tag = await bento.tags.create("vip")
    assert tag.name == "vip"
    assert [t.name for t in await bento.tags.list()] == ["vip"]
    assert (await bento.tags.create("vip")).id == tag.id
    field = await bento.fields.create("favourite_food")
    assert field.key == "favourite_food"
    assert field.name == "Favourite Food"
    assert [f.key for f in await bento.fields.list()] == ["favourite_food"]


async def test_every_request_carries_site_uuid_and_user_agent(
    bento: AsyncBento, emulator: BentoEmulator
) -> None:
    """site_uuid rides in the query of every request, next to a User-Agent naming the SDK."""
    await bento.subscribers.create(EMAIL)
    await bento.subscribers.get(email=EMAIL)
    await bento.tags.list()
    for request in emulator.requests:
        assert request.query["site_uuid"] == emulator.site_uuid
        assert request.headers["user-agent"].startswith("bento-python-sdk/")
        assert request.headers["authorization"] != emulator.secret_key
