"""Workflows (automations) of an emulated site and their email templates."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import attrs

from .email_templates import TemplateState


@attrs.frozen
class Workflow:
    """A workflow (automation) and the ids of its email templates."""

    id: str
    name: str
    status: str
    created_at: datetime
    template_ids: tuple[str, ...] = ()


class WorkflowState(TemplateState):
    """The site's workflows, in creation order (a mixin of EmulatorState)."""

    _workflows: dict[str, Workflow]

    def _reset(self) -> None:
        super()._reset()
        self._workflows = {}

    @property
    def workflows(self) -> list[Workflow]:
        """Return every workflow, in creation order."""
        with self._lock:
            return list(self._workflows.values())

    def add_workflow(
        self, name: str, *, status: str = "live", emails: Iterable[str] = ()
    ) -> Workflow:
        """Store a workflow with one template per subject in `emails`."""
        with self._lock:
            templates = tuple(self.add_email_template(subject=s).id for s in emails)
            workflow = Workflow(self._next_id("workflow"), name, status, self.clock(), templates)
            self._workflows[workflow.id] = workflow
            return workflow
