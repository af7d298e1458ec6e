"""``bento.broadcasts``: list broadcasts page by page, and create drafts in batches."""

from __future__ import annotations

import builtins
from collections.abc import AsyncIterator, Iterable, Mapping
from typing import Any

import attrs

from .._converter import converter
from .._errors import InputIssue
from .._http import Request
from .._validate import (
    as_dict,
    check_choice,
    check_count,
    check_email,
    check_int_range,
    check_keys,
    check_text,
    check_timestamp,
    raise_if,
)
from ..models.broadcasts import (
    Broadcast,
    BroadcastFailure,
    BroadcastResult,
    BroadcastStatus,
    CreatedBroadcast,
    NewBroadcast,
    Sender,
)
from ..models.pages import Page
from ._base import ResourceBase
from ._paged import check_page, fetch_page, items_of, pages_from

__all__ = ["Broadcasts", "check_broadcast", "parse_broadcast_result"]

MAX_BROADCASTS = 100
BATCH_SIZE_PER_HOUR = (10, 250_000)
_KEYS = {
    "name",
    "subject",
    "content",
    "type",
    "from",
    "batch_size_per_hour",
    "inclusive_tags",
    "exclusive_tags",
    "segment_id",
    "send_at",
    "approved",
}
_LIST_KEYS = ("data", "broadcasts")  # Go's client reads "broadcasts" (§9 #12)


def _wire_form(item: NewBroadcast | Mapping[str, Any]) -> dict[str, Any]:
    if isinstance(item, NewBroadcast):
        wire = {k: v for k, v in attrs.asdict(item, recurse=False).items() if v is not None}
        wire["from"] = wire.pop("from_")
        return wire
    return dict(item)


def _sender(value: object, path: str, issues: list[InputIssue]) -> dict[str, Any] | None:
    if isinstance(value, str):
        value = {"email": value}
    elif isinstance(value, Sender):
        value = {"email": value.email, "name": value.name}
    sender = as_dict(value, path, issues)
    if sender is None:
        return None
    check_email(sender.get("email"), f"{path}.email", issues)
    name = sender.get("name")
    if name is not None and not isinstance(name, str):
        issues.append(InputIssue(f"{path}.name", "the sender name must be a string"))
    return {k: v for k, v in sender.items() if v is not None}


def _tags(value: object, path: str, issues: list[InputIssue]) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, (list, tuple)) and all(
        isinstance(n, str) and n.strip() and "," not in n for n in value
    ):
        return ",".join(n.strip() for n in value)
    issues.append(InputIssue(path, "tags must be a comma string or a list of names"))
    return None


def check_broadcast(
    item: NewBroadcast | Mapping[str, Any], path: str, issues: list[InputIssue]
) -> dict[str, Any] | None:
    """Check one broadcast to create and return its wire form, or record what is wrong."""
    if not isinstance(item, (NewBroadcast, Mapping)):
        issues.append(InputIssue(path, f"expected a NewBroadcast, got {type(item).__name__}"))
        return None
    before = len(issues)
    wire = _wire_form(item)
    check_keys(wire, _KEYS, path, issues)
    for key in ("name", "subject", "content", "type"):
        check_text(wire.get(key), f"{path}.{key}", issues, key)
    wire["from"] = _sender(wire.get("from"), f"{path}.from", issues)
    low, high = BATCH_SIZE_PER_HOUR
    check_int_range(
        wire.get("batch_size_per_hour"), f"{path}.batch_size_per_hour", issues, low, high
    )
    for key in ("inclusive_tags", "exclusive_tags"):
        if wire.get(key) is not None:
            wire[key] = _tags(wire[key], f"{path}.{key}", issues)
    if wire.get("segment_id") is not None:
        wire["segment_id"] = str(wire["segment_id"])
    if wire.get("send_at") is not None:
        check_timestamp(wire["send_at"], f"{path}.send_at", issues)
    if wire.get("approved") is not None and not isinstance(wire["approved"], bool):
        issues.append(InputIssue(f"{path}.approved", "approved must be True or False"))
    return wire if len(issues) == before else None


