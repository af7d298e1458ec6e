"""subscribers.upsert(wait=): import one subscriber and wait until Bento shows it."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import pytest

from bento_async import AsyncBento, NotVisibleError, RateLimits, ValidationError
from bento_async.resources._upsert import poll_gaps
from bento_emulator import BentoEmulator
from bento_sync import Bento

pytestmark = pytest.mark.anyio

DELAY = 0.6


@pytest.fixture
async def slow_emulator() -> AsyncIterator[BentoEmulator]:
    """An emulator that shows imports only DELAY seconds after accepting them."""
    async with BentoEmulator(import_delay=DELAY) as emu:
        yield emu


@pytest.fixture
async def client(slow_emulator: BentoEmulator) -> AsyncIterator[AsyncBento]:
    """A client of the slow emulator."""
    async with AsyncBento(**slow_emulator.credentials, rate_limits=RateLimits.off()) as bento:
        yield bento


def _polls(emulator: BentoEmulator) -> int:
    return sum(
        1 for r in emulator.requests if r.method == "GET" and r.path.endswith("fetch/subscribers")
    )


async def test_an_import_shows_only_after_the_delay(client: AsyncBento) -> None:
    """Without wait, upsert returns once accepted; the subscriber shows up after the delay."""
    assert await client.subscribers.upsert("a@example.com", fields={"plan": "pro"}) is None
    assert await client.subscribers.get(email="a@example.com") is None
    await asyncio.sleep(DELAY + 0.1)
    found = await client.subscribers.get(email="a@example.com")
    assert found is not None
    assert found.fields["plan"] == "pro"


async def test_wait_returns_the_subscriber_once_visible(
    slow_emulator: BentoEmulator, client: AsyncBento
) -> None:
    """upsert(wait=) polls until the fields and tags show, then returns the subscriber."""
    start = time.monotonic()
    found = await client.subscribers.upsert(
        "b@example.com", fields={"plan": "pro", "seats": 3}, tags=["Customer"], wait=10
    )
    assert time.monotonic() - start >= DELAY
    assert found is not None
    assert found.fields["seats"] == 3
    assert await client.tags.names_for(found) == ["Customer"]
    assert 2 <= _polls(slow_emulator) <= 6  # backoff, not a busy loop


async def test_wait_sees_removed_tags_go(client: AsyncBento) -> None:
    """A subscriber that still has a tag in remove_tags is not yet visible as asked."""
    await client.subscribers.upsert("c@example.com", tags=["old"], wait=10)
    found = await client.subscribers.upsert(
        "c@example.com", tags=["new"], remove_tags=["old"], wait=10
    )
    assert found is not None
    assert await client.tags.names_for(found) == ["new"]


async def test_wait_that_runs_out_raises_a_typed_timeout() -> None:
    """Past wait, NotVisibleError (a TimeoutError) says the import was queued."""
    async with BentoEmulator(import_delay=30) as slower:
        bento = AsyncBento(**slower.credentials, rate_limits=RateLimits.off())
        async with bento:
            start = time.monotonic()
            with pytest.raises(TimeoutError) as info:
                await bento.subscribers.upsert("d@example.com", fields={"x": 1}, wait=0.5)
            assert time.monotonic() - start < 3
    assert isinstance(info.value, NotVisibleError)
    assert "queued" in str(info.value)
    assert info.value.email == "d@example.com"


async def test_bad_input_raises_before_sending(
    slow_emulator: BentoEmulator, client: AsyncBento
) -> None:
    """A bad email, nested field or wait is refused before any request."""
    with pytest.raises(ValidationError) as info:
        await client.subscribers.upsert("nope", fields={"a": {"b": 1}}, wait=-1)
    paths = {issue.path for issue in info.value.issues}
    assert paths == {"subscriber.email", "subscriber.a", "wait"}
    assert slow_emulator.requests == []


def test_poll_gaps_double_up_to_a_cap() -> None:
    """The pauses between polls double from a quarter second and stop growing at 15 s."""
    gaps = poll_gaps()
    assert [next(gaps) for _ in range(8)] == [0.25, 0.5, 1, 2, 4, 8, 15, 15]


def test_sync_upsert_waits_too() -> None:
    """The sync client's upsert forwards wait and returns the subscriber."""
    with BentoEmulator(import_delay=0.3) as emulator, Bento(**emulator.credentials) as bento:
        found = bento.subscribers.upsert("e@example.com", fields={"plan": "pro"}, wait=10)
        assert found is not None
        assert found.fields == {"plan": "pro"}


async def test_emulator_import_delay_is_checked_and_reset(
    slow_emulator: BentoEmulator, client: AsyncBento
) -> None:
    """A negative delay is refused; reset() forgets imports still held back."""
    with pytest.raises(ValueError, match="import_delay"):
        BentoEmulator(import_delay=-1)
    await client.subscribers.upsert("f@example.com")
    slow_emulator.reset()
    await asyncio.sleep(DELAY + 0.1)
    assert await client.subscribers.get(email="f@example.com") is None
