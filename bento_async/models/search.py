"""Filters of the subscriber search."""

from __future__ import annotations

from datetime import datetime

import attrs

__all__ = ["DateRange"]


@attrs.frozen
class DateRange:
    """A search filter on a timestamp: after ``gt`` and/or before ``lt`` (ISO strings or
    datetimes). At least one bound is required."""

    gt: datetime | str | None = None
    lt: datetime | str | None = None