def parse_broadcast_result(payload: Any) -> BroadcastResult:
    """Parse ``{"results", "failed", "broadcasts", "failures"}``, or the older ``{"results"}``."""
    if not isinstance(payload, Mapping):
        raise ValueError(f"expected a JSON object, got {type(payload).__name__}")
    results = payload.get("results", payload.get("result"))
    if isinstance(results, bool) or not isinstance(results, int):
        raise ValueError("missing the 'results' count")
    created = tuple(
        converter.structure(b, CreatedBroadcast) for b in payload.get("broadcasts") or ()
    )
    failures = tuple(
        converter.structure(f, BroadcastFailure) for f in payload.get("failures") or ()
    )
    failed = payload.get("failed")
    if isinstance(failed, bool) or not isinstance(failed, int):
        failed = len(failures)
    return BroadcastResult(results, failed, created, failures)


class Broadcasts(ResourceBase):
    """Broadcasts: ``list`` (one page), ``pages`` and ``iter`` (every page), ``create``."""

    def _check(
        self,
        page: int | None,
        status: BroadcastStatus | str | None,
        per_page: int | None,
        page_path: str = "page",
    ) -> None:
        issues: list[InputIssue] = []
        check_page(page, page_path, issues)
        if status is not None:
            check_choice(status, BroadcastStatus, "status", issues)
        if per_page is not None:
            check_int_range(per_page, "per_page", issues, 1, 100)
        raise_if(issues)

    async def _page(
        self, number: int | None, status: BroadcastStatus | str | None, per_page: int | None
    ) -> Page[Broadcast]:
        params = {"status": None if status is None else str(status), "per_page": per_page}
        return await fetch_page(
            self, "fetch/broadcasts", Broadcast, number, params, keys=_LIST_KEYS
        )

    async def list(
        self,
        page: int | None = None,
        *,
        status: BroadcastStatus | str | None = None,
        per_page: int | None = None,
    ) -> builtins.list[Broadcast]:
        """Return one page of broadcasts (Bento's default: page 1 of the sent ones).

        ``status`` filters (``sent``, ``draft``, ``scheduled``...; ``cancelled`` is an
        alias of ``canceled``). ``per_page`` is not documented by Bento; its CLI sends it.

        Raises ValidationError for a page below 1 or an unknown status.
        """
        self._check(page, status, per_page)
        return builtins.list((await self._page(page, status, per_page)).items)

    async def pages(
        self,
        *,
        status: BroadcastStatus | str | None = None,
        per_page: int | None = None,
        start: int = 1,
    ) -> AsyncIterator[Page[Broadcast]]:
        """Yield every page of broadcasts from page ``start`` on, fetching each when needed.

        Raises ValidationError (when iteration starts) for bad arguments.
        """
        self._check(start, status, per_page, "start")
        async with pages_from(lambda n: self._page(n, status, per_page), start) as fetch:
            async for page in fetch:
                yield page

    async def iter(
        self,
        *,
        status: BroadcastStatus | str | None = None,
        per_page: int | None = None,
        start: int = 1,
    ) -> AsyncIterator[Broadcast]:
        """Yield every broadcast, page after page (see :meth:`pages`)."""
        pages = self.pages(status=status, per_page=per_page, start=start)
        async for item in items_of(pages):
            yield item

    async def create(
        self, broadcasts: Iterable[NewBroadcast | Mapping[str, Any]]
    ) -> BroadcastResult:
        """Create up to 100 broadcasts as drafts; refused ones are listed in ``failures``.

        Not retried after an ambiguous failure (a repeat would create duplicates).

        Raises ValidationError listing every bad broadcast before anything is sent.
        """
        issues: list[InputIssue] = []
        items = builtins.list(broadcasts)
        check_count(len(items), MAX_BROADCASTS, "broadcasts", issues)
        wire = [check_broadcast(b, f"broadcasts[{i}]", issues) for i, b in enumerate(items)]
        raise_if(issues)
        request = Request.build(
            "POST", "batch/broadcasts", json_body={"broadcasts": wire}, idempotent=False
        )
        return await self._call(request, parse_broadcast_result)
