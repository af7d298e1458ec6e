"""Sequences, workflows and email templates through the async client against the emulator."""

from __future__ import annotations

import pytest

from bento_async import (
    AsyncBento,
    DelayInterval,
    EmailTemplate,
    NotFoundError,
    ValidationError,
    WorkflowStatus,
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


async def test_workflows_list_and_iterate(bento: AsyncBento, emulator: BentoEmulator) -> None:
    """Workflows list with their status and templates, a page at a time."""
    emulator.state.add_workflow("Welcome flow", emails=["Hi", "Tips"])
    emulator.state.add_workflow("Winback", status="draft")
    workflows = [w async for w in bento.workflows.iter()]
    assert [(w.name, w.status) for w in workflows] == [
        ("Welcome flow", WorkflowStatus.LIVE),
        ("Winback", WorkflowStatus.DRAFT),
    ]
    assert [t.subject for t in workflows[0].email_templates] == ["Hi", "Tips"]
    assert await bento.workflows.list(page=2) == []


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
