"""What the paged resources share: fetching one page, the pages from one on, and items."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from typing import TypeVar

from .._errors import InputIssue
from .._http import Request
from .._paging import page_parser, paginate
from .._validate import check_int_range, raise_if
from ..models.pages import Page
from ._base import ResourceBase

__all__ = ["check_page", "fetch_page", "items_of", "page_items", "pages_from", "require_page"]

T = TypeVar("T")


def check_page(value: int | None, path: str, issues: list[InputIssue]) -> None:
    """Require a page number of 1 or more (None: let the API choose)."""
    if value is not None:
        check_int_range(value, path, issues, 1)


def require_page(value: int | None, path: str) -> None:
    """Check a page number alone (see :func:`check_page`).

    Raises ValidationError for a page below 1.
    """
    issues: list[InputIssue] = []
    check_page(value, path, issues)
    raise_if(issues)


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


async def page_items(
    fetch: Callable[[int | None], Awaitable[Page[T]]], page: int | None
) -> list[T]:
    """Return the items of page ``page`` (None: the API's default).

    Raises ValidationError for a page below 1.
    """
    require_page(page, "page")
    return list((await fetch(page)).items)


def pages_from(
    fetch: Callable[[int], Awaitable[Page[T]]], start: int, *, page_size: int | None = None
) -> AbstractAsyncContextManager[AsyncIterator[Page[T]]]:
    """Return the pages ``fetch`` gives from ``start`` on, to use in ``async with``, which
    closes them."""
    return contextlib.aclosing(paginate(fetch, start=start, page_size=page_size))  # type: ignore[type-var]
