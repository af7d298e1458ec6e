"""What the paged resources share: fetching one page, and items from pages."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Mapping, Sequence
from typing import TypeVar

from .._errors import InputIssue
from .._http import Request
from .._paging import page_parser
from .._validate import check_int_range
from ..models.pages import Page
from ._base import ResourceBase

__all__ = ["check_page", "fetch_page", "items_of"]

T = TypeVar("T")


def check_page(value: int | None, path: str, issues: list[InputIssue]) -> None:
    """Require a page number of 1 or more (None: let the API choose)."""
    if value is not None:
        check_int_range(value, path, issues, 1)


async def fetch_page(
    resource: ResourceBase,
    path: str,
    cls: type[T],
    number: int | None,
    params: Mapping[str, object] | None = None,
    *,
    keys: Sequence[str] = ("data",),
    json_body: object = None,
) -> Page[T]:
    """GET one page of ``path`` (``page`` is sent unless ``number`` is None)."""
    query = {"page": number, **(params or {})}
    request = Request.build("GET", path, params=query, json_body=json_body)
    return await resource._call(request, page_parser(cls, number or 1, keys))


async def items_of(pages: AsyncIterator[Page[T]]) -> AsyncIterator[T]:
    """Yield the items of each page; closing this closes ``pages``."""
    async with contextlib.aclosing(pages):  # type: ignore[type-var]
        async for page in pages:
            for item in page.items:
                yield item
