"""The loop thread: one daemon thread running an event loop behind an anyio blocking portal."""

from __future__ import annotations

import contextlib
import functools
import os
import threading
from collections.abc import Awaitable, Callable
from concurrent.futures import Future, wait
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
        self._portal: BlockingPortal | None = None
        self._thread: threading.Thread | None = None
        self._pid: int | None = None
        # Bumped whenever a new loop starts (after fork) so owners rebuild loop-bound state.
        self.generation = 0

    @property
    def thread(self) -> threading.Thread | None:
        """The loop thread, while it runs."""
        return self._thread

    def _start(self) -> BlockingPortal:
        ready: Future[BlockingPortal] = Future()

        async def serve() -> None:
            async with BlockingPortal() as portal:
                ready.set_result(portal)
                await portal.sleep_until_stopped()

        def main() -> None:
            try:
                anyio.run(serve, backend="asyncio")
            except BaseException as exc:  # pragma: no cover - start-up failure
                if not ready.done():
                    ready.set_exception(exc)

        thread = threading.Thread(target=main, name=self._name, daemon=True)
        thread.start()
        portal = ready.result()
        self._thread = thread
        self._portal = portal
        self._pid = os.getpid()
        self.generation += 1
        return portal

    def portal(self) -> BlockingPortal:
        """Return the running portal, starting the loop thread if needed."""
        portal = self._portal
        if portal is not None and self._pid == os.getpid():
            return portal
        with self._lock:
            if self._portal is not None and self._pid != os.getpid():
                # After fork() the loop thread does not exist in this process: forget it.
                self._portal = None
                self._thread = None
            if self._portal is None:
                return self._start()
            return self._portal

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
        return self.portal().start_task_soon(functools.partial(fn, *args, **kwargs))

    def run(self, fn: Callable[..., Awaitable[T]], *args: Any, **kwargs: Any) -> T:
        """Run ``fn(*args, **kwargs)`` on the loop and wait for its result.

        An exception in the caller while waiting (Ctrl-C) cancels the coroutine.
        """
        future = self.start(fn, *args, **kwargs)
        try:
            # Wait in slices so a Ctrl-C in the caller is noticed promptly: an untimed
            # wait is not woken by it. (Not result(timeout=...): its TimeoutError is the
            # builtin one, which RequestTimeoutError also is.)
            while not wait([future], timeout=WAIT_SLICE).done:
                pass
            return future.result()
        except BaseException:
            future.cancel()
            raise

    def stop(self) -> None:
        """Stop the loop and join its thread (idempotent)."""
        with self._lock:
            portal, thread = self._portal, self._thread
            self._portal = self._thread = None
            if portal is None or thread is None or self._pid != os.getpid():
                return
        if threading.get_ident() == thread.ident:
            raise RuntimeError("cannot close a bento_sync client from its own loop thread")
        with contextlib.suppress(RuntimeError):  # the loop is already gone
            portal.call(portal.stop, True)
        thread.join(_JOIN_TIMEOUT)
