"""The loop thread: one daemon thread running an event loop behind an anyio blocking portal.

The portal owns the loop's lifetime (start, stop, cancelling what is left). Calls are handed
to the loop with ``asyncio.run_coroutine_threadsafe``: ``BlockingPortal.start_task_soon``
waits for the loop thread to acknowledge each task before returning, one more thread
round trip per call, which the sync benchmarks showed as a fifth of a sequential call.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import os
import threading
from collections.abc import Awaitable, Callable
from concurrent.futures import Future
from typing import Any, TypeVar

import anyio
from anyio.from_thread import BlockingPortal

__all__ = ["LoopThread", "WAIT_SLICE"]

T = TypeVar("T")

_JOIN_TIMEOUT = 10.0
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
            raise RuntimeError(
                "a bento_sync client was called from its own event-loop thread (from a hook "
                "or callback?); use the AsyncBento client there instead"
            )
        _, loop = self._ensure()
        return asyncio.run_coroutine_threadsafe(_invoke(fn, args, kwargs), loop)

    def run(self, fn: Callable[..., Awaitable[T]], *args: Any, **kwargs: Any) -> T:
        """Run ``fn(*args, **kwargs)`` on the loop and wait for its result.

        An exception in the caller while waiting (Ctrl-C) cancels the coroutine.
        """
        future = self.start(fn, *args, **kwargs)
        try:
            return _result(future, self._thread)
        except BaseException:
            future.cancel()
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


def _result(future: Future[T], thread: threading.Thread | None) -> T:
    """Wait for ``future`` in slices, so a Ctrl-C in the caller is noticed promptly.

    An untimed wait is not woken by Ctrl-C everywhere (Windows). A slice that runs out
    raises TimeoutError, as does a call that timed out (RequestTimeoutError is a
    TimeoutError): only a future still pending means the slice ran out.

    Raises RuntimeError when the loop thread ended (the client was closed) before the
    call could run.
    """
    while True:
        try:
            return future.result(WAIT_SLICE)
        except concurrent.futures.TimeoutError:
            if future.done():
                return future.result()
            if thread is None or not thread.is_alive():
                raise RuntimeError("this Bento client was closed during the call") from None
