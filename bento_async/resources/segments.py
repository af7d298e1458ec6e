"""``bento.segments``: list saved segments, read one, and check a person against one."""

from __future__ import annotations

import builtins
from collections.abc import Mapping
from typing import Any

from .._errors import InputIssue
from .._http import Request
from .._paging import page_parser
from .._validate import check_email, raise_if
from ..models.segments import Segment, SegmentMatch
from ._base import ResourceBase, object_id

__all__ = ["Segments", "parse_segment_match"]


def parse_segment_match(payload: Any) -> SegmentMatch:
    """Parse the (undocumented) match answer: a ``matched``/``match`` flag, top level or
    under ``data`` (or its ``attributes``); everything else lands in ``extra``."""
    if not isinstance(payload, Mapping):
        raise ValueError(f"expected a JSON object, got {type(payload).__name__}")
    data = payload.get("data")
    inner: Any = data.get("attributes", data) if isinstance(data, Mapping) else {}
    for source in (payload, inner):
        for key in ("matched", "match", "matches"):
            value = source.get(key)
            if isinstance(value, bool):
                rest = {k: v for k, v in payload.items() if k != key}
                return SegmentMatch(matched=value, extra=rest)
    return SegmentMatch(matched=None, extra=dict(payload))


class Segments(ResourceBase):
    """Segments: ``list``, ``get`` and ``match``."""

    async def list(self) -> builtins.list[Segment]:
        """Return every saved segment, ordered by name (deleted ones are left out)."""
        request = Request.build("GET", "fetch/segments")
        return builtins.list((await self._call(request, page_parser(Segment, 1))).items)

    async def get(self, segment_id: int | str) -> Segment | None:
        """Return one segment with its ``visitor_event_query``, or None when there is none.

        Raises ValidationError for a blank id.
        """
        return await self._get_by_id("fetch/segments", segment_id, "segment_id", Segment)

    async def match(self, segment_id: int | str, *, email: str) -> SegmentMatch:
        """Ask whether the person with ``email`` is in the segment.

        Bento lists this endpoint without describing it; this sends ``{"email": ...}``
        and reads a boolean ``matched`` (or ``match``) from the answer.

        Raises ValidationError for a blank id or a malformed email, NotFoundError for an
        unknown segment.
        """
        issues: list[InputIssue] = []
        sid = object_id(segment_id, "segment_id", issues)
        check_email(email, "email", issues)
        raise_if(issues)
        request = Request.build("POST", f"fetch/segments/{sid}/match", json_body={"email": email})
        return await self._call(request, parse_segment_match)
