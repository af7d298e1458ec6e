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
