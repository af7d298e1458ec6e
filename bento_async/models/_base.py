"""Shared pieces of the models: JSON:API resource marking, and the one datetime parser."""

from __future__ import annotations

import re
from typing import ClassVar

from .._dates import parse_datetime

__all__ = ["ApiObject", "Resource", "parse_datetime", "snake_case"]


_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


class Resource:
    """Marks a model built from a JSON:API item ``{"id", "type", "attributes"}``.

    The converter merges ``id`` into the attributes; attribute keys the model
    does not know are kept in ``extra`` so nothing the API sends is lost.
    ``__wire_names__`` maps a wire key that is not a Python name (``from``) to its field.
    """

    __slots__ = ()  # a model's instances carry no __dict__: a fan-out keeps thousands
    __jsonapi__: ClassVar[bool] = True


class ApiObject:
    """Marks a model built from a plain JSON object (stats and experimental answers).

    The converter matches each key to an attribute after turning camelCase into
    snake_case (``revenueCents`` fills ``revenue_cents``); keys the model does not
    know are kept, as sent, in ``extra``.
    """

    __slots__ = ()
    __plain_object__: ClassVar[bool] = True


def snake_case(key: str) -> str:
    """Return ``key`` in snake_case: ``revenueByCurrency`` gives ``revenue_by_currency``."""
    return _CAMEL_BOUNDARY.sub("_", key).lower()
