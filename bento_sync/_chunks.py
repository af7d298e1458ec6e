"""Shuttles for the bulk methods of the sync client: the one place bento_sync holds
behaviour of its own.

Everything else on the sync side forwards a call and waits. Bulk calls cannot: their
input is the caller's iterable (a CSV reader, a generator over a database cursor) and
their ``on_progress`` callback is the caller's code, and neither may run on the loop
thread, where a blocking read would stall every other call of the client and a callback
calling back into the client would deadlock. So the caller's thread reads the iterable
and hands the loop one chunk at a time, lookups come back a batch at a time, callbacks
run in the caller's thread, and Ctrl-C there is turned into a stop between chunks
(BulkInterruptedError with the partial result). Chunking, checking and counting still
happen in bento_async's bulk engine: this module only moves lists across the thread
boundary and decides when to stop feeding.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import itertools
import threading
import weakref
from collections.abc import AsyncIterator, Callable, Coroutine, Iterable, Iterator
from concurrent.futures import Future, wait
from typing import Any, TypeVar

from bento_async import BulkCancelledError, BulkInterruptedError, BulkProgress, BulkResult
from bento_async._bulk import RecordBatches, StopBulk

from ._loop import WAIT_SLICE, LoopThread

__all__ = ["Feed", "Outbox", "run_chunked", "stream_chunked"]

T = TypeVar("T")
Start = Callable[["Feed"], Coroutine[Any, Any, T]]


class Feed(RecordBatches):
    """Chunks handed from the caller's thread to a bulk call on the loop.

    It holds at most one chunk the loop has not taken: ``put`` waits for the
    previous one to be taken. ``stop`` makes the bulk call end between chunks
    (StopBulk, with every record not yet taken); ``abort`` cancels it.
    """

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._chunks: collections.deque[list[Any]] = collections.deque()
        self._taken: list[Any] | None = None  # the chunk the loop took last
        self._closed = False
        self._stop: list[Any] | None = None
        self._ended = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake: asyncio.Event | None = None
        self._engine: asyncio.Future[Any] | None = None
        self._asked = False  # the call has asked for a chunk (its arguments were fine)
        self.aborted = False
        self.progress: BulkProgress | None = None

    # -- called from the caller's thread ----------------------------------------------------

    def ready(self) -> bool:
        """Wait until the call asks for its first chunk; False if it ended first."""
        with self._cond:
            while not self._asked and not self._ended:
                self._cond.wait(WAIT_SLICE)
            return not self._ended

    def wait_started(self, future: Future[Any]) -> None:
        """Wait until the call has started (or failed: raise its error)."""
        with self._cond:
            while not self._asked and not future.done():
                self._cond.wait(WAIT_SLICE)
        if future.done():
            future.result()

    def put(self, chunk: list[Any]) -> bool:
        """Hand over a chunk once the previous one was taken; False if the call has ended."""
        with self._cond:
            while self._chunks and not self._ended:
                self._cond.wait(WAIT_SLICE)
            if self._ended:
                return False
            self._chunks.append(chunk)
        self._notify()
        return True

    def close(self) -> None:
        """Say that no more chunks will come."""
        with self._cond:
            self._closed = True
        self._notify()

    def stop(self, unsent: list[Any]) -> None:
        """End the call between chunks; ``unsent`` are records read but not handed over."""
        with self._cond:
            # A Ctrl-C just after put() handed a chunk over leaves it in both hands:
            # count it once, by what the feed holds or has given.
            handed = unsent is self._taken or any(c is unsent for c in self._chunks)
            self._stop = [] if handed else unsent
        self._notify()

    def abort(self) -> None:
        """Cancel the call (its chunks in flight too)."""
        with self._cond:
            self.aborted = True
            loop, engine = self._loop, self._engine
        if loop is not None and engine is not None:
            with contextlib.suppress(RuntimeError):  # the loop is already gone
                loop.call_soon_threadsafe(engine.cancel)

    def _notify(self) -> None:
        with self._cond:
            loop, wake = self._loop, self._wake
        if loop is not None and wake is not None:
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(wake.set)

    # -- called on the loop -------------------------------------------------------------------

    def attach(self, engine: asyncio.Future[Any]) -> None:
        """Remember the task running the call, so abort() can cancel it."""
        with self._cond:
            self._loop = asyncio.get_running_loop()
            self._wake = asyncio.Event()
            self._engine = engine
            if self.aborted:
                engine.cancel()

    def started(self) -> None:
        """Say that the call accepted its arguments (for calls that ask lazily)."""
        with self._cond:
            self._asked = True
            self._cond.notify_all()

    def note(self, progress: BulkProgress) -> None:
        """Keep the latest progress for the caller's thread to pass on."""
        self.progress = progress

    def end(self) -> None:
        """Say that the call has ended, releasing a caller waiting in put()."""
        with self._cond:
            self._ended = True
            self._cond.notify_all()

    async def __anext__(self) -> list[Any]:
        while True:
            with self._cond:
                if not self._asked:
                    self._asked = True
                    self._cond.notify_all()
                if self._stop is not None:
                    rest = [record for chunk in self._chunks for record in chunk]
                    rest.extend(self._stop)
                    self._chunks.clear()
                    self._stop = []
                    self._cond.notify_all()
                    raise StopBulk(rest)
                if self._chunks:
                    chunk = self._taken = self._chunks.popleft()
                    self._cond.notify_all()
                    return chunk
                if self._closed:
                    raise StopAsyncIteration
                assert self._wake is not None, "attach() first"
                self._wake.clear()
            await self._wake.wait()


