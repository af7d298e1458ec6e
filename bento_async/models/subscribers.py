"""Subscribers (Bento calls them visitors)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import attrs

from ._base import Resource
from ._frozen import EMPTY

__all__ = ["Subscriber"]


@attrs.frozen
class Subscriber(Resource):
    """A subscriber as the API returns it.

    ``fields`` is empty (never None) when the API sends ``null``.
    ``cached_tag_ids`` holds tag ids; resolve names with ``bento.tags.names_for``.
    """

    id: str
    uuid: str
    email: str
    fields: Mapping[str, Any] = attrs.field(default=EMPTY)
    cached_tag_ids: tuple[str, ...] = ()
    unsubscribed_at: datetime | None = None
    navigation_url: str | None = None
    extra: Mapping[str, Any] = attrs.field(default=EMPTY, repr=False)

    @property
    def subscribed(self) -> bool:
        """Whether the subscriber is currently subscribed."""
        return self.unsubscribed_at is None
