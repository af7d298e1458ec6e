"""Tags."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import attrs

from ._base import Resource
from ._frozen import EMPTY

__all__ = ["Tag"]


@attrs.frozen
class Tag(Resource):
    """A tag. ``discarded_at`` is set when the tag was deleted (soft deletion)."""

    id: str
    name: str
    created_at: datetime | None = None
    discarded_at: datetime | None = None
    site_id: int | None = None
    extra: Mapping[str, Any] = attrs.field(default=EMPTY, repr=False)
