"""Events through the async client against the emulator: the seed guide's events, dates and
purchases."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from bento_async import AsyncBento, Event
from bento_emulator import BentoEmulator

pytestmark = pytest.mark.anyio

EMAIL = "jesse@example.com"


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
