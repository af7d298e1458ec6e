"""Form responses, over raw HTTP."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.anyio


async def test_form_responses_need_an_id(api, emu):
    """`id` is required; responses render as resources with uuid and data."""
    emu.state.add_form_response("f1", email="a@example.com")
    assert (await api.get("fetch/responses")).status == 400
    answer = await api.get("fetch/responses", id="f1")
    [item] = answer.body["data"]
    assert item["type"] == "form_responses"
    assert item["attributes"]["data"]["identity"] == {"email": "a@example.com"}
