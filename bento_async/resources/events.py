"""``bento.events``: track custom events, purchases and Bento's special events."""

from __future__ import annotations

from collections.abc import AsyncIterable, Callable, Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from .._bulk import BulkSpec, run_bulk
from .._errors import InputIssue
from .._http import Request
from .._queue import EventQueue
from .._queue_options import OnError, Overflow, QueueOptions
from .._validate import (
    check_email,
    check_flat_fields,
    check_json_value,
    check_text,
    raise_if,
)
from ..models import BatchResult
from ..models._base import parse_datetime
from ..models.bulk import BulkProgress, BulkResult
from ..models.events import Event, EventType
from ._base import ResourceBase, parse_batch_result

__all__ = ["Events", "OnError", "Overflow", "check_event"]

MAX_EVENTS = 1000
_EVENT_KEYS = {"email", "type", "fields", "details", "date"}


def _as_event(item: Event | Mapping[str, Any], path: str, issues: list[InputIssue]) -> Event | None:
    if isinstance(item, Event):
        return item
    if not isinstance(item, Mapping):
        issues.append(
            InputIssue(path, f"expected an Event or a mapping, got {type(item).__name__}")
        )
        return None
    unknown = set(item) - _EVENT_KEYS
    if unknown:
        issues.append(
            InputIssue(path, f"unknown keys {sorted(map(str, unknown))}; put them in details")
        )
        return None
    get = item.get
    # Types are checked by check_event; a mapping may hold anything.
    return Event(get("email"), get("type"), get("fields"), get("details"), get("date"))  # type: ignore[arg-type]


def _check_purchase(details: Mapping[str, Any] | None, path: str, issues: list[InputIssue]) -> None:
    details = details or {}
    unique = details.get("unique")
    if not isinstance(unique, Mapping) or unique.get("key") in (None, ""):
        issues.append(
            InputIssue(
                f"{path}.details.unique.key", "a $purchase needs a unique key (e.g. the order id)"
            )
        )
    value = details.get("value")
    if not isinstance(value, Mapping):
        issues.append(
            InputIssue(
                f"{path}.details.value", "a $purchase needs {'amount': cents, 'currency': 'USD'}"
            )
        )
        return
    amount = value.get("amount")
    if not isinstance(amount, int) or isinstance(amount, bool):
        issues.append(
            InputIssue(f"{path}.details.value.amount", "amount must be an integer number of cents")
        )
    currency = value.get("currency")
    if not isinstance(currency, str) or len(currency) != 3 or not currency.isalpha():
        issues.append(
            InputIssue(f"{path}.details.value.currency", "currency must be a 3-letter ISO code")
        )


def check_event(
    item: Event | Mapping[str, Any], path: str, issues: list[InputIssue]
) -> Event | None:
    """Check one event and return it, or record what is wrong."""
    before = len(issues)
    event = _as_event(item, path, issues)
    if event is None:
        return None
    check_email(event.email, f"{path}.email", issues)
    check_text(event.type, f"{path}.type", issues, "event type")
    if event.fields is not None:
        check_flat_fields(event.fields, f"{path}.fields", issues)
    if event.details is not None:
        if isinstance(event.details, Mapping):
            check_json_value(event.details, f"{path}.details", issues)
        else:
            issues.append(InputIssue(f"{path}.details", "details must be a mapping"))
    if isinstance(event.date, str):
        try:
            parse_datetime(event.date)
        except ValueError:
            issues.append(
                InputIssue(f"{path}.date", f"{event.date!r} is not an ISO 8601 timestamp")
            )
    elif event.date is not None and not isinstance(event.date, datetime):
        issues.append(InputIssue(f"{path}.date", "date must be a datetime or an ISO 8601 string"))
    if event.type == EventType.PURCHASE:
        _check_purchase(event.details, path, issues)
    if event.type in (EventType.TAG, EventType.REMOVE_TAG):
        check_text((event.details or {}).get("tag"), f"{path}.details.tag", issues, "tag name")
    return event if len(issues) == before else None


def _idempotent(events: list[Event]) -> bool:
    # Only purchases are de-duplicated by Bento (by unique key); any other event
    # sent twice fires its automations twice.
    return all(e.type == EventType.PURCHASE for e in events)


