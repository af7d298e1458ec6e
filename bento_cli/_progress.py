"""The progress display of bulk commands: a rich bar on a terminal, plain lines elsewhere.

Both show the records done (of the total when known), the pace, the counters of the
command (accepted, failed, invalid...) and the time left, estimated from the pace so far and
the rate limit of the endpoint family (see :func:`time_left`).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable, Mapping
from types import TracebackType

from rich.console import Console, RenderableType
from rich.progress import BarColumn, Progress, TaskID, TextColumn
from rich.text import Text

from bento_async import RateLimit

__all__ = ["ProgressDisplay", "describe_seconds", "time_left"]


def time_left(
    remaining: int, *, done: int, elapsed: float, chunk_size: int, limit: RateLimit | None
) -> float | None:
    """Estimate the seconds still needed: the slower of the pace so far and the limit's pace.

    The limit's pace assumes a fresh client: its burst of requests goes at once, and the
    bucket then refills at the limit's drain rate. None when there is nothing to go by yet.
    """
    if remaining <= 0:
        return 0.0
    estimates = []
    if done > 0 and elapsed > 0:
        estimates.append(remaining * elapsed / done)
    if limit is not None:
        sent_requests = math.ceil(done / chunk_size)
        left_requests = math.ceil(remaining / chunk_size)
        refilled = limit.burst - sent_requests + elapsed * limit.drain_rate
        tokens = min(float(limit.burst), max(0.0, refilled))
        estimates.append(max(0.0, left_requests - tokens) / limit.drain_rate)
    return max(estimates) if estimates else None


def describe_seconds(value: float | None) -> str:
    """Return a duration as people say it: ``2h 05m``, ``3m 20s``, ``12s``, ``<1s``, ``?``."""
    if value is None:
        return "?"
    if value < 1:
        return "<1s"
    whole = round(value)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h {minutes:02d}m"
    if minutes:
        return f"{minutes}m {secs:02d}s"
    return f"{secs}s"


class _TwoLineProgress(Progress):
    """A rich progress bar with the command's counters on a line of their own below it."""

    detail = ""

    def get_renderables(self) -> Iterable[RenderableType]:
        yield self.make_tasks_table(self.tasks)
        yield Text(f"  {self.detail}")


class ProgressDisplay:
    """Show how a bulk command is getting on; use it as a context manager.

    On a terminal it draws a rich progress bar; elsewhere (a pipe, a log file) it prints
    one line at most every ``interval`` seconds, and a last one at the end.
    """

    def __init__(
        self,
        console: Console,
        *,
        label: str,
        total: int | None,
        chunk_size: int,
        limit: RateLimit | None,
        unit: str = "records",
        interval: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
        auto_refresh: bool = True,
    ) -> None:
        self.console = console
        self.label = label
        self.total = total
        self.chunk_size = chunk_size
        self.limit = limit
        self.unit = unit
        self.interval = interval
        self._clock = clock
        self._start = clock()
        self._printed_at: float | None = None
        self.done = 0
        self.counters: dict[str, int] = {}
        self.waited = 0.0
        self._progress: _TwoLineProgress | None = None
        self._task = TaskID(0)
        self._finished = False
        if console.is_terminal:
            self._progress = _TwoLineProgress(
                TextColumn("[bold]{task.description}"),
                BarColumn(),
                TextColumn("{task.fields[status]}"),
                console=console,
                auto_refresh=auto_refresh,
                transient=False,
            )
            self._task = self._progress.add_task(label, total=total, status="")

    def __enter__(self) -> ProgressDisplay:
        self._start = self._clock()
        if self._progress is not None:
            self._progress.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.finish()

    def elapsed(self) -> float:
        """Seconds since the display started."""
        return self._clock() - self._start

    def estimate(self) -> float | None:
        """Seconds still needed by :func:`time_left`, or None when the total is unknown."""
        if self.total is None:
            return None
        return time_left(
            self.total - self.done,
            done=self.done,
            elapsed=self.elapsed(),
            chunk_size=self.chunk_size,
            limit=self.limit,
        )

    def pace(self, *, short: bool = False) -> str:
        """Return the work done (of the total when known), the pace and the time left."""
        done = f"{self.done:,}" if self.total is None else f"{self.done:,}/{self.total:,}"
        elapsed = self.elapsed()
        unit = "" if short else f" {self.unit}"
        pace = f"{self.done / elapsed:,.0f}{unit}/s" if elapsed > 0 and self.done else "-"
        one = self.total is None and self.done == 1  # "1 record", not "1 records"
        parts = [f"{done}{unit.removesuffix('s') if one else unit}", pace]
        if self.total is not None:
            parts.append(f"{describe_seconds(self.estimate())} left")
        return " · ".join(parts)

    def detail(self) -> str:
        """Return the command's counters, and the time spent waiting for the rate limit."""
        parts = [f"{name} {count:,}" for name, count in self.counters.items()]
        if self.waited >= 1:
            parts.append(f"rate-limit waits {describe_seconds(self.waited)}")
        return " · ".join(parts)

    def status(self) -> str:
        """Return everything on one line: pace, time left and counters."""
        return " · ".join(part for part in (self.pace(), self.detail()) if part)

    def update(self, done: int, counters: Mapping[str, int], *, waited: float = 0.0) -> None:
        """Show new counts: ``done`` records finished with, ``waited`` seconds of rate-limit
        waits so far (summed over requests)."""
        self.done = done
        self.counters = dict(counters)
        self.waited = waited
        if self._progress is not None:
            self._redraw()
            return
        now = self._clock()
        if self._printed_at is None or now - self._printed_at >= self.interval:
            self._print_line()

    def _redraw(self) -> None:
        assert self._progress is not None
        self._progress.detail = self.detail()
        self._progress.update(self._task, completed=self.done, status=self.pace(short=True))

    def _print_line(self) -> None:
        self._printed_at = self._clock()
        self.console.print(f"{self.label}: {self.status()}", highlight=False, soft_wrap=True)

    def finish(self) -> None:
        """Draw the final state once (called on leaving the context)."""
        if self._finished:
            return
        self._finished = True
        if self._progress is not None:
            self._redraw()
            self._progress.refresh()
            self._progress.stop()
        else:
            self._print_line()
