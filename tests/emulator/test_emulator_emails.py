"""Emails: pacing, failures and envelopes, over raw HTTP."""

from __future__ import annotations

from datetime import timedelta

import pytest

pytestmark = pytest.mark.anyio

AUTHOR = "jesse@example.com"


def email(**changes):
    """A valid batch/emails item, with changes (None removes a key)."""
    item = {"to": "a@example.com", "from": AUTHOR, "subject": "Hi", "html_body": "<p>Hi</p>"}
    item.update(changes)
    return {k: v for k, v in item.items() if v is not None}


async def test_emails_paced_at_60_a_minute(api, emu):
    """Delivered emails get send slots a second apart; undelivered ones get none."""
    emu.state.unsubscribe("gone@example.com")
    answer = await api.post(
        "batch/emails",
        {
            "emails": [
                email(),
                email(to="gone@example.com"),
                email(to="b@example.com", transactional="true"),
            ]
        },
    )
    assert answer.body == {"results": 3, "failed": 0}
    first, skipped, second = emu.state.outbox
    assert skipped.send_at is None
    assert not skipped.delivered
    assert second.transactional
    assert second.send_at - first.send_at == timedelta(seconds=1)


async def test_emails_bad_items_count_as_failed(api, emu):
    """An item without html_body or with a malformed address fails alone."""
    answer = await api.post(
        "batch/emails", {"emails": [email(), email(html_body=None), email(to="nope")]}
    )
    assert answer.body == {"results": 1, "failed": 2}
    assert len(emu.state.outbox) == 1


async def test_unknown_author_gets_500_before_anything_is_stored(api, emu):
    """The sender check refuses the whole call with Bento's 500 body."""
    answer = await api.post(
        "batch/emails", {"emails": [email(), email(**{"from": "eve@example.com"})]}
    )
    assert (answer.status, answer.body) == (
        500,
        {"error": "Author not authorized to send on this account"},
    )
    assert emu.state.outbox == []
    assert emu.state.subscribers == []


@pytest.mark.parametrize("body", [{}, {"emails": []}, {"emails": [email()] * 61}])
async def test_emails_envelope(api, body):
    """A missing wrapper, no emails or more than 60 gives 400."""
    assert (await api.post("batch/emails", body)).status == 400
