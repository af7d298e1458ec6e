"""Paged lists: the pure step that decides what to fetch next, and the loop that drives it.

:func:`step` is a plain function over attrs values, so its rules are property-tested
without a server. :func:`paginate` is the only loop; every paged resource uses it.
The rules, in order, for the page just fetched:

1. an empty page ends the list and is not yielded;
2. a page whose ``meta.page`` differs from the page asked for (the API clamped or
   ignored the number) ends the list and is not yielded;
3. a page equal to the one before (the API ignored ``page``) ends the list, not yielded;
4. otherwise the page is yielded, and it is the last when ``meta`` says so
   (``total_pages`` reached, ``total`` items seen) or when it is shorter than the page
   size (``meta.per_page``, or the size the endpoint documents).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from typing import Any, TypeVar

import attrs

from ._converter import converter
from .models.pages import Page, PageMeta

__all__ = ["PagerState", "Step", "page_parser", "paginate", "parse_meta", "step"]

T = TypeVar("T")


@attrs.frozen
class PagerState:
    """Where a pager is: the page to fetch next (None when done), the items seen so far,
    and the last page's items (to notice an API that ignores ``page``)."""

    next_page: int | None
    seen: int = 0
    previous: tuple[Any, ...] | None = None


@attrs.frozen
class Step:
    """What to do with the page just fetched: yield it or not, and the next state."""

    emit: bool
    state: PagerState


def _is_last(number: int, count: int, seen: int, meta: PageMeta | None, size: int | None) -> bool:
    per_page = size
    if meta is not None:
        if meta.total_pages is not None and number >= meta.total_pages:
            return True
        if meta.total is not None and seen >= meta.total:
            return True
        per_page = meta.per_page or size
    return per_page is not None and count < per_page


def step(
    state: PagerState,
    requested: int,
    items: Sequence[Any],
    meta: PageMeta | None = None,
    page_size: int | None = None,
) -> Step:
    """Decide about page ``requested`` holding ``items`` (see the module docstring)."""
    current = tuple(items)
    if not current:
        return Step(False, PagerState(None, state.seen, state.previous))
    if meta is not None and meta.page is not None and meta.page != requested:
        return Step(False, PagerState(None, state.seen, state.previous))
    if state.previous is not None and current == state.previous:
        return Step(False, PagerState(None, state.seen, state.previous))
    seen = state.seen + len(current)
    last = _is_last(requested, len(current), seen, meta, page_size)
    return Step(True, PagerState(None if last else requested + 1, seen, current))


async def paginate(
    fetch: Callable[[int], Awaitable[Page[T]]], *, start: int = 1, page_size: int | None = None
) -> AsyncIterator[Page[T]]:
    """Yield the pages ``fetch(n)`` returns for n = start, start + 1, ... until `step` stops."""
    state = PagerState(start)
    while state.next_page is not None:
        page = await fetch(state.next_page)
        decision = step(state, state.next_page, page.items, page.meta, page_size)
        if decision.emit:
            yield page
        state = decision.state


def _int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:  # also "²", which isdigit() accepts
            return None
    return None


def _first(value: Mapping[str, Any], *keys: str) -> int | None:
    return next((_int(value[k]) for k in keys if value.get(k) is not None), None)


def parse_meta(value: object) -> PageMeta | None:
    """Read a ``meta`` object leniently: counts that are not integers are left out."""
    if not isinstance(value, Mapping):
        return None
    return PageMeta(
        page=_first(value, "page", "current_page"),
        per_page=_first(value, "per_page"),
        total=_first(value, "total", "total_count"),
        total_pages=_first(value, "total_pages", "last_page"),
        count=_first(value, "count"),
        raw=dict(value),
    )


def page_parser(
    cls: type[T], number: int, keys: Sequence[str] = ("data",)
) -> Callable[[Any], Page[T]]:
    """Return a parser for one page: ``{"data": [...], "meta": {...}}``, another list key
    from ``keys``, or a bare array. A null list is an empty page."""

    def parse(payload: Any) -> Page[T]:
        meta = None
        if isinstance(payload, list):
            raw: Any = payload
        elif isinstance(payload, Mapping):
            raw = next((payload[k] for k in keys if k in payload), None)
            meta = parse_meta(payload.get("meta"))
        else:
            raise ValueError(f"expected a JSON object or array, got {type(payload).__name__}")
        if raw is None:
            raw = []
        if not isinstance(raw, list):
            raise ValueError(f"expected a list under {keys[0]!r}, got {type(raw).__name__}")
        items = tuple(converter.structure(item, cls) for item in raw)
        return Page(number, items, meta)

    return parse
