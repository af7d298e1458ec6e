"""Email templates through the async client against the emulator: get, update."""

from __future__ import annotations

import pytest

from bento_async import (
    AsyncBento,
    NotFoundError,
    ValidationError,
)
from bento_emulator import BentoEmulator

pytestmark = pytest.mark.anyio


async def test_template_get_and_update(bento: AsyncBento, emulator: BentoEmulator) -> None:
    """A template reads back; an update changes only what it names."""
    seeded = emulator.state.add_email_template(
        subject="Hello", html="<p>Hi</p>", stats={"open_rate": 0.4}
    )
    found = await bento.email_templates.get(int(seeded.id))
    assert found is not None
    assert (found.subject, found.html) == ("Hello", "<p>Hi</p>")
    assert found.stats is not None
    assert found.stats.open_rate == 0.4
    updated = await bento.email_templates.update(seeded.id, subject="Hello again")
    assert (updated.subject, updated.html) == ("Hello again", "<p>Hi</p>")
    assert emulator.requests[-1].method == "PATCH"
    assert emulator.requests[-1].json == {"email_template": {"subject": "Hello again"}}
    stored = emulator.state.email_template_by_id(seeded.id)
    assert stored is not None
    assert stored.subject == "Hello again"


async def test_template_missing_and_bad_input(bento: AsyncBento, emulator: BentoEmulator) -> None:
    """A missing template is None to get and NotFoundError to update; empty updates are refused."""
    assert await bento.email_templates.get(404) is None
    with pytest.raises(NotFoundError):
        await bento.email_templates.update(404, html="<p>x</p>")
    requests = len(emulator.requests)
    with pytest.raises(ValidationError, match="subject, html or both"):
        await bento.email_templates.update(1)
    with pytest.raises(ValidationError):
        await bento.email_templates.get("")
    assert len(emulator.requests) == requests
