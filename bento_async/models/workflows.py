"""Workflows (automations), a read-only list."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import attrs

from ._base import Resource
from ._enums import OpenEnum
from ._frozen import EMPTY
from .email_templates import TemplateSummary

__all__ = ["Workflow", "WorkflowStatus"]


class WorkflowStatus(OpenEnum):
    """Whether a workflow runs."""

    LIVE = "live"
    DRAFT = "draft"


@attrs.frozen
class Workflow(Resource):
    """A workflow (automation) as ``fetch/workflows`` lists it."""

    id: str
    name: str | None = None
    status: WorkflowStatus | None = None
    created_at: datetime | None = None
    email_templates: tuple[TemplateSummary, ...] = ()
    extra: Mapping[str, Any] = attrs.field(default=EMPTY, repr=False)
