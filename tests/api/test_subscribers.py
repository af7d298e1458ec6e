"""Subscribers through the async client against the emulator: find, find-or-create, import."""

from __future__ import annotations

import pytest

from bento_async import AsyncBento, Subscriber
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


async def test_found_subscriber_holds_the_callers_key(bento: AsyncBento) -> None:
    """A subscriber found by email (or uuid) holds the caller's own string for it, not an
    equal copy from the reply: a kept result costs one string less. A str subclass or a
    key the reply spells differently is not taken."""
    created = await bento.subscribers.create(EMAIL)
    email = "".join(["jesse", "@example.com"])  # a string of its own, equal to EMAIL
    found = await bento.subscribers.get(email=email)
    assert found is not None
    assert found.email is email
    uuid = "".join([created.uuid[:4], created.uuid[4:]])
    by_uuid = await bento.subscribers.get(uuid=uuid)
    assert by_uuid is not None
    assert by_uuid.uuid is uuid

    class Email(str):
        pass

    own = await bento.subscribers.get(email=Email(EMAIL))
    assert own is not None
    assert type(own.email) is str
    assert own == found
    shouted = "Jesse@Example.com"
    other = await bento.subscribers.get(email=shouted)
    assert other is not None
    assert other.email == EMAIL
    assert other.email is not shouted

    keys = ["".join([name, "@example.com"]) for name in ("amy", "bo", "cy")]
    for key in keys:
        await bento.subscribers.create(key)
    lookups = await bento.subscribers.get_many(keys, concurrency=2)
    assert all(lookup.key is key for lookup, key in zip(lookups, keys, strict=True))
    assert all(lookup.subscriber is not None for lookup in lookups)
    assert all(lookup.subscriber.email is lookup.key for lookup in lookups)  # type: ignore[union-attr]


async def test_missing_subscriber_is_none(bento: AsyncBento) -> None:
    """A lookup of an unknown address returns None rather than raising."""
    assert await bento.subscribers.get(email="nobody@example.com") is None


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
