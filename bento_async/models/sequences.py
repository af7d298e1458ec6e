"""Sequences (drip campaigns) and the delay units of their emails."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import attrs

from ._base import Resource
from ._enums import OpenEnum
from ._frozen import EMPTY
from .email_templates import TemplateSummary

__all__ = ["DelayInterval", "EmailSequence"]


class DelayInterval(OpenEnum):
    """The unit of a sequence email's delay."""

    MINUTES = "minutes"
    HOURS = "hours"
    DAYS = "days"
    MONTHS = "months"


@attrs.frozen
class EmailSequence(Resource):
    """A sequence as ``fetch/sequences`` lists it.

    ``id`` is the top-level id, else ``attributes.id``; some answers carry only
    ``prefix_id`` (``sequence_abc123``). :attr:`ref` is what to create emails with.
    """

    id: str | None = None
    name: str | None = None
    prefix_id: str | None = None
    created_at: datetime | None = None
    email_templates: tuple[TemplateSummary, ...] = ()
    extra: Mapping[str, Any] = attrs.field(default=EMPTY, repr=False)

    @property
    def ref(self) -> str | None:
        """Return the id to address this sequence by: ``id``, else ``prefix_id``."""
        return self.id or self.prefix_id
