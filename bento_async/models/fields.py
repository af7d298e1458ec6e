"""Custom field definitions."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import attrs

from ._base import Resource
from ._frozen import EMPTY

__all__ = ["Field"]


@attrs.frozen
class Field(Resource):
    """A custom field definition; ``name`` is the display name derived from ``key``."""

    id: str
    key: str
    name: str | None = None
    whitelisted: bool | None = None
    created_at: datetime | None = None
    extra: Mapping[str, Any] = attrs.field(default=EMPTY, repr=False)
