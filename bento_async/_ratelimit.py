"""Per-family client-side rate limiting and the 429 cooldown gate.

Each family (fetch, batch, stats, experimental, and the email send pace) gets
one aiolimiter bucket sized from its quota: capacity ``burst``, draining at
``(limit - burst) / period``, so no window of ``period`` sees more than
``limit`` calls (see :class:`~bento_async.RateLimit`). Buckets are created
lazily on the loop that first uses them.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable
from contextvars import ContextVar

from aiolimiter import AsyncLimiter

from ._config import FAMILIES, Family, RateLimit, RateLimits
from ._errors import RateLimitWaitError

__all__ = ["FamilyLimiter", "Limiters", "bucket_for", "wait_meter"]

log = logging.getLogger("bento_async")

wait_meter: ContextVar[Callable[[float], None] | None] = ContextVar(
    "bento_wait_meter", default=None
)
"""Told the seconds of every rate-limit wait in its context (bulk calls count them)."""


def bucket_for(limit: RateLimit) -> AsyncLimiter:
    """Return an aiolimiter bucket that never admits more than ``limit.limit`` per period."""
    return AsyncLimiter(limit.burst, limit.burst / limit.drain_rate)


class FamilyLimiter:
    """The bucket and cooldown gate of one family."""

    def __init__(self, family: Family, limit: RateLimit | None) -> None:
        self.family = family
        self.limit = limit
        self._bucket: AsyncLimiter | None = None
        self._cooldown_until = 0.0

    def _get_bucket(self) -> AsyncLimiter | None:
        if self.limit is None:
            return None
        if self._bucket is None:
            self._bucket = bucket_for(self.limit)
        return self._bucket

    def cooldown(self, delay: float) -> None:
        """Hold every caller of this family for ``delay`` seconds (after a 429)."""
        until = asyncio.get_running_loop().time() + delay
        if until > self._cooldown_until:
            self._cooldown_until = until
            log.debug("bento %s: cooldown for %.2fs", self.family, delay)

    async def _wait_cooldown(self) -> None:
        loop = asyncio.get_running_loop()
        while (remaining := self._cooldown_until - loop.time()) > 0:  # noqa: ASYNC110
            # A little jitter so parked callers do not all wake in the same tick.
            await asyncio.sleep(remaining + random.uniform(0, min(0.25, remaining / 10)))

    async def acquire(self, amount: int = 1, *, max_wait: float | None = None) -> float:
        """Wait for ``amount`` slots; return the seconds spent waiting.

        Raises RateLimitWaitError when the wait would exceed ``max_wait``.
        Cancellation while waiting gives back nothing and takes no slot.
        """
        loop = asyncio.get_running_loop()
        start = loop.time()
        idle = self.limit is None and self._cooldown_until <= start
        if idle and (max_wait is None or max_wait > 0):
            return 0.0  # nothing to wait for: skip wait_for and its task (a hot path)
        try:
            await asyncio.wait_for(self._take(amount), max_wait)
        except asyncio.TimeoutError:
            raise RateLimitWaitError(self.family, loop.time() - start, max_wait or 0.0) from None
        waited = loop.time() - start
        if waited > 0.001:
            log.debug("bento %s: waited %.3fs for a rate-limit slot", self.family, waited)
            meter = wait_meter.get()
            if meter is not None:
                meter(waited)
        return waited

    async def _take(self, amount: int) -> None:
        await self._wait_cooldown()
        bucket = self._get_bucket()
        if bucket is None:
            return
        for _ in range(amount):
            await bucket.acquire()


class Limiters:
    """The limiters of one client, one per family, shared by every task using it."""

    def __init__(self, limits: RateLimits) -> None:
        self._by_family = {f: FamilyLimiter(f, limits.for_family(f)) for f in FAMILIES}

    def __getitem__(self, family: Family) -> FamilyLimiter:
        return self._by_family[family]
