"""Workflows through the async client against the emulator."""

from __future__ import annotations

import pytest

from bento_async import (
    AsyncBento,
    WorkflowStatus,
)
from bento_emulator import BentoEmulator

pytestmark = pytest.mark.anyio


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
