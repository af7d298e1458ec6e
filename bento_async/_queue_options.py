"""The options and counters of the background event queue (see ``_queue``)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Literal

import attrs

from ._config import seconds
from ._errors import InputIssue
from ._validate import raise_if
from .models.events import Event

__all__ = ["OnError", "Overflow", "QueueOptions", "QueueStats"]

Overflow = Literal["block", "drop_new", "raise"]
OnError = Callable[[list[Event], BaseException], None]


@attrs.frozen
class QueueStats:
    """A snapshot of an event queue's counters (see :class:`EventQueue`)."""

    tracked: int
    queued: int
    in_flight: int
    sent: int
    failed: int
    dropped: int


@attrs.frozen
class QueueOptions:
    """An event queue's checked options (see ``events.queue``)."""

    max_queue: int
    overflow: Overflow
    batch_size: int
    interval: float
    concurrency: int
    on_error: OnError | None
    resend_ambiguous: bool
    exit_timeout: float

    @classmethod
    def checked(
        cls,
        max_queue: int,
        overflow: Overflow,
        batch_size: int,
        interval: float | timedelta,
        concurrency: int,
        on_error: OnError | None,
        resend_ambiguous: bool,
        exit_timeout: float | timedelta,
        *,
        max_batch: int,
    ) -> QueueOptions:
        """Check the options. Raises ValidationError listing every bad one."""
        issues: list[InputIssue] = []
        if not isinstance(max_queue, int) or max_queue < 1:
            issues.append(InputIssue("max_queue", "must be a positive integer"))
        if overflow not in ("block", "drop_new", "raise"):
            issues.append(InputIssue("overflow", "must be 'block', 'drop_new' or 'raise'"))
        if not isinstance(batch_size, int) or not 1 <= batch_size <= max_batch:
            issues.append(InputIssue("batch_size", f"must be an integer from 1 to {max_batch}"))
        if not isinstance(concurrency, int) or concurrency < 1:
            issues.append(InputIssue("concurrency", "must be a positive integer"))
        if on_error is not None and not callable(on_error):
            issues.append(InputIssue("on_error", "must be callable"))
        wait, exit_wait = seconds(interval), seconds(exit_timeout)
        if not wait > 0:
            issues.append(InputIssue("interval", "must be a positive number of seconds"))
        if not exit_wait >= 0:
            issues.append(InputIssue("exit_timeout", "must not be negative"))
        raise_if(issues)
        return cls(
            max_queue,
            overflow,
            batch_size,
            wait,
            concurrency,
            on_error,
            resend_ambiguous,
            exit_wait,
        )
