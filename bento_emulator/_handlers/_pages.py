"""Paging for the emulator's list endpoints: read `page` and `per_page`, cut a page."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from .._state import JSONValue
from ._common import Call, Reply, bad_request

T = TypeVar("T")


def int_param(call: Call, key: str, default: int, maximum: int | None = None) -> int:
    """Return a positive integer from the query (or the JSON body), else fail with 400."""
    raw: object = call.query.get(key)
    if raw is None and isinstance(call.body, dict):
        raw = call.body.get(key)
    if raw is None or raw == "":
        return default
    if isinstance(raw, int) and not isinstance(raw, bool):
        value = raw
    elif isinstance(raw, str) and raw.strip().isdigit():
        value = int(raw)
    else:
        raise bad_request(f"'{key}' must be a positive integer")
    if value < 1:
        raise bad_request(f"'{key}' must be a positive integer")
    return value if maximum is None else min(value, maximum)


def page_of(items: Sequence[T], page: int, per_page: int) -> list[T]:
    """Return page `page` (from 1) of `items`, `per_page` to a page; empty past the end."""
    return list(items[(page - 1) * per_page : page * per_page])


def page_reply(
    call: Call, items: Sequence[T], per_page: int, render: Callable[[T], JSONValue]
) -> Reply:
    """Answer `{"data": [...]}` (no `meta`) with page `page` of `items`, rendered."""
    chunk = page_of(items, int_param(call, "page", 1), per_page)
    return Reply({"data": [render(item) for item in chunk]})