async def _serve(feed: Feed, start: Start[T]) -> T:
    """Run the bulk call as a child task so abort() yields its partial result."""
    engine = asyncio.ensure_future(start(feed))
    feed.attach(engine)
    try:
        return await engine
    except asyncio.CancelledError as exc:
        # Python 3.10 re-raises a fresh CancelledError whose context is the bulk one.
        result = BulkCancelledError.result_of(exc)
        if feed.aborted and result is not None:
            return result  # type: ignore[return-value]  # only bulk writes abort
        raise
    finally:
        feed.end()


class _Relay:
    """Passes the latest progress to the caller's callback, in the caller's thread."""

    def __init__(self, feed: Feed, callback: Callable[[BulkProgress], object] | None) -> None:
        self._feed = feed
        self._callback = callback
        self._last: BulkProgress | None = None

    def __call__(self) -> None:
        progress = self._feed.progress
        if self._callback is not None and progress is not None and progress is not self._last:
            self._last = progress
            self._callback(progress)


def _wait(future: Future[T], relay: Callable[[], None] = lambda: None) -> T:
    """Wait for the call in slices (so Ctrl-C is noticed), passing progress on meanwhile."""
    while not wait([future], timeout=WAIT_SLICE).done:
        relay()
    relay()
    return future.result()


class _Reader:
    """Reads the caller's iterable in the caller's thread and hands it over ``size`` at a time.

    ``held`` is always exactly what was read and not handed over, even when
    Ctrl-C lands halfway.
    """

    def __init__(self, items: Iterable[Any], size: int, feed: Feed, relay: _Relay) -> None:
        self.items = items
        self.size = size
        self.feed = feed
        self.relay = relay
        self.held: list[Any] = []

    def pump(self) -> None:
        """Hand every item over; stop early if the call ends."""
        if not self.feed.ready():
            return
        for item in self.items:
            self.held.append(item)
            if len(self.held) >= self.size:
                if not self.feed.put(self.held):
                    return
                self.held = []
                self.relay()
        if self.held and self.feed.put(self.held):
            self.held = []
        self.feed.close()


def run_chunked(
    loop: LoopThread,
    start: Start[T],
    items: Iterable[Any],
    *,
    size: int,
    on_progress: Callable[[BulkProgress], object] | None = None,
    interruptible: bool = False,
) -> T:
    """Run a bulk call on the loop, feeding it ``items`` from this thread.

    With ``interruptible``, a first Ctrl-C ends the call between chunks and a
    second cancels its chunks in flight; either way BulkInterruptedError carries
    the partial result. Otherwise Ctrl-C cancels the call.
    """
    feed = Feed()
    relay = _Relay(feed, on_progress)
    future: Future[T] = loop.start(_serve, feed, start)
    reader = _Reader(items, size, feed, relay)
    try:
        try:
            reader.pump()
            return _wait(future, relay)
        except KeyboardInterrupt:
            if not interruptible:
                raise
            feed.stop(reader.held)
            try:
                result = _wait(future, relay)
            except KeyboardInterrupt:
                feed.abort()
                result = _wait(future)
            assert isinstance(result, BulkResult)
            raise BulkInterruptedError(result) from None
    except BaseException:
        future.cancel()
        raise


# -- lookups: outcomes come back a batch at a time ------------------------------------------


class Outbox:
    """Outcomes produced on the loop, taken by the caller's thread a batch at a time."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._items: list[Any] = []
        self._ended = False

    def put(self, item: Any) -> None:
        """Add one outcome (on the loop)."""
        with self._cond:
            self._items.append(item)
            self._cond.notify_all()

    def end(self) -> None:
        """Say that no more outcomes will come (on the loop)."""
        with self._cond:
            self._ended = True
            self._cond.notify_all()

    def take(self, *, block: bool) -> tuple[list[Any], bool]:
        """Return the outcomes ready (waiting for one if ``block``) and whether that is all."""
        with self._cond:
            while block and not self._items and not self._ended:
                self._cond.wait(WAIT_SLICE)
            items, self._items = self._items, []
            return items, self._ended and not self._items


async def _serve_stream(
    feed: Feed, outbox: Outbox, start: Callable[[Feed], AsyncIterator[T]]
) -> None:
    task = asyncio.current_task()
    assert task is not None
    feed.attach(task)
    try:
        stream = start(feed)
        feed.started()
        try:
            async for item in stream:
                outbox.put(item)
        finally:
            aclose = getattr(stream, "aclose", None)
            if aclose is not None:
                await aclose()
    finally:
        feed.end()
        outbox.end()


def stream_chunked(
    loop: LoopThread,
    start: Callable[[Feed], AsyncIterator[T]],
    items: Iterable[Any],
    *,
    size: int,
) -> Iterator[T]:
    """Start a streaming call on the loop and return an iterator of its outcomes.

    ``items`` are read here, ``size`` at a time, only as the caller iterates.
    Errors of the call's arguments are raised here; closing the iterator (or
    Ctrl-C while iterating) cancels the call.
    """
    feed, outbox = Feed(), Outbox()
    future = loop.start(_serve_stream, feed, outbox, start)
    try:
        feed.wait_started(future)
    except BaseException:
        future.cancel()
        raise
    iterator: Iterator[T] = _outcomes(future, feed, outbox, iter(items), size)
    weakref.finalize(iterator, future.cancel)  # dropped without being iterated
    return iterator


def _outcomes(
    future: Future[None], feed: Feed, outbox: Outbox, items: Iterator[Any], size: int
) -> Iterator[T]:
    try:
        more = True
        while True:
            if more:
                chunk = list(itertools.islice(items, size))
                if not chunk:
                    feed.close()
                more = bool(chunk) and feed.put(chunk)
            got, finished = outbox.take(block=not more)
            yield from got
            if finished:
                break
        _wait(future)
    finally:
        future.cancel()
