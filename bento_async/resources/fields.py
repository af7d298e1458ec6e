"""``bento.fields``: list and create custom field definitions."""

from __future__ import annotations

import builtins

from .._errors import InputIssue
from .._http import Request
from .._validate import check_text, raise_if
from ..models import Field
from ._base import ResourceBase, parse_item, parse_list

__all__ = ["Fields"]


class Fields(ResourceBase):
    """Custom field definitions: ``list``, ``get`` (by key) and ``create``."""

    async def list(self) -> builtins.list[Field]:
        """Return every custom field definition of the site."""
        return await self._call(Request.build("GET", "fetch/fields"), parse_list(Field))

    async def get(self, key: str) -> Field | None:
        """Find the field definition with this key (case-sensitive); None when there is none.

        Lists the definitions: one request.

        Raises ValidationError for a blank key.
        """
        issues: list[InputIssue] = []
        check_text(key, "key", issues, "field key")
        raise_if(issues)
        return next((field for field in await self.list() if field.key == key), None)

    async def create(self, key: str) -> Field:
        """Create a field definition, or return the existing one with this key.

        Keys are case-sensitive. Raises ValidationError for an empty key.
        """
        issues: list[InputIssue] = []
        check_text(key, "key", issues, "field key")
        raise_if(issues)
        request = Request.build("POST", "fetch/fields", json_body={"field": {"key": key}})
        return await self._call(request, parse_item(Field))
