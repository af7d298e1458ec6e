"""Shared pieces of the models: datetime parsing and JSON:API resource marking."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import ClassVar

__all__ = ["Resource", "parse_datetime"]

_FRACTION = re.compile(r"\.(\d+)")


def parse_datetime(value: str) -> datetime:
    """Parse an ISO 8601 timestamp as Bento sends it (``Z`` suffix, any fraction length).

    A timestamp without an offset is taken as UTC. Raises ValueError otherwise.
    """
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    # Python 3.10's fromisoformat takes exactly 3 or 6 fraction digits.
    text = _FRACTION.sub(lambda m: "." + (m.group(1) + "000000")[:6], text, count=1)
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed


class Resource:
    """Marks a model built from a JSON:API item ``{"id", "type", "attributes"}``.

    The converter merges ``id`` into the attributes; attribute keys the model
    does not know are kept in ``extra`` so nothing the API sends is lost.
    ``__wire_names__`` maps a wire key that is not a Python name (``from``) to its field.
    """

    __jsonapi__: ClassVar[bool] = True
    __wire_names__: ClassVar[Mapping[str, str]] = {}
