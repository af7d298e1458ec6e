"""Segments: errors, over raw HTTP."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.anyio


async def test_segment_errors(api, emu):
    """An unknown segment is 404; match without an email is 400."""
    segment = emu.state.add_segment("VIPs", tags=["vip"])
    missing = await api.get("fetch/segments/99")
    assert (missing.status, missing.body) == (404, {"error": "Segment not found"})
    assert (await api.post("fetch/segments/99/match", {"email": "a@example.com"})).status == 404
    assert (await api.post(f"fetch/segments/{segment.id}/match", {})).status == 400
    wrapped = await api.post(
        f"fetch/segments/{segment.id}/match", {"subscriber": {"email": "a@example.com"}}
    )
    assert wrapped.body == {
        "data": {"segment_id": segment.id, "email": "a@example.com", "matched": False}
    }
