"""The sync hand-off: one call handed to the loop thread, its outcome handed back."""

from __future__ import annotations

import asyncio
import gc
import threading

import pytest

from bento_sync._portal import LoopThread, _Call


def test_a_call_cancelled_before_it_starts_leaves_nothing_behind() -> None:
    """Ctrl-C right after the hand-off cancels the task before its first step: the call's
    coroutine is never made, so none is left un-awaited (a warning, an error here)."""
    started: list[bool] = []

    async def call() -> None:
        started.append(True)

    async def main() -> None:
        handed = _Call[None]()
        handed.begin(call, (), {})
        handed.cancel()
        await asyncio.sleep(0)
        await asyncio.sleep(0)

    asyncio.run(main())
    gc.collect()
    assert started == []


def test_outcomes_cross_back_to_the_caller() -> None:
    """A result, an exception and a failure before the coroutine exists all reach the caller."""

    async def double(x: int) -> int:
        await asyncio.sleep(0)
        return 2 * x

    async def fail() -> None:
        raise LookupError("nope")

    def not_async() -> None:
        raise TypeError("not a coroutine function")

    loop = LoopThread("bento-test")
    try:
        assert loop.run(double, 21) == 42
        with pytest.raises(LookupError, match="nope"):
            loop.run(fail)
        with pytest.raises(TypeError, match="not a coroutine"):
            loop.run(not_async)  # type: ignore[arg-type]
        results: list[int] = []
        threads = [
            threading.Thread(target=lambda i=i: results.append(loop.run(double, i)))
            for i in range(8)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(results) == [2 * i for i in range(8)]
    finally:
        loop.stop()
