"""Shared pieces of the models: datetime parsing and JSON:API resource marking."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import ClassVar

__all__ = ["ApiObject", "Resource", "parse_datetime", "snake_case"]


_FRACTION = re.compile(r"\.(\d+)")
_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


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


class ApiObject:
    """Marks a model built from a plain JSON object (stats and experimental answers).

    The converter matches each key to an attribute after turning camelCase into
    snake_case (``revenueCents`` fills ``revenue_cents``); keys the model does not
    know are kept, as sent, in ``extra``.
    """

    __plain_object__: ClassVar[bool] = True


def snake_case(key: str) -> str:
    """Return ``key`` in snake_case: ``revenueByCurrency`` gives ``revenue_by_currency``."""
    return _CAMEL_BOUNDARY.sub("_", key).lower()
