"""An asyncio event loop on a virtual clock, for exact timing tests that take no real time.

`VirtualTimeLoop.time()` returns a virtual clock. When the loop has nothing ready to run, its
selector advances the clock straight to the next timer instead of sleeping; every other turn
of the loop advances it by one nanosecond, as a real clock would (without that, a callback
that re-arms a timer for "now" because of float rounding would spin forever). Timers, sleeps,
`asyncio.wait_for`, anyio cancel scopes and aiolimiter all read `loop.time()`, so they run
exactly as on a real loop, only without waiting. A loop that would block forever (nothing
ready, no timer) raises `Deadlock` rather than hanging. There must be no real I/O.
"""

from __future__ import annotations

import asyncio
import selectors
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

T = TypeVar("T")

TICK = 1e-9  # how far the clock moves on a turn of the loop that does not wait


class Deadlock(RuntimeError):
    """Every task waits and no timer is pending: on a real loop this would hang."""


class _Clock:
    def __init__(self) -> None:
        self.now = 0.0


class _VirtualSelector(selectors.BaseSelector):
    """A real selector for the loop's self-pipe that advances the clock instead of blocking."""

    def __init__(self, clock: _Clock) -> None:
        self._real = selectors.DefaultSelector()
        self._clock = clock

    def register(self, fileobj: Any, events: int, data: Any = None) -> selectors.SelectorKey:
        return self._real.register(fileobj, events, data)

    def unregister(self, fileobj: Any) -> selectors.SelectorKey:
        return self._real.unregister(fileobj)

    def modify(self, fileobj: Any, events: int, data: Any = None) -> selectors.SelectorKey:
        return self._real.modify(fileobj, events, data)

    def select(self, timeout: float | None = None) -> list[tuple[selectors.SelectorKey, int]]:
        ready = self._real.select(0)
        if ready or timeout == 0:
            self._clock.now += TICK
            return ready
        if timeout is None:
            raise Deadlock("every task is waiting and no timer is pending")
        self._clock.now += max(timeout, TICK)
        return []

    def get_key(self, fileobj: Any) -> selectors.SelectorKey:
        return self._real.get_key(fileobj)

    def get_map(self) -> Any:
        return self._real.get_map()

    def close(self) -> None:
        self._real.close()


class VirtualTimeLoop(asyncio.SelectorEventLoop):
    """A selector event loop whose clock is virtual and jumps to the next timer when idle."""

    def __init__(self) -> None:
        self._virtual_clock = _Clock()
        super().__init__(selector=_VirtualSelector(self._virtual_clock))

    def time(self) -> float:
        return self._virtual_clock.now


def run_virtual(main: Callable[[], Awaitable[T]]) -> T:
    """Run `main()` to completion on a fresh virtual-time loop and close the loop."""
    loop = VirtualTimeLoop()
    try:
        return loop.run_until_complete(main())  # type: ignore[arg-type]
    finally:
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.close()
