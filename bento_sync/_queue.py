"""The sync face of the background event queue: a thread bridge to ``bento_async.EventQueue``.

The queue itself (buffer, sender, accounting, fork and exit handling) lives in
``bento_async._queue``; its sender runs on this client's loop thread. ``track`` is
thread-safe there already, so it is called directly (no loop crossing); ``flush`` and
``close`` run on the client's loop. While a queue is open the client's loop thread drives
the loop, so its sender runs between calls. After ``fork()`` the client's loop
thread is rebuilt, and so is the queue on it (empty: the parent's events stay the
parent's).
"""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Callable
from datetime import timedelta
from types import TracebackType
from typing import TYPE_CHECKING, Concatenate, ParamSpec, TypeVar

from bento_async import AsyncBento, QueueStats
from bento_async import EventQueue as AsyncEventQueue

if TYPE_CHECKING:
    from ._client import Bento

__all__ = ["EventQueue"]

P = ParamSpec("P")
T = TypeVar("T")


def _direct(
    fn: Callable[Concatenate[AsyncEventQueue, P], T],
) -> Callable[Concatenate[EventQueue, P], T]:
    """Call the async queue's thread-safe method ``fn`` in the caller's thread."""

    def call(self: EventQueue, /, *args: P.args, **kwargs: P.kwargs) -> T:
        return fn(self._current(), *args, **kwargs)

    functools.update_wrapper(call, fn)
    return call


class EventQueue:
    """A background event queue of a sync :class:`~bento_sync.Bento` (see
    :class:`bento_async.EventQueue`): ``track`` returns at once from any thread; ``on_error``
    runs on the client's loop thread (use the sync client from another thread). Use
    ``with bento.events.queue() as queue:`` or call :meth:`close`.
    """

    def __init__(self, bento: Bento, build: Callable[[AsyncBento], AsyncEventQueue]) -> None:
        self._bento = bento
        self._build = build
        self._lock = threading.Lock()
        self._generation = -1
        self._held = False  # whether this queue keeps the client's loop thread driving
        self._pid = os.getpid()
        self._queue: AsyncEventQueue | None = None
        self._current()  # build now, so a bad option raises here

    def _current(self) -> AsyncEventQueue:
        """Return the async queue of the client's current loop (rebuilt after fork)."""
        loop = self._bento._loop_thread()
        queue = self._queue
        if queue is not None and self._pid == os.getpid() and self._generation == loop.generation:
            return queue
        with self._lock:
            if (
                self._queue is None
                or self._pid != os.getpid()
                or self._generation != loop.generation
            ):
                # Made on the client's loop (a new one in a forked child), which its
                # thread then drives until the queue closes: the sender runs between calls.
                self._queue = loop.run(self._make)
                self._generation, self._pid = loop.hold(), os.getpid()
                self._held = True
            return self._queue

    async def _make(self) -> AsyncEventQueue:
        return self._build(self._bento._async_client())

    def __repr__(self) -> str:
        return repr(self._current()).replace("<", "<sync ", 1)

    track = _direct(AsyncEventQueue.track)
    track_purchase = _direct(AsyncEventQueue.track_purchase)

    @property
    def stats(self) -> QueueStats:
        """Return the counters: tracked, queued, in flight, sent, failed and dropped."""
        if self._bento._root._closed and self._queue is not None:
            return self._queue.stats  # the last figures, after the client closed the queue
        return self._current().stats

    def flush(self, timeout: float | timedelta | None = None) -> bool:
        """Send everything queued so far; wait until sent or failed (False on timeout)."""
        queue = self._current()
        return self._bento._loop_thread().run(queue.flush, timeout)

    def close(self, timeout: float | timedelta | None = None) -> None:
        """Flush and stop the queue (see :meth:`bento_async.EventQueue.close`). Idempotent."""
        queue = self._queue
        if queue is not None and not self._bento._root._closed:
            loop = self._bento._loop_thread()
            try:
                loop.run(queue.close, timeout)
            finally:
                with self._lock:
                    held, self._held = self._held, False
                if held:
                    loop.release(self._generation)

    def __enter__(self) -> EventQueue:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
