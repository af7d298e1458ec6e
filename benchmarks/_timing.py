"""Timing side by side: call rates, and runs that alternate between ours and the baseline."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Awaitable, Callable, Coroutine, Mapping, Sequence
from typing import Any, TypeVar

__all__ = [
    "EventLoop",
    "async_rate",
    "counting_cpu",
    "interleave",
    "ratios",
    "sync_rate",
    "threaded_rate",
]

T = TypeVar("T")


class EventLoop:
    """A private event loop that runs one coroutine at a time (``asyncio.Runner`` before 3.11).

    Use it as ``with EventLoop() as loop: loop.run(coro)``.
    """

    def __init__(self) -> None:
        self._loop = asyncio.new_event_loop()

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run ``coro`` to completion and return its result."""
        return self._loop.run_until_complete(coro)

    def __enter__(self) -> EventLoop:
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            self._loop.run_until_complete(self._loop.shutdown_asyncgens())
        finally:
            self._loop.close()


def interleave(runs: int, contenders: Mapping[str, Callable[[], float]]) -> dict[str, list[float]]:
    """Measure each contender once per run, in turn, and return every contender's figures.

    The starting contender rotates from run to run, so none always goes first and machine
    noise hits them all alike.
    """
    names = list(contenders)
    figures: dict[str, list[float]] = {name: [] for name in names}
    for run in range(runs):
        shift = run % len(names)
        for name in names[shift:] + names[:shift]:
            figures[name].append(contenders[name]())
    return figures


def counting_cpu(
    measure: Callable[[], float], calls: int, sink: list[float]
) -> Callable[[], float]:
    """Wrap a measurement of ``calls`` calls so it also records this process's CPU per call.

    The CPU time (microseconds per call, every thread of this process, not the server's)
    is steadier than the rate on a busy machine, and shows where a gap comes from.
    """

    def measured() -> float:
        start = time.process_time()
        rate = measure()
        sink.append((time.process_time() - start) / calls * 1e6)
        return rate

    return measured


def ratios(ours: Sequence[float], baseline: Sequence[float]) -> list[float]:
    """Return run-by-run ratios of two contenders measured by :func:`interleave`."""
    return [a / b for a, b in zip(ours, baseline, strict=True)]


async def async_rate(call: Callable[[], Awaitable[object]], total: int, concurrency: int) -> float:
    """Return calls per second of ``total`` calls made by ``concurrency`` tasks."""
    per_task = max(1, total // concurrency)

    async def worker() -> None:
        for _ in range(per_task):
            await call()

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return per_task * concurrency / (time.perf_counter() - start)


def sync_rate(call: Callable[[], object], total: int) -> float:
    """Return calls per second of ``total`` sequential calls."""
    start = time.perf_counter()
    for _ in range(total):
        call()
    return total / (time.perf_counter() - start)


def threaded_rate(call: Callable[[], object], total: int, threads: int) -> float:
    """Return calls per second of ``total`` calls made by ``threads`` threads started together.

    Raises the first exception a thread met.
    """
    per_thread = max(1, total // threads)
    barrier = threading.Barrier(threads + 1)
    errors: list[BaseException] = []

    def worker() -> None:
        barrier.wait()
        try:
            for _ in range(per_thread):
                call()
        except BaseException as exc:  # reported to the caller below
            errors.append(exc)

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in pool:
        thread.start()
    barrier.wait()
    start = time.perf_counter()
    for thread in pool:
        thread.join()
    elapsed = time.perf_counter() - start
    if errors:
        raise errors[0]
    return per_thread * threads / elapsed
