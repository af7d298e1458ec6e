"""``bento.search``: search subscribers by dates and tags (Enterprise accounts only)."""

from __future__ import annotations

import builtins
from collections.abc import AsyncIterator, Iterable, Mapping
from datetime import datetime
from typing import Any, TypeAlias

import attrs

from .._errors import InputIssue
from .._validate import check_keys, check_timestamp, raise_if
from ..models import Subscriber
from ..models.pages import Page
from ..models.search import DateRange
from ._base import ResourceBase
from ._paged import check_page, fetch_page, items_of, pages_from

__all__ = ["PAGE_SIZE", "Search", "SearchFilters", "build_filters"]

PAGE_SIZE = 100  # documented: search answers 100 subscribers per page
_DATE_FILTERS = ("created_at", "updated_at", "last_event_at", "unsubscribed_at")

Range: TypeAlias = "DateRange | Mapping[str, datetime | str] | None"


@attrs.frozen
class SearchFilters:
    """Checked filters in both the forms they are sent: query parameters and a JSON body."""

    params: dict[str, str]
    body: dict[str, Any]


def _iso(value: datetime | str) -> str:
    return value.isoformat() if isinstance(value, datetime) else value


def _range(name: str, value: Range, issues: list[InputIssue]) -> dict[str, str] | None:
    if value is None:
        return None
    if isinstance(value, DateRange):
        value = {k: v for k, v in (("gt", value.gt), ("lt", value.lt)) if v is not None}
    if not isinstance(value, Mapping):
        issues.append(InputIssue(name, "expected a DateRange or {'gt': ..., 'lt': ...}"))
        return None
    check_keys(value, ("gt", "lt"), name, issues)
    bounds = {k: v for k, v in value.items() if v is not None}
    if not bounds:
        issues.append(InputIssue(name, "give gt, lt or both"))
    for key, bound in bounds.items():
        check_timestamp(bound, f"{name}.{key}", issues)
    return {k: _iso(v) for k, v in bounds.items() if isinstance(v, (datetime, str))}


def _tag_names(value: Iterable[str] | str | None, issues: list[InputIssue]) -> list[str] | None:
    if value is None:
        return None
    names = value.split(",") if isinstance(value, str) else builtins.list(value)
    if not all(isinstance(n, str) and n.strip() and "," not in n for n in names):
        issues.append(InputIssue("tags", "tags must be non-empty names without commas"))
        return None
    return [n.strip() for n in names]


def build_filters(
    *, tags: Iterable[str] | str | None = None, **ranges: Range
) -> tuple[SearchFilters, list[InputIssue]]:
    """Check the filters and render them as Rails-style query parameters
    (``created_at[gt]=...``, ``tags=a,b``) and as the JSON body the OpenAPI file shows."""
    issues: list[InputIssue] = []
    params: dict[str, str] = {}
    body: dict[str, Any] = {}
    for name in _DATE_FILTERS:
        bounds = _range(name, ranges.get(name), issues)
        if bounds:
            body[name] = bounds
            params.update({f"{name}[{k}]": v for k, v in bounds.items()})
    names = _tag_names(tags, issues)
    if names:
        body["tags"] = names
        params["tags"] = ",".join(names)
    return SearchFilters(params, body), issues


class Search(ResourceBase):
    """Subscriber search (Enterprise only): ``list`` (one page), ``pages`` and ``iter``.

    Filters: ``created_at``, ``updated_at``, ``last_event_at`` and ``unsubscribed_at``
    each take a :class:`DateRange` (after ``gt``, before ``lt``); ``tags`` keeps people
    carrying every named tag. Filters go in the query string and, as the OpenAPI file
    documents, in a JSON body too. Other accounts get PermissionDeniedError (403).
    """

    async def _page(self, number: int, filters: SearchFilters) -> Page[Subscriber]:
        body = {"page": number, **filters.body}
        return await fetch_page(
            self, "fetch/search", Subscriber, number, filters.params, json_body=body
        )

    def _filters(
        self, page: int | None, tags: Any, ranges: dict[str, Range], page_path: str = "page"
    ) -> SearchFilters:
        filters, issues = build_filters(tags=tags, **ranges)
        check_page(page, page_path, issues)
        raise_if(issues)
        return filters

    async def list(
        self,
        page: int | None = None,
        *,
        created_at: Range = None,
        updated_at: Range = None,
        last_event_at: Range = None,
        unsubscribed_at: Range = None,
        tags: Iterable[str] | str | None = None,
    ) -> builtins.list[Subscriber]:
        """Return one page (100 at most) of the subscribers matching every filter given.

        Raises ValidationError for bad filters, PermissionDeniedError on a non-Enterprise site.
        """
        ranges = {
            "created_at": created_at,
            "updated_at": updated_at,
            "last_event_at": last_event_at,
            "unsubscribed_at": unsubscribed_at,
        }
        filters = self._filters(page, tags, ranges)
        return builtins.list((await self._page(page or 1, filters)).items)

    async def pages(
        self,
        *,
        created_at: Range = None,
        updated_at: Range = None,
        last_event_at: Range = None,
        unsubscribed_at: Range = None,
        tags: Iterable[str] | str | None = None,
        start: int = 1,
    ) -> AsyncIterator[Page[Subscriber]]:
        """Yield every page of matching subscribers from page ``start`` on (see :meth:`list`)."""
        ranges = {
            "created_at": created_at,
            "updated_at": updated_at,
            "last_event_at": last_event_at,
            "unsubscribed_at": unsubscribed_at,
        }
        filters = self._filters(start, tags, ranges, "start")
        pages = pages_from(lambda n: self._page(n, filters), start, page_size=PAGE_SIZE)
        async with pages as fetch:
            async for page in fetch:
                yield page

    async def iter(
        self,
        *,
        created_at: Range = None,
        updated_at: Range = None,
        last_event_at: Range = None,
        unsubscribed_at: Range = None,
        tags: Iterable[str] | str | None = None,
        start: int = 1,
    ) -> AsyncIterator[Subscriber]:
        """Yield every matching subscriber, page after page (see :meth:`list`)."""
        pages = self.pages(
            created_at=created_at,
            updated_at=updated_at,
            last_event_at=last_event_at,
            unsubscribed_at=unsubscribed_at,
            tags=tags,
            start=start,
        )
        async for item in items_of(pages):
            yield item
