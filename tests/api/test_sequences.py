"""Sequences through the async client against the emulator: list, iterate, create_email."""

from __future__ import annotations

import pytest

from bento_async import (
    AsyncBento,
    DelayInterval,
    EmailTemplate,
    NotFoundError,
    ValidationError,
)
from bento_emulator import BentoEmulator

pytestmark = pytest.mark.anyio


async def test_sequences_list_and_iterate(bento: AsyncBento, emulator: BentoEmulator) -> None:
    """Without meta, the pager reads until an empty page: 30 sequences cost 3 requests."""
    for i in range(30):
        emulator.state.add_sequence(f"s{i:02d}", emails=["Welcome"])
    first = await bento.sequences.list()
    assert len(first) == 25
    assert first[0].email_templates[0].subject == "Welcome"
    assert first[0].prefix_id is not None
    assert first[0].prefix_id.startswith("sequence_")
    assert "page" not in emulator.requests[-1].query  # Node leaves page out when not given
    emulator.reset()
    for i in range(30):
        emulator.state.add_sequence(f"s{i:02d}")
    names = [s.name async for s in bento.sequences.iter()]
    assert names == [f"s{i:02d}" for i in range(30)]
    assert [r.query["page"] for r in emulator.requests] == ["1", "2", "3"]


async def test_create_email_in_a_sequence(bento: AsyncBento, emulator: BentoEmulator) -> None:
    """A new email joins the sequence; its options are stored; the template comes back."""
    sequence = emulator.state.add_sequence("Onboarding", emails=["Welcome"])
    template = await bento.sequences.create_email(
        sequence.id,
        subject="Day two",
        html="<p>Tips</p>",
        delay_interval=DelayInterval.DAYS,
        delay_interval_count=2,
        inbox_snippet="Some tips",
    )
    assert isinstance(template, EmailTemplate)
    assert (template.subject, template.html) == ("Day two", "<p>Tips</p>")
    stored = emulator.state.email_template_by_id(template.id)
    assert stored is not None
    assert stored.options == {
        "delay_interval": "days",
        "delay_interval_count": 2,
        "inbox_snippet": "Some tips",
    }
    [updated] = emulator.state.sequences
    assert updated.template_ids[-1] == template.id
    assert emulator.requests[-1].path.endswith(f"/fetch/sequences/{sequence.id}/emails/templates")


async def test_create_email_by_listed_sequence_or_prefix(
    bento: AsyncBento, emulator: BentoEmulator
) -> None:
    """A listed sequence object, or its prefix id, addresses the sequence."""
    seeded = emulator.state.add_sequence("Onboarding")
    [listed] = await bento.sequences.list()
    await bento.sequences.create_email(listed, subject="A", html="<p>a</p>")
    await bento.sequences.create_email(seeded.prefix_id, subject="B", html="<p>b</p>")
    assert len(emulator.state.sequences[0].template_ids) == 2


async def test_create_email_errors(bento: AsyncBento, emulator: BentoEmulator) -> None:
    """Bad input is refused client-side; an unknown sequence is Bento's 404."""
    for kwargs in (
        {"sequence": " ", "subject": "s", "html": "h"},
        {"sequence": "1", "subject": "", "html": "h"},
        {"sequence": "1", "subject": "s", "html": "h", "delay_interval": "weeks"},
        {"sequence": "1", "subject": "s", "html": "h", "delay_interval_count": 0},
    ):
        with pytest.raises(ValidationError):
            await bento.sequences.create_email(**kwargs)  # type: ignore[arg-type]
    assert emulator.requests == []
    with pytest.raises(NotFoundError, match="Sequence not found"):
        await bento.sequences.create_email("sequence_abc123", subject="s", html="h")
    assert len(emulator.requests) == 1
