"""Saved segments and the answer of a membership check."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import attrs

from ._base import Resource
from ._frozen import EMPTY

__all__ = ["Segment", "SegmentMatch"]


@attrs.frozen
class Segment(Resource):
    """A saved segment; ``visitor_event_query`` is Bento's own query definition."""

    id: str
    name: str | None = None
    description: str | None = None
    visitor_event_query: Mapping[str, Any] | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    extra: Mapping[str, Any] = attrs.field(default=EMPTY, repr=False)


@attrs.frozen
class SegmentMatch(Resource):
    """The answer of ``fetch/segments/:id/match`` (undocumented: see ``extra`` for the rest)."""

    matched: bool | None = None
    extra: Mapping[str, Any] = attrs.field(default=EMPTY, repr=False)
