"""Responses to Bento forms."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import attrs

from ._base import Resource
from ._frozen import EMPTY

__all__ = ["FormResponse", "FormResponseData"]


@attrs.frozen
class FormResponseData(Resource):
    """What a form submission recorded; the nested objects are kept as sent."""

    id: str | None = None
    type: str | None = None
    date: datetime | None = None
    fields: Mapping[str, Any] = attrs.field(default=EMPTY)
    details: Mapping[str, Any] = attrs.field(default=EMPTY)
    identity: Mapping[str, Any] = attrs.field(default=EMPTY)
    ip: str | None = None
    browser: Mapping[str, Any] | None = None
    location: Mapping[str, Any] | None = None
    page: Mapping[str, Any] | None = None
    site: Any = None
    visit: Any = None
    visitor: Any = None
    extra: Mapping[str, Any] = attrs.field(default=EMPTY, repr=False)

    @property
    def email(self) -> str | None:
        """Return ``identity.email``, the address the form was submitted with."""
        value = self.identity.get("email")
        return value if isinstance(value, str) else None


@attrs.frozen
class FormResponse(Resource):
    """One response to a form."""

    id: str
    uuid: str | None = None
    data: FormResponseData = attrs.field(factory=FormResponseData)
    extra: Mapping[str, Any] = attrs.field(default=EMPTY, repr=False)
