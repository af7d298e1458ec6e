"""The sync client's event loop, and which thread drives it.

Everything loop-bound of a client (its session, limiter, event queue) lives on one
event loop. At most one thread runs that loop at a time; ``_driver`` (under ``_lock``)
says which:

- A call from a thread that runs no event loop of its own, made while nobody drives,
  drives the loop itself: it runs the call's coroutine there with
  ``run_until_complete``, with no thread crossing at all. That is the common case (one
  script, one Celery task, one request of a threaded web server at a time), and it
  costs little more than a sequential ``AsyncBento`` await.
- A call made while another thread drives, or from a thread whose own event loop is
  running (a Jupyter cell), is handed to the loop with one ``call_soon_threadsafe`` and
  waits on a lock that its task releases.
- When a calling driver's own call ends and work remains (other threads' calls, the
  event queue's sender, a bulk call fed from a thread, a task left running), it hands
  the loop to the client's loop thread, which drives until nothing remains, stays 2 ms
  more (threads calling in turn leave such gaps; without the stay the loop bounced
  between them and the thread, 16% slower with 8 threads), and then parks. The thread
  starts on the first hand-over.

So the loop moves between threads only while it is stopped, and a caller never waits
for a thread that is not running its call. A loop parked for a while first takes in the
I/O events and timers it missed (a pooled connection the server closed, aiohttp's own
idle-connection expiry) before the next call picks a connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
import time
import weakref
from collections.abc import Awaitable, Callable
from concurrent.futures import Future
from typing import Any, Generic, TypeVar

__all__ = ["LoopThread", "WAIT_SLICE"]

T = TypeVar("T")

_JOIN_TIMEOUT = 10.0
_REENTRY = (
    "a bento_sync client was called from its own event-loop thread (from a hook "
    "or callback?); use the AsyncBento client there instead"
)
_CLOSED = "this Bento client was closed during the call"
WAIT_SLICE = 0.1  # seconds; how often a waiting caller checks for Ctrl-C
_THREAD = -1  # the _driver value while the loop thread drives
_LINGER = 0.002  # seconds the loop thread stays after its work is done
_STALE = 0.05  # seconds parked after which the next driver first lets the loop catch up


_everyone: weakref.WeakSet[LoopThread] = weakref.WeakSet()


def _after_fork_in_child() -> None:
    # A thread of the parent may have held a lock at fork(); in the child no thread ever
    # will release it. The child gets fresh locks (and, on its first call, a fresh loop).
    for loop in list(_everyone):
        loop._lock = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


class LoopThread:
    """A client's event loop, driven by its callers or by a thread of its own.

    Safe to use from many threads at once. Rebuilt after ``fork()`` (``generation``
    counts the loops, so owners can rebuild loop-bound state). A call made while the
    loop runs on the calling thread (a hook or callback calling back into the sync
    client) raises RuntimeError instead of deadlocking.
    """

    def __init__(self, name: str = "bento-sync") -> None:
        self._name = name
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._pid: int | None = None
        self._driver: int | None = None  # a thread's ident, _THREAD, or None: parked
        self._pending = 0  # calls handed in and not yet ended
        self._holds = 0  # users that need the loop driven between calls
        self._closed = False
        self._wake = threading.Event()  # the loop thread was made the driver, or closing
        self._finished = threading.Event()  # the loop is closed
        self._nudge: asyncio.Event | None = None  # the loop thread's cue to look again
        self._driving: asyncio.Task[Any] | None = None  # the loop thread's own task
        self._parked_at = 0.0
        self._made = 0  # tasks made on the loop since the current driver took it
        self._ticking = False  # whether the loop has its Ctrl-C timer
        self.generation = 0
        _everyone.add(self)

    @property
    def thread(self) -> threading.Thread | None:
        """The loop thread, once a hand-over started it."""
        return self._thread

    @property
    def started(self) -> bool:
        """Whether this process has a loop (a call was made since start or fork)."""
        return self._loop is not None and self._pid == os.getpid()

    def _ensure(self) -> asyncio.AbstractEventLoop:
        loop = self._loop
        if loop is not None and self._pid == os.getpid():
            return loop
        with self._lock:
            if self._loop is None or self._pid != os.getpid():
                # First use, or a child after fork(): the parent's loop and thread are not
                # this process's to run or close.
                self._loop = asyncio.new_event_loop()
                self._loop.set_task_factory(self._make_task)
                self._ticking = False
                self._thread = None
                self._driver = None
                self._pending = self._holds = 0
                self._wake = threading.Event()
                self._finished = threading.Event()
                self._pid = os.getpid()
                self._parked_at = time.monotonic()
                self.generation += 1
            return self._loop

    def _make_task(
        self, loop: asyncio.AbstractEventLoop, coro: Any, **kwargs: Any
    ) -> asyncio.Task[Any]:
        # The loop's task factory: counts the tasks made, so that a driver whose call made
        # none but its own knows, without listing the loop's tasks, that none is left.
        self._made += 1
        return asyncio.Task(coro, loop=loop, **kwargs)

    def inside_loop(self) -> bool:
        """Whether the caller is running this loop now (inside one of its calls)."""
        loop = self._loop
        return loop is not None and asyncio._get_running_loop() is loop

    def run(self, fn: Callable[..., Awaitable[T]], *args: Any, **kwargs: Any) -> T:
        """Run ``fn(*args, **kwargs)`` on the loop and wait for its result.

        An exception in the caller while waiting (Ctrl-C) cancels the coroutine.

        Raises RuntimeError when called from inside the loop, or when the client is
        closed before the call ends.
        """
        running = asyncio._get_running_loop()
        loop = self._ensure()
        if running is loop:
            raise RuntimeError(_REENTRY)
        with self._lock:
            if self._closed:
                raise RuntimeError(_CLOSED)
            self._pending += 1
            lead = running is None and self._driver is None
            if lead:
                self._driver = threading.get_ident()
            elif self._driver is None:
                self._hand_to_thread()  # a thread with a loop of its own cannot drive ours
        if lead:
            return self._lead(loop, fn, args, kwargs)
        call: _Call[T] = _Call(self._ended)
        try:
            loop.call_soon_threadsafe(call.begin, fn, args, kwargs)
        except RuntimeError:  # the loop closed since
            raise RuntimeError(_CLOSED) from None
        try:
            return call.wait(self._finished)
        except BaseException:
            with contextlib.suppress(RuntimeError):  # the loop is already closed
                loop.call_soon_threadsafe(call.cancel)
            raise

    def _lead(
        self,
        loop: asyncio.AbstractEventLoop,
        fn: Callable[..., Awaitable[T]],
        args: Any,
        kwargs: Any,
    ) -> T:
        """Drive the loop on this thread until this call ends, then let it go."""
        task: asyncio.Future[T] | None = None
        if not self._ticking and threading.current_thread() is threading.main_thread():
            # On the main thread a signal that does not interrupt the loop's wait for I/O
            # (_thread.interrupt_main, say) must still be noticed within a slice: a timer
            # wakes the loop every slice while it runs (one for the loop's life).
            self._ticking = True
            _tick(loop)
        self._made = 0
        try:
            if time.monotonic() - self._parked_at > _STALE:
                loop.run_until_complete(_catch_up())
            task = asyncio.ensure_future(fn(*args, **kwargs), loop=loop)
            task.add_done_callback(self._ended)
            return loop.run_until_complete(task)
        except asyncio.CancelledError:  # only close() cancels a call
            raise RuntimeError(_CLOSED) from None
        except BaseException:
            if task is not None:
                if not task.done():
                    task.cancel()  # interrupted (Ctrl-C): the loop thread ends it
                elif not task.cancelled():
                    task.exception()  # raised here already; not "never retrieved"
            raise
        finally:
            if task is None:
                self._ended()
            self._let_go(loop)

    def _let_go(self, loop: asyncio.AbstractEventLoop) -> None:
        """Leave the loop to its thread when work remains, else park it (or close it)."""
        busy = self._made > 1 and _has_tasks(loop)  # a task besides the call's own
        with self._lock:
            if self._closed:
                self._driver = threading.get_ident()
            elif busy or self._pending or self._holds:
                self._hand_to_thread()
                return
            else:
                self._driver = None
                self._parked_at = time.monotonic()
                return
        self._close_loop(loop)

    def _hand_to_thread(self) -> None:
        """Make the loop thread the driver, starting it first if need be (lock held)."""
        self._driver = _THREAD
        if self._thread is None:
            loop = self._loop
            assert loop is not None
            self._thread = threading.Thread(
                target=self._serve, args=(loop, self._wake), name=self._name, daemon=True
            )
            self._thread.start()
        self._wake.set()

    def _ended(self, _: object = None) -> None:
        """Count a call as ended; cue the loop thread when that left nothing to do."""
        with self._lock:
            self._pending -= 1
            idle = not self._pending and not self._holds
        if idle and self._nudge is not None:
            self._nudge.set()

    def hold(self, *, settled: bool = True) -> int:
        """Keep the loop driven between calls (by its thread) until :meth:`release`.

        With ``settled``, return only once the loop runs (so code that checks
        ``loop.is_running()``, like the event queue's exit flush, finds it running).
        Returns the loop's generation, to give back to :meth:`release`.
        """
        self._ensure()
        with self._lock:
            self._holds += 1
            if self._driver is None:
                self._hand_to_thread()
            generation = self.generation
        if settled:
            self.run(asyncio.sleep, 0)  # a call handed over: the loop thread runs it
        return generation

    def release(self, generation: int) -> None:
        """Give back a :meth:`hold` taken on loop ``generation`` (one of a gone loop: no-op)."""
        with self._lock:
            if generation != self.generation or self._pid != os.getpid() or not self._holds:
                return
            self._holds -= 1
            loop, nudge = self._loop, self._nudge
        if loop is not None and nudge is not None:
            with contextlib.suppress(RuntimeError):  # closed since
                loop.call_soon_threadsafe(nudge.set)

    def start(self, fn: Callable[..., Awaitable[T]], *args: Any, **kwargs: Any) -> Future[T]:
        """Start ``fn(*args, **kwargs)`` on the loop and return its future without waiting.

        The loop thread drives until the future is done. Cancelling the future cancels
        the coroutine.
        """
        if self.inside_loop():
            raise RuntimeError(_REENTRY)
        loop = self._ensure()
        generation = self.hold(settled=False)
        future = asyncio.run_coroutine_threadsafe(_invoke(fn, args, kwargs), loop)
        future.add_done_callback(lambda _: self.release(generation))
        return future

    def _serve(self, loop: asyncio.AbstractEventLoop, wake: threading.Event) -> None:
        """The loop thread: drive whenever made the driver; close the loop at the end."""
        while True:
            wake.wait()
            wake.clear()
            with self._lock:
                if self._loop is not loop:  # the loop of a process before fork()
                    return
                if self._driver != _THREAD:
                    if self._closed:
                        return
                    continue
            while True:
                self._driving = loop.create_task(self._drive())
                with contextlib.suppress(asyncio.CancelledError):
                    loop.run_until_complete(self._driving)
                self._driving = None
                busy = _has_tasks(loop)
                with self._lock:
                    if self._closed:
                        break
                    if not (busy or self._pending or self._holds):
                        self._driver = None
                        self._parked_at = time.monotonic()
                        break
            if self._closed:
                self._close_loop(loop)
                return

    async def _drive(self) -> None:
        """Run the loop until no call, hold or task is left (or the client closes)."""
        nudge = self._nudge = asyncio.Event()
        me = asyncio.current_task()
        lingered = False
        try:
            while not self._closed:
                with self._lock:
                    idle = not self._pending and not self._holds
                if not idle:
                    lingered = False
                    nudge.clear()
                    await nudge.wait()
                    continue
                others = [task for task in asyncio.all_tasks() if task is not me]
                if not others:
                    if lingered:
                        return
                    # Threads that call in turn leave gaps with nothing in flight: stay a
                    # moment, so the loop does not bounce between them and this thread.
                    lingered = True
                    await asyncio.sleep(_LINGER)
                    continue
                lingered = False
                waiter = asyncio.ensure_future(nudge.wait())
                nudge.clear()
                await asyncio.wait([*others, waiter], return_when=asyncio.FIRST_COMPLETED)
                waiter.cancel()
        finally:
            self._nudge = None

    def stop(self) -> None:
        """Cancel what is left on the loop, close it and end its thread (idempotent)."""
        if self.inside_loop():
            raise RuntimeError("cannot close a bento_sync client from its own loop thread")
        with self._lock:
            loop = self._loop
            if loop is None or self._pid != os.getpid() or self._closed:
                self._closed = True
                return
            self._closed = True
            parked = self._driver is None and asyncio._get_running_loop() is None
            if parked:
                self._driver = threading.get_ident()
            elif self._driver is None:
                self._hand_to_thread()  # this thread runs a loop of its own: not here
            thread = self._thread
        if parked:
            self._close_loop(loop)
        else:
            # Whoever drives sees the client closed once its tasks end: cancel them.
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(self._abandon)
            self._finished.wait(_JOIN_TIMEOUT)
        if thread is not None:
            self._wake.set()  # a parked thread wakes, sees the client closed, and ends
            if thread is not threading.current_thread():
                thread.join(_JOIN_TIMEOUT)

    def _abandon(self) -> None:
        """Cancel every task on the loop but the loop thread's own (on the loop)."""
        for task in asyncio.all_tasks():
            if task is not self._driving:
                task.cancel()
        if self._nudge is not None:
            self._nudge.set()

    def _close_loop(self, loop: asyncio.AbstractEventLoop) -> None:
        """Cancel the loop's tasks, let them end, and close it (its driver, stopped)."""
        try:
            tasks = asyncio.all_tasks(loop)
            for task in tasks:
                task.cancel()
            if tasks:
                loop.run_until_complete(asyncio.wait(tasks, timeout=_JOIN_TIMEOUT))
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.run_until_complete(loop.shutdown_default_executor())
        finally:
            loop.close()
            self._finished.set()


def _has_tasks(loop: asyncio.AbstractEventLoop) -> bool:
    """Whether a task of the (stopped) ``loop`` is still unfinished."""
    return bool(asyncio.all_tasks(loop))


def _tick(loop: asyncio.AbstractEventLoop) -> None:
    """Wake ``loop`` every WAIT_SLICE while it runs (a parked loop's timer waits)."""
    loop.call_later(WAIT_SLICE, _tick, loop)


async def _catch_up() -> None:
    # Two turns of the loop: I/O events and due timers are taken in, then the callbacks
    # they scheduled (a closed connection's connection_lost) run.
    await asyncio.sleep(0)
    await asyncio.sleep(0)


async def _invoke(fn: Callable[..., Awaitable[T]], args: Any, kwargs: Any) -> T:
    # Calls fn on the loop, where the client and everything loop-bound live.
    return await fn(*args, **kwargs)


class _Call(Generic[T]):
    """One call handed to the loop: its outcome, and a lock held until the outcome is in."""

    __slots__ = ("_done", "_ended", "_error", "_result", "_task")

    def __init__(self, ended: Callable[[], None] | None = None) -> None:
        self._done = threading.Lock()
        self._done.acquire()
        self._ended = ended
        self._result: T | None = None
        self._error: BaseException | None = None
        self._task: asyncio.Task[None] | None = None

    def begin(self, fn: Callable[..., Awaitable[T]], args: Any, kwargs: Any) -> None:
        """Start the call (on the loop, where the client lives)."""
        self._task = asyncio.ensure_future(self._drive(fn, args, kwargs))
        self._task.add_done_callback(self._settle)

    async def _drive(self, fn: Callable[..., Awaitable[T]], args: Any, kwargs: Any) -> None:
        # fn is called here, not in begin: a task cancelled before its first step then
        # leaves no coroutine behind that was never awaited.
        try:
            self._result = await fn(*args, **kwargs)
        except Exception as exc:
            self._error = exc
        except BaseException as exc:  # cancelled, or the loop is stopping: let it go on
            self._error = exc
            raise

    def _settle(self, task: asyncio.Task[None]) -> None:
        if task.cancelled() and self._error is None:
            self._error = asyncio.CancelledError()  # cancelled before its first step
        self._done.release()
        if self._ended is not None:
            self._ended()

    def cancel(self) -> None:
        """Cancel the call (on the loop)."""
        if self._task is not None:
            self._task.cancel()

    def wait(self, closed: threading.Event) -> T:
        """Wait for the outcome in slices, so a Ctrl-C in the caller is noticed promptly.

        Raises what the call raised, or RuntimeError when the loop was closed (the
        client was closed) before the call ended.
        """
        while not self._done.acquire(timeout=WAIT_SLICE):
            if closed.is_set():
                if self._done.acquire(blocking=False):
                    break
                raise RuntimeError(_CLOSED)
        error, self._error = self._error, None  # no cycle through the traceback
        if error is not None:
            if isinstance(error, asyncio.CancelledError):
                raise RuntimeError(_CLOSED) from None
            raise error
        return self._result  # type: ignore[return-value]
