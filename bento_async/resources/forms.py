"""``bento.forms``: read the responses to a Bento form."""

from __future__ import annotations

import builtins

from .._errors import InputIssue
from .._http import Request
from .._validate import check_text, raise_if
from ..models.forms import FormResponse
from ._base import ResourceBase, parse_list

__all__ = ["Forms"]


class Forms(ResourceBase):
    """Forms: ``responses``."""

    async def responses(self, form_id: str) -> builtins.list[FormResponse]:
        """Return every response to the form ``form_id`` (empty for an unknown form).

        Raises ValidationError for a blank id.
        """
        issues: list[InputIssue] = []
        check_text(form_id, "form_id", issues, "form id")
        raise_if(issues)
        request = Request.build("GET", "fetch/responses", params={"id": form_id.strip()})
        return await self._call(request, parse_list(FormResponse))
