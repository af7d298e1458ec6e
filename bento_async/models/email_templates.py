"""Email templates: the emails of sequences, workflows and broadcasts."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import attrs

from ._base import Resource
from ._frozen import EMPTY

__all__ = ["EmailTemplate", "TemplateStats", "TemplateSummary"]


@attrs.frozen
class TemplateStats(Resource):
    """Engagement figures of a template (the docs name ``open_rate`` and ``click_rate``)."""

    open_rate: float | None = None
    click_rate: float | None = None
    extra: Mapping[str, Any] = attrs.field(default=EMPTY, repr=False)


@attrs.frozen
class EmailTemplate(Resource):
    """An email template as ``fetch/emails/templates/:id`` returns it."""

    id: str
    name: str | None = None
    subject: str | None = None
    html: str | None = None
    created_at: datetime | None = None
    stats: TemplateStats | None = None
    extra: Mapping[str, Any] = attrs.field(default=EMPTY, repr=False)


@attrs.frozen
class TemplateSummary(Resource):
    """A template as sequences and workflows list it: id, subject and stats only."""

    id: str
    subject: str | None = None
    stats: TemplateStats | None = None
    extra: Mapping[str, Any] = attrs.field(default=EMPTY, repr=False)