class Events(ResourceBase):
    """Events: ``track``, ``track_purchase`` and ``track_many``. Events fire automations
    unless their details carry ``bypass_workflows``."""

    async def track_many(
        self,
        events: Iterable[Event | Mapping[str, Any]] | AsyncIterable[Event | Mapping[str, Any]],
        *,
        chunk_size: int = MAX_EVENTS,
        concurrency: int = 4,
        on_progress: Callable[[BulkProgress], None] | None = None,
        dry_run: bool = False,
    ) -> BulkResult[Event | Mapping[str, Any]]:
        """Track any number of events, in chunks.

        Each event is an :class:`Event` or a mapping with ``email``, ``type`` and
        optional ``fields``, ``details`` and ``date`` (a datetime or ISO string).
        Events are read lazily; ``concurrency`` chunks at most are in flight. A
        bad event is skipped and reported in ``invalid``; a chunk whose request
        fails is reported and its events kept in ``failed_records`` (only chunks
        of purchases are retried after an ambiguous failure). ``dry_run`` checks
        everything and sends nothing.

        Raises ValidationError for a bad ``chunk_size`` or ``concurrency``, and
        BulkCancelledError (carrying the partial result) when cancelled.
        """
        return await run_bulk(
            BulkSpec("events", MAX_EVENTS, check_event, self._send),
            events,
            chunk_size=chunk_size,
            concurrency=concurrency,
            on_progress=on_progress,
            dry_run=dry_run,
        )

    def queue(
        self,
        *,
        max_queue: int = 10_000,
        overflow: Overflow = "drop_new",
        batch_size: int = MAX_EVENTS,
        interval: float | timedelta = 1.0,
        concurrency: int = 2,
        on_error: OnError | None = None,
        resend_ambiguous: bool = False,
        exit_timeout: float | timedelta = 5.0,
    ) -> EventQueue:
        """Return a background queue whose ``track`` returns at once (see EventQueue).

        Its batches go through this client (limits, retries, errors): close the queue
        before the client, or let the client's close flush it.

        Raises ValidationError for a bad option.
        """
        options = QueueOptions.checked(
            max_queue,
            overflow,
            batch_size,
            interval,
            concurrency,
            on_error,
            resend_ambiguous,
            exit_timeout,
            max_batch=MAX_EVENTS,
        )
        queue = EventQueue(self._post, check_event, options)
        self._client._shared.queues.add(queue)
        return queue

    async def _send(self, events: list[Event]) -> tuple[int, int]:
        result = await self._post(events)
        return result.results, result.failed

    async def _post(self, events: list[Event], resend_ambiguous: bool = False) -> BatchResult:
        request = Request.build(
            "POST",
            "batch/events",
            json_body={"events": [e.to_wire() for e in events]},
            idempotent=resend_ambiguous or _idempotent(events),
        )
        return await self._call(request, parse_batch_result)

    async def _one(self, event: Event) -> BatchResult:
        issues: list[InputIssue] = []
        check_event(event, "event", issues)
        raise_if(issues)
        return await self._post([event])

    async def track(
        self,
        email: str,
        type: str,
        *,
        fields: Mapping[str, Any] | None = None,
        details: Mapping[str, Any] | None = None,
        date: datetime | None = None,
        bypass_workflows: bool = False,
    ) -> BatchResult:
        """Track one event (``date`` backdates it).

        Raises ValidationError for bad input.
        """
        event = Event.custom(
            email,
            type,
            fields=fields,
            details=details,
            date=date,
            bypass_workflows=bypass_workflows,
        )
        return await self._one(event)

    async def track_purchase(
        self,
        email: str,
        *,
        key: str | int,
        amount: int,
        currency: str = "USD",
        cart: Mapping[str, Any] | None = None,
        fields: Mapping[str, Any] | None = None,
        date: datetime | None = None,
        bypass_workflows: bool = False,
    ) -> BatchResult:
        """Track a ``$purchase`` of ``amount`` cents; Bento de-duplicates it by ``key``.

        Safe to retry: a repeat with the same key adds no revenue.
        """
        event = Event.purchase(
            email,
            key=key,
            amount=amount,
            currency=currency,
            cart=cart,
            fields=fields,
            date=date,
            bypass_workflows=bypass_workflows,
        )
        return await self._one(event)
