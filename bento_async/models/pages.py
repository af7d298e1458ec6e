"""One page of a paged list, and what the API said about the paging."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Generic, TypeVar

import attrs

from ._frozen import EMPTY

__all__ = ["Page", "PageMeta"]

T = TypeVar("T")


@attrs.frozen
class PageMeta:
    """The ``meta`` object some lists carry. Every count is None when the API left it out.

    ``raw`` is the object as sent (search answers put its ``query`` there).
    """

    page: int | None = None
    per_page: int | None = None
    total: int | None = None
    total_pages: int | None = None
    count: int | None = None
    raw: Mapping[str, Any] = attrs.field(default=EMPTY, repr=False)


@attrs.frozen
class Page(Generic[T]):
    """The items of page ``number`` (pages count from 1), with the API's ``meta`` if any."""

    number: int
    items: tuple[T, ...]
    meta: PageMeta | None = None

    def __len__(self) -> int:
        return len(self.items)
