"""The loop thread: one daemon thread running an event loop behind an anyio blocking portal.

The portal owns the loop's lifetime (start, stop, cancelling what is left). A call is
handed to the loop with one ``call_soon_threadsafe``; the loop runs it as one Task whose
coroutine stores the outcome and releases a lock the caller waits on. That is a third of
what ``asyncio.run_coroutine_threadsafe`` costs (a wrapper Task, a chained
``concurrent.futures.Future``, a Condition entered six times per call), which the sync
benchmarks showed as a quarter of a sequential call. ``start`` keeps the Future form for the
bulk calls, which need one to cancel and wait on.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
from collections.abc import Awaitable, Callable
from concurrent.futures import Future
from typing import Any, Generic, TypeVar

import anyio
from anyio.from_thread import BlockingPortal

__all__ = ["LoopThread", "WAIT_SLICE"]

T = TypeVar("T")

_JOIN_TIMEOUT = 10.0
_REENTRY = (
    "a bento_sync client was called from its own event-loop thread (from a hook "
    "or callback?); use the AsyncBento client there instead"
)
_CLOSED = "this Bento client was closed during the call"
WAIT_SLICE = 0.1  # seconds; how often a waiting caller checks for Ctrl-C


class LoopThread:
    """Runs coroutines on a private event loop thread, started lazily, rebuilt after fork.

    Safe to use from many threads at once. A call made from the loop thread
    itself (a hook or callback calling back into the sync client) raises
    RuntimeError instead of deadlocking.
    """

    def __init__(self, name: str = "bento-sync") -> None:
        self._name = name
        self._lock = threading.Lock()
        # The portal and its loop, set and cleared together so readers need no lock.
        self._running: tuple[BlockingPortal, asyncio.AbstractEventLoop] | None = None
        self._thread: threading.Thread | None = None
        self._pid: int | None = None
        # Bumped whenever a new loop starts (after fork) so owners rebuild loop-bound state.
        self.generation = 0

    @property
    def thread(self) -> threading.Thread | None:
        """The loop thread, while it runs."""
        return self._thread

    def _start(self) -> tuple[BlockingPortal, asyncio.AbstractEventLoop]:
        ready: Future[tuple[BlockingPortal, asyncio.AbstractEventLoop]] = Future()

        async def serve() -> None:
            async with BlockingPortal() as portal:
                ready.set_result((portal, asyncio.get_running_loop()))
                await portal.sleep_until_stopped()

        def main() -> None:
            try:
                anyio.run(serve, backend="asyncio")
            except BaseException as exc:  # pragma: no cover - start-up failure
                if not ready.done():
                    ready.set_exception(exc)

        thread = threading.Thread(target=main, name=self._name, daemon=True)
        thread.start()
        running = ready.result()
        self._thread = thread
        self._running = running
        self._pid = os.getpid()
        self.generation += 1
        return running

    def _ensure(self) -> tuple[BlockingPortal, asyncio.AbstractEventLoop]:
        running = self._running
        if running is not None and self._pid == os.getpid():
            return running
        with self._lock:
            if self._running is not None and self._pid != os.getpid():
                # After fork() the loop thread does not exist in this process: forget it.
                self._running = None
                self._thread = None
            if self._running is None:
                return self._start()
            return self._running

    def in_loop_thread(self) -> bool:
        """Whether the caller runs on the loop thread."""
        thread = self._thread
        return thread is not None and threading.get_ident() == thread.ident

    def start(self, fn: Callable[..., Awaitable[T]], *args: Any, **kwargs: Any) -> Future[T]:
        """Start ``fn(*args, **kwargs)`` on the loop and return its future without waiting.

        Cancelling the future cancels the coroutine.
        """
        if self.in_loop_thread():
            raise RuntimeError(_REENTRY)
        _, loop = self._ensure()
        return asyncio.run_coroutine_threadsafe(_invoke(fn, args, kwargs), loop)

    def run(self, fn: Callable[..., Awaitable[T]], *args: Any, **kwargs: Any) -> T:
        """Run ``fn(*args, **kwargs)`` on the loop and wait for its result.

        An exception in the caller while waiting (Ctrl-C) cancels the coroutine.

        Raises RuntimeError when called from the loop thread, or when the client is
        closed before the call ends.
        """
        if self.in_loop_thread():
            raise RuntimeError(_REENTRY)
        _, loop = self._ensure()
        call: _Call[T] = _Call()
        loop.call_soon_threadsafe(call.begin, fn, args, kwargs)
        try:
            return call.wait(self._thread)
        except BaseException:
            with contextlib.suppress(RuntimeError):  # the loop is already closed
                loop.call_soon_threadsafe(call.cancel)
            raise

    def stop(self) -> None:
        """Stop the loop and join its thread (idempotent)."""
        with self._lock:
            running, thread = self._running, self._thread
            self._running = self._thread = None
            if running is None or thread is None or self._pid != os.getpid():
                return
        portal = running[0]
        if threading.get_ident() == thread.ident:
            raise RuntimeError("cannot close a bento_sync client from its own loop thread")
        with contextlib.suppress(RuntimeError):  # the loop is already gone
            portal.call(portal.stop, True)
        thread.join(_JOIN_TIMEOUT)


async def _invoke(fn: Callable[..., Awaitable[T]], args: Any, kwargs: Any) -> T:
    # Calls fn on the loop thread, where the client and everything loop-bound live.
    return await fn(*args, **kwargs)


class _Call(Generic[T]):
    """One call handed to the loop: its outcome, and a lock held until the outcome is in."""

    __slots__ = ("_done", "_error", "_result", "_task")

    def __init__(self) -> None:
        self._done = threading.Lock()
        self._done.acquire()
        self._result: T | None = None
        self._error: BaseException | None = None
        self._task: asyncio.Task[None] | None = None

    def begin(self, fn: Callable[..., Awaitable[T]], args: Any, kwargs: Any) -> None:
        """Start the call (on the loop thread, where the client lives)."""
        self._task = asyncio.ensure_future(self._drive(fn, args, kwargs))

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
        finally:
            self._done.release()

    def cancel(self) -> None:
        """Cancel the call (on the loop thread)."""
        if self._task is not None:
            self._task.cancel()

    def wait(self, thread: threading.Thread | None) -> T:
        """Wait for the outcome in slices, so a Ctrl-C in the caller is noticed promptly.

        Raises what the call raised, or RuntimeError when the loop thread ended (the
        client was closed) before the call did.
        """
        while not self._done.acquire(timeout=WAIT_SLICE):
            if thread is None or not thread.is_alive():
                if self._done.acquire(blocking=False):
                    break
                raise RuntimeError(_CLOSED)
        error, self._error = self._error, None  # no cycle through the traceback
        if error is not None:
            if isinstance(error, asyncio.CancelledError):
                raise RuntimeError(_CLOSED) from None
            raise error
        return self._result  # type: ignore[return-value]
