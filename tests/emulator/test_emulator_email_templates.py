"""Email templates: PATCH rules, over raw HTTP."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.anyio


async def test_template_patch_rules(api, emu):
    """PATCH needs subject or html, non-blank; an unknown id is 404."""
    template = emu.state.add_email_template(subject="Hello")
    path = f"fetch/emails/templates/{template.id}"
    assert (await api.call("PATCH", path, {"email_template": {}})).status == 422
    assert (await api.call("PATCH", path, {"email_template": {"html": ""}})).status == 422
    assert (await api.call("PATCH", path, {})).status == 400
    missing = await api.call(
        "PATCH", "fetch/emails/templates/999", {"email_template": {"html": "x"}}
    )
    assert (missing.status, missing.body) == (404, {"error": "Email template not found"})
    assert emu.state.email_template_by_id(template.id) == template


async def test_site_uuid_in_the_body_is_accepted(api, emu):
    """Node sends site_uuid in the body of PATCH and DELETE; the emulator accepts it there."""
    template = emu.state.add_email_template(subject="Hello")
    answer = await api.call(
        "PATCH",
        f"fetch/emails/templates/{template.id}",
        {"email_template": {"subject": "Bye"}},
        site_uuid_in="body",
    )
    assert answer.status == 200
    assert answer.body["data"]["attributes"]["subject"] == "Bye"
