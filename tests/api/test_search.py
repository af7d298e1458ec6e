"""Subscriber search (Enterprise only) through the async client: filters, pages, checks."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta, timezone

import pytest

from bento_async import (
    AsyncBento,
    DateRange,
    PermissionDeniedError,
    RateLimits,
    ValidationError,
)
from bento_emulator import BentoEmulator

pytestmark = pytest.mark.anyio


async def test_search_is_enterprise_only(bento: AsyncBento, emulator: BentoEmulator) -> None:
    """A site that is not Enterprise is refused with 403."""
    with pytest.raises(PermissionDeniedError):
        await bento.search.list()
    assert emulator.requests[-1].status == 403


@pytest.fixture
async def enterprise() -> AsyncIterator[BentoEmulator]:
    """An Enterprise site, where search is open."""
    async with BentoEmulator(enterprise=True) as emulator:
        yield emulator


async def test_search_filters(enterprise: BentoEmulator) -> None:
    """Tags and date ranges narrow the results; filters travel in query and body."""
    state = enterprise.state
    clock = datetime(2024, 1, 1, tzinfo=timezone.utc)
    state.clock = lambda: clock
    state.add_tags("old@example.com", ["vip"])
    clock += timedelta(days=30)
    state.add_tags("new@example.com", ["vip", "lead"])
    state.unsubscribe("gone@example.com")
    async with AsyncBento(**enterprise.credentials, rate_limits=RateLimits.off()) as client:
        vips = await client.search.list(tags=["vip"])
        recent = await client.search.list(created_at=DateRange(gt=clock - timedelta(days=1)))
        both = await client.search.list(tags="vip,lead")
        unsubscribed = await client.search.list(unsubscribed_at={"lt": "2100-01-01T00:00:00Z"})
    assert [s.email for s in vips] == ["old@example.com", "new@example.com"]
    assert [s.email for s in recent] == ["new@example.com", "gone@example.com"]
    assert [s.email for s in both] == ["new@example.com"]
    assert [s.email for s in unsubscribed] == ["gone@example.com"]
    assert all(s.navigation_url for s in vips)
    sent = enterprise.requests[1]
    assert sent.query["created_at[gt]"].startswith("2024-01-30")
    assert sent.json["created_at"]["gt"] == sent.query["created_at[gt]"]


async def test_search_iterates_100_a_page(enterprise: BentoEmulator) -> None:
    """250 matches come in 3 requests: the short third page is known to be the last."""
    for i in range(250):
        enterprise.state.find_or_create_subscriber(f"u{i:03d}@example.com")
    async with AsyncBento(**enterprise.credentials, rate_limits=RateLimits.off()) as client:
        emails = [s.email async for s in client.search.iter()]
        pages = [
            (p.number, len(p), p.meta.page if p.meta else None)
            async for p in client.search.pages(start=3)
        ]
    assert emails == [f"u{i:03d}@example.com" for i in range(250)]
    assert [r.query["page"] for r in enterprise.requests[:3]] == ["1", "2", "3"]
    assert pages == [(3, 50, 3)]
    assert len(enterprise.requests) == 4


async def test_search_checks_filters(bento: AsyncBento, emulator: BentoEmulator) -> None:
    """Bad filters are refused before anything is sent."""
    with pytest.raises(ValidationError):
        await bento.search.list(created_at=DateRange())
    with pytest.raises(ValidationError):
        await bento.search.list(updated_at={"gt": "last week"})
    assert emulator.requests == []
