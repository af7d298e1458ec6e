"""Segments through the async client against the emulator: list, get, match."""

from __future__ import annotations

import pytest

from bento_async import (
    AsyncBento,
)
from bento_emulator import BentoEmulator

pytestmark = pytest.mark.anyio


async def test_segments_list_get_and_match(bento: AsyncBento, emulator: BentoEmulator) -> None:
    """Live segments list by name; one reads back; match follows the segment's rule."""
    vips = emulator.state.add_segment("VIPs", tags=["vip"], visitor_event_query={"q": 1})
    emulator.state.add_segment("All named", emails=["b@example.com"])
    gone = emulator.state.add_segment("Old")
    emulator.state.discard_segment(gone.id)
    assert [s.name for s in await bento.segments.list()] == ["All named", "VIPs"]
    found = await bento.segments.get(vips.id)
    assert found is not None
    assert found.visitor_event_query == {"q": 1}
    assert await bento.segments.get(gone.id) is None
    await bento.commands.add_tag("a@example.com", "vip")
    assert (await bento.segments.match(vips.id, email="a@example.com")).matched is True
    assert (await bento.segments.match(vips.id, email="b@example.com")).matched is False
    assert emulator.requests[-1].json == {"email": "b@example.com"}
    assert [s.email for s in emulator.state.segment_members(vips.id)] == ["a@example.com"]
