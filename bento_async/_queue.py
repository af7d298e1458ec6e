"""The background event queue: ``track()`` returns at once; a sender task delivers batches.

Threads. ``track`` and ``track_purchase`` may be called from any thread: they check the
event, append it to a buffer under a ``threading`` lock and, only when the buffer just
became non-empty or just filled a batch, wake the sender with one
``call_soon_threadsafe``. The sender is a task on the event loop the queue is bound to (the
running loop where it was made or first used; for ``bento_sync`` the client's loop thread).
It sends ``batch/events`` requests of up to ``batch_size`` events, ``concurrency`` at most
at once, through the client's single send path (its limits, retries and errors).

Accounting. Every event that passed ``track``'s checks ends in exactly one counter:
``sent``, ``failed`` (handed to ``on_error`` with the error) or ``dropped`` (overflow with
``drop_new``); ``queued`` and ``in_flight`` hold the rest. So after :meth:`close`,
``sent + failed + dropped == tracked``.

Fork. A child process starts with an empty queue, zero counters and no sender (a new one
starts on the child's loop); the parent's events stay the parent's.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import inspect
import logging
import os
import threading
import time
import weakref
from collections import deque
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Concatenate, ParamSpec

from ._config import seconds
from ._errors import InputIssue, QueueFullError, UndeliveredError
from ._queue_options import QueueOptions, QueueStats
from ._validate import raise_if
from .models import BatchResult
from .models.events import Event

__all__ = ["EventQueue"]

log = logging.getLogger("bento_async.queue")

P = ParamSpec("P")
Post = Callable[[list[Event], bool], Awaitable[BatchResult]]
Check = Callable[[Event, str, list[InputIssue]], "Event | None"]

_WARN_EVERY = 10.0  # seconds between two "dropped" warnings of one queue


def _enqueue(
    name: str, build: Callable[P, Event], doc: str
) -> Callable[Concatenate[EventQueue, P], None]:
    """Return the method ``name``: it takes ``build``'s parameters, builds the event and
    queues it (one list of parameters for ``events.track`` and the queue's ``track``)."""

    def put(self: EventQueue, /, *args: P.args, **kwargs: P.kwargs) -> None:
        self._put(build(*args, **kwargs))

    built = inspect.signature(build)
    this = inspect.Parameter("self", inspect.Parameter.POSITIONAL_ONLY)
    put.__signature__ = built.replace(  # type: ignore[attr-defined]
        parameters=[this, *built.parameters.values()], return_annotation=None
    )
    put.__name__, put.__qualname__, put.__doc__ = name, f"EventQueue.{name}", doc
    return put


class EventQueue:
    """Track events in the background: ``track`` returns at once, batches go out later.

    Made by ``bento.events.queue(...)``. ``track``/``track_purchase`` check the event in
    the caller (raising ValidationError) and queue it; a sender on the client's event loop
    posts ``batch/events`` requests when a batch fills or ``interval`` after the first
    waiting event. At most ``max_queue`` events wait; past that ``overflow`` decides:
    ``block`` the caller until there is room, ``drop_new`` (count it and log a WARNING) or
    ``raise`` QueueFullError. Events are not re-sent after an ambiguous failure (they fire
    automations; purchases excepted) unless ``resend_ambiguous``. Every event finally not
    sent reaches ``on_error(events, error)`` (on the event loop thread; its exceptions are
    logged) and the ``failed`` counter. :meth:`flush` waits for what is queued,
    :meth:`close` flushes and stops; queues left open are closed at interpreter exit,
    waiting at most ``exit_timeout`` seconds.
    """

    def __init__(self, post: Post, check: Check, options: QueueOptions) -> None:
        self._post = post
        self._check = check
        self._opts = options
        self._on_error = options.on_error
        self._reset()
        with contextlib.suppress(RuntimeError):  # no loop yet: bound by the first use
            self._bind(asyncio.get_running_loop())
        _register(self)

    def _reset(self) -> None:
        """Start empty: no events, no counters, no loop (also the state of a forked child)."""
        self._lock = threading.Lock()
        self._room = threading.Condition(self._lock)
        self._buffer: deque[Event] = deque()
        self._first_at = 0.0
        self._taken = 0  # events ever moved out of the buffer (the next event's number)
        self._in_flight: dict[int, int] = {}  # first event number of a batch -> its size
        self._in_flight_count = 0
        self._tracked = self._sent = self._failed = self._dropped = 0
        self._flush_to = 0
        self._closing = self._closed = False
        self._wake_pending = False
        self._warned_at = -_WARN_EVERY
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake: asyncio.Event | None = None
        self._sender: asyncio.Task[None] | None = None
        self._sends: set[asyncio.Task[None]] = set()
        self._waiters: list[tuple[int, asyncio.Future[None]]] = []

    def __repr__(self) -> str:
        s = self.stats
        return f"<EventQueue queued={s.queued} in_flight={s.in_flight} sent={s.sent}>"

    @property
    def stats(self) -> QueueStats:
        """Return the counters: tracked, queued, in flight, sent, failed and dropped."""
        with self._lock:
            return QueueStats(
                self._tracked,
                len(self._buffer),
                self._in_flight_count,
                self._sent,
                self._failed,
                self._dropped,
            )

    # -- the caller's side (any thread) ---------------------------------------------------

    track = _enqueue(
        "track",
        Event.custom,
        """Queue one event (the arguments of ``events.track``) and return at once.

        Raises ValidationError for bad input, QueueFullError when full (``raise``),
        RuntimeError once the queue is closed.
        """,
    )
    track_purchase = _enqueue(
        "track_purchase",
        Event.purchase,
        """Queue one ``$purchase`` (the arguments of ``events.track_purchase``).

        Raises as :meth:`track` does.
        """,
    )

    def _put(self, event: Event) -> None:
        issues: list[InputIssue] = []
        self._check(event, "event", issues)
        raise_if(issues)
        loop = self._loop or self._bind_running()
        if loop.is_closed():
            raise RuntimeError("the event loop of this event queue is closed")
        warn, wake = 0, False
        with self._lock:
            if self._closing:
                raise RuntimeError("this event queue is closed")
            full = len(self._buffer) >= self._opts.max_queue
            if full and self._opts.overflow == "drop_new":
                warn = self._drop()
            else:
                if full:
                    self._wait_for_room()
                wake = self._append(event)
        if warn:
            log.warning("bento event queue full: dropping new events (%d so far)", warn)
        if wake:
            loop.call_soon_threadsafe(self._wake_up)

    def _append(self, event: Event) -> bool:
        """Queue the event (lock held); True when the sender needs a wake-up call."""
        self._tracked += 1
        buffer = self._buffer
        buffer.append(event)
        size = len(buffer)
        if size == 1:
            self._first_at = time.monotonic()
        wake = (size == 1 or size == self._opts.batch_size) and not self._wake_pending
        if wake:
            self._wake_pending = True
        return wake

    def _drop(self) -> int:
        """Count a dropped event (lock held); return the drop count when a warning is due."""
        self._tracked += 1
        self._dropped += 1
        now = time.monotonic()
        if now - self._warned_at < _WARN_EVERY:
            return 0
        self._warned_at = now
        return self._dropped

    def _wait_for_room(self) -> None:
        """Apply ``raise`` or ``block`` to a full queue (lock held)."""
        policy = self._opts.overflow
        if policy == "raise" or asyncio._get_running_loop() is self._loop:
            raise QueueFullError(
                f"the event queue is full ({self._opts.max_queue} events)"
                + ("" if policy == "raise" else "; 'block' cannot wait on the loop that drains it")
            )
        while len(self._buffer) >= self._opts.max_queue:
            if self._closing:
                raise RuntimeError("this event queue is closed")
            self._room.wait()

    def _bind_running(self) -> asyncio.AbstractEventLoop:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            raise RuntimeError(
                "an AsyncBento event queue must first be used from its event loop "
                "(use bento_sync.Bento's queue from plain threads)"
            ) from None
        with self._lock:
            if self._loop is None:
                self._bind(loop)
            return self._loop  # type: ignore[return-value]

    def _bind(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._wake = asyncio.Event()

    # -- the loop's side ------------------------------------------------------------------

    def _wake_up(self) -> None:
        """Start the sender if needed and wake it (on the loop)."""
        if self._sender is None and not self._closed:
            self._sender = asyncio.get_running_loop().create_task(self._run())
        assert self._wake is not None
        self._wake.set()

    async def _run(self) -> None:
        slots = asyncio.Semaphore(self._opts.concurrency)
        try:
            while True:
                await slots.acquire()
                taken = await self._next_batch()
                if taken is None:
                    slots.release()
                    break
                task = asyncio.get_running_loop().create_task(self._deliver(*taken))
                self._sends.add(task)
                task.add_done_callback(self._sends.discard)
                task.add_done_callback(lambda _: slots.release())
        except asyncio.CancelledError:
            self._abandon("the event loop stopped before these events were sent")
            raise

    async def _next_batch(self) -> tuple[int, list[Event]] | None:
        """Wait for a batch that is due: full, old enough, or wanted by flush/close."""
        wake = self._wake
        assert wake is not None
        while True:
            with self._lock:
                self._wake_pending = False
                wake.clear()
                size = len(self._buffer)
                wait = self._first_at + self._opts.interval - time.monotonic()
                due = size >= self._opts.batch_size or (
                    size > 0 and (wait <= 0 or self._closing or self._taken < self._flush_to)
                )
                if due:
                    return self._take(self._opts.batch_size)
                if size == 0 and self._closing:
                    return None
            timer = asyncio.get_running_loop().call_later(wait, wake.set) if size else None
            try:
                await wake.wait()
            finally:
                if timer is not None:
                    timer.cancel()

    def _take(self, limit: int) -> tuple[int, list[Event]]:
        """Move up to ``limit`` events from the buffer into flight (lock held)."""
        buffer = self._buffer
        batch = [buffer.popleft() for _ in range(min(limit, len(buffer)))]
        start = self._taken
        self._taken += len(batch)
        self._in_flight[start] = len(batch)
        self._in_flight_count += len(batch)
        self._room.notify_all()
        return start, batch

    async def _deliver(self, start: int, batch: list[Event]) -> None:
        try:
            result = await self._post(batch, self._opts.resend_ambiguous)
        except asyncio.CancelledError:
            error = UndeliveredError(
                "the queue stopped while these events were being sent; they may have arrived",
                maybe_sent=True,
            )
            self._finish(start, batch, 0, error)
            raise
        except Exception as exc:
            self._finish(start, batch, 0, exc)
            return
        rejected = min(max(result.failed, 0), len(batch))
        if rejected:
            error = UndeliveredError(
                f"Bento rejected {rejected} of {len(batch)} events (it does not say which)",
                rejected=rejected,
            )
            self._finish(start, batch, len(batch) - rejected, error)
        else:
            self._finish(start, batch, len(batch), None)

    def _finish(
        self, start: int, batch: list[Event], sent: int, error: BaseException | None
    ) -> None:
        with self._lock:
            self._in_flight.pop(start, None)
            self._in_flight_count -= len(batch)
            self._sent += sent
            self._failed += len(batch) - sent
        if error is not None:
            self._report(batch, error)
        self._settle_waiters()

    def _report(self, events: list[Event], error: BaseException) -> None:
        """Hand undelivered events to ``on_error``; without one, log them."""
        if self._on_error is None:
            log.warning("bento event queue: %d events not delivered: %s", len(events), error)
            return
        try:
            self._on_error(events, error)
        except Exception:
            log.exception("bento event queue: the on_error callback failed")

    def _abandon(self, why: str) -> None:
        """Count and report every event still in the buffer as not sent."""
        with self._lock:
            if not self._buffer:
                return
            start, batch = self._take(len(self._buffer))
        self._finish(start, batch, 0, UndeliveredError(why))

    def _low_water(self) -> int:
        """Number of the oldest event not finished yet (lock held)."""
        return min(self._in_flight, default=self._taken)

    def _settle_waiters(self) -> None:
        with self._lock:
            low = self._low_water()
        still = []
        for target, future in self._waiters:
            if target <= low:
                if not future.done():
                    future.set_result(None)
            else:
                still.append((target, future))
        self._waiters = still

    async def flush(self, timeout: float | timedelta | None = None) -> bool:
        """Send everything queued so far now; wait until it is sent or failed.

        Returns False when ``timeout`` (seconds) ran out first. Raises RuntimeError when
        called from another event loop than the queue's.
        """
        loop = self._bind_running()
        if loop is not asyncio.get_running_loop():
            raise RuntimeError("flush this event queue from the event loop it sends on")
        with self._lock:
            target = self._taken + len(self._buffer)
            self._flush_to = max(self._flush_to, target)
            if self._low_water() >= target:
                return True
        future: asyncio.Future[None] = loop.create_future()
        self._waiters.append((target, future))
        self._wake_up()
        try:
            await asyncio.wait_for(future, None if timeout is None else seconds(timeout))
        except asyncio.TimeoutError:
            return False
        return True

    async def close(self, timeout: float | timedelta | None = None) -> None:
        """Stop taking events, flush, and stop the sender. Idempotent.

        After ``timeout`` seconds what is still in flight is cancelled and, like what was
        never sent, reported to ``on_error``.
        """
        with self._lock:
            if self._closed:
                return
            self._closing = True
            self._room.notify_all()
        try:
            if not await self.flush(timeout):
                for task in list(self._sends):
                    task.cancel()
                await asyncio.gather(*self._sends, return_exceptions=True)
                self._abandon("the queue was closed before these events were sent")
        finally:
            self._closed = True
            sender, self._sender = self._sender, None
            if sender is not None:
                self._wake_up()
                await asyncio.gather(sender, return_exceptions=True)

    def _close_at_exit(self) -> None:
        """Close from an ``atexit`` hook: flush on the loop's thread when it still runs."""
        loop = self._loop
        if self._closed or self._pid != os.getpid():
            return
        if loop is not None and loop.is_running() and asyncio._get_running_loop() is not loop:
            wait = self._opts.exit_timeout
            future = asyncio.run_coroutine_threadsafe(self.close(wait), loop)
            try:
                future.result(wait + 5.0)
                return
            except Exception:
                log.exception("bento event queue: flush at exit failed")
        self._abandon("the process exited before these events were sent")

    def _after_fork(self) -> None:
        self._reset()
        self._pid = os.getpid()


_live: weakref.WeakSet[EventQueue] = weakref.WeakSet()
_exit_hook_registered = False


def _register(queue: EventQueue) -> None:
    """Track a live queue; the first one registers the exit hook.

    Registered late on purpose: ``atexit`` runs hooks last-in first-out, so this one runs
    before the hook that closes the sync clients whose loops the queues send on.
    """
    global _exit_hook_registered
    queue._pid = os.getpid()
    _live.add(queue)
    if not _exit_hook_registered:
        _exit_hook_registered = True
        atexit.register(_close_all_at_exit)


def _close_all_at_exit() -> None:
    for queue in list(_live):
        queue._close_at_exit()


def _reset_in_child() -> None:
    for queue in list(_live):
        queue._after_fork()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_reset_in_child)
