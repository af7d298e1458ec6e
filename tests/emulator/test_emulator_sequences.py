"""Sequences: creating emails in a sequence, and its error shapes, over raw HTTP."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.anyio


async def test_sequence_email_rule_errors_have_rails_shape(api, emu):
    """Broken rules answer 422 with errors keyed by field, lists of messages."""
    sequence = emu.state.add_sequence("Onboarding")
    path = f"fetch/sequences/{sequence.id}/emails/templates"
    answer = await api.post(
        path, {"email_template": {"subject": "s", "html": "h", "delay_interval_count": 0}}
    )
    assert (answer.status, answer.body) == (
        422,
        {"errors": {"delay_interval_count": ["must be a positive integer"]}},
    )
    answer = await api.post(
        path, {"email_template": {"subject": " ", "html": "h", "delay_interval": "weeks"}}
    )
    assert answer.body == {
        "errors": {"subject": ["can't be blank"], "delay_interval": ["is not included in the list"]}
    }
    assert (await api.post(path, {"subject": "s", "html": "h"})).status == 400
    created = await api.post(path, {"email_template": {"subject": "s", "html": "h"}})
    assert created.status == 201
    assert created.body["data"]["type"] == "email_templates"


async def test_unknown_sequence_gets_404(api):
    """An unknown sequence answers the Node mock's 404 body."""
    answer = await api.post(
        "fetch/sequences/sequence_abc123/emails/templates",
        {"email_template": {"subject": "s", "html": "h"}},
    )
    assert (answer.status, answer.body) == (404, {"error": "Sequence not found"})
