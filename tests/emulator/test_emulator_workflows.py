"""Workflows, over raw HTTP: 25 to a page, no meta, each with its templates."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.anyio


async def test_workflows_page_by_25_with_their_templates(api, emu):
    """Pages hold 25 workflows in order, past the end none; templates are summarised."""
    emu.state.add_workflow("Welcome", emails=["Hello", "Day two"])
    for i in range(29):
        emu.state.add_workflow(f"w{i}", status="paused")
    first = await api.get("fetch/workflows")
    assert first.status == 200
    assert "meta" not in first.body
    assert len(first.body["data"]) == 25
    welcome = first.body["data"][0]
    assert (welcome["type"], welcome["attributes"]["name"]) == ("workflows", "Welcome")
    assert [t["subject"] for t in welcome["attributes"]["email_templates"]] == [
        "Hello",
        "Day two",
    ]
    second = await api.get("fetch/workflows", page="2")
    assert [w["attributes"]["name"] for w in second.body["data"]] == [
        f"w{i}" for i in range(24, 29)
    ]
    assert (await api.get("fetch/workflows", page="3")).body == {"data": []}
    assert (await api.get("fetch/workflows", page="0")).status == 400
