"""Event dates: the SDK checks them by the same rules the emulator (and Bento) reads them."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from bento_async import AsyncBento, Event
from bento_emulator import BentoEmulator

pytestmark = pytest.mark.anyio

AT = datetime(2023, 11, 29, 19, 31, 49, tzinfo=timezone.utc)


async def test_ruby_and_offset_dates_pass_both_sides(
    bento: AsyncBento, emulator: BentoEmulator
) -> None:
    """Dates as Ruby writes them pass the SDK's check, are sent as given and recorded right;
    a date neither side can read is reported invalid and never sent."""
    events = [
        Event("ann@example.com", "ruby", date="2023-11-29 19:31:49 UTC"),
        Event("ann@example.com", "offset", date="2023-11-29 20:31:49 +0100"),
        Event("ann@example.com", "date_only", date="2023-11-29"),
        Event("ann@example.com", "bad", date="29/11/2023"),
    ]
    result = await bento.events.track_many(events)
    assert (result.accepted, result.failed) == (3, 0)
    assert [(i.position, [issue.path for issue in i.issues]) for i in result.invalid] == [
        (3, ["events[3].date"])
    ]
    recorded = {event.type: event.date for event in emulator.state.events}
    assert recorded == {
        "ruby": AT,
        "offset": AT,
        "date_only": AT.replace(hour=0, minute=0, second=0),
    }
    (sent,) = emulator.requests
    assert sent.json["events"][0]["date"] == "2023-11-29 19:31:49 UTC"
