"""The send-time rule: a pool permit before the rate-limit slot, one line per family.

A request granted its slot must leave at once. When it first had to queue for one of
aiohttp's pooled connections, several granted requests would leave together once
connections free up, and a window could see more than the limit. :class:`SendLine`
wraps a :class:`~bento_async._ratelimit.LimiterBackend`: a caller joins its family's
line (first come, first served), and at the head takes a pool permit, then its slot,
then leaves the line. The permit is held until the permit's ``settle``, after the
answer is read, so at most ``connections`` requests are ever in flight and a granted
request always finds a connection free. Only a line's head holds a permit while it
waits, so a family with a long queue holds one permit, not the whole pool.

Families with no limit skip the line and the pool: nothing is counted for them.
"""

from __future__ import annotations

import asyncio

from ._config import FAMILIES, Family, RateLimits
from ._errors import ConfigError
from ._ratelimit import LimiterBackend, Permit, report_wait, wait_meter, within

__all__ = ["PooledPermit", "SendLine", "pool_size"]


def pool_size(limits: RateLimits, given: int | None = None) -> int:
    """Return the connection pool size: ``given``, else room for every family's burst.

    The default is at least 100; with the seed profile 127 (108 fetch + 15 batch +
    1 stats + 3 experimental), so a permit never holds back a burst the limiter allows.

    Raises ConfigError for a ``given`` size below 1.
    """
    if given is not None:
        if isinstance(given, bool) or not isinstance(given, int) or given < 1:
            raise ConfigError(
                f"max_connections must be a whole number of at least 1, got {given!r}"
            )
        return given
    bursts = 0
    for family in FAMILIES:
        limit = limits.for_family(family)
        if family != "emails" and limit is not None:
            bursts += limit.burst
    return max(100, bursts)


def _ignore(waited: float) -> None:
    """A wait meter that drops what it is told (the caller reports the whole wait)."""


class PooledPermit:
    """A backend's permit that also gives back its pool permit when settled (once)."""

    def __init__(self, inner: Permit, pool: asyncio.Semaphore) -> None:
        self._inner = inner
        self._pool: asyncio.Semaphore | None = pool

    def settle(self, rate_limited: bool | None) -> None:
        """Report the outcome to the backend and free the connection permit."""
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.release()
            self._inner.settle(rate_limited)


class _Line:
    """The callers of one family waiting for the head's place, and what they need."""

    def __init__(self) -> None:
        self.lock = asyncio.Lock()
        self.waiting = 0
        self.emails = 0


class SendLine:
    """The limiter the send path uses: family lines and pool permits over a backend.

    ``connections`` is the size of the HTTP connection pool (None: no pool to mind, as
    with a custom transport). Loop-bound objects are made on first use.
    """

    def __init__(
        self, backend: LimiterBackend, limits: RateLimits, connections: int | None
    ) -> None:
        self.backend = backend
        self._limits = limits
        self._connections = connections
        self._pool: asyncio.Semaphore | None = None
        self._lines: dict[Family, _Line] = {}

    def cooldown(self, family: Family, delay: float) -> None:
        """Hold every caller of ``family`` for ``delay`` seconds (after a 429)."""
        self.backend.cooldown(family, delay)

    def wait_floor(self, family: Family, emails: int = 0) -> float:
        """Return a lower bound on the wait for one more request of ``family``."""
        line = self._lines.get(family)
        ahead, ahead_emails = (line.waiting, line.emails) if line is not None else (0, 0)
        return self.backend.wait_floor(family, emails, ahead=ahead, ahead_emails=ahead_emails)

    def _binding(self, family: Family, emails: int) -> Family:
        """Name the family whose wait is the longer: the request's or the email pace."""
        if not emails:
            return family
        own = self.wait_floor(family)
        return "emails" if self.wait_floor(family, emails) - own > own else family

    async def aclose(self) -> None:
        """Close the backend."""
        await self.backend.aclose()

    def _unlimited(self, family: Family, emails: int) -> bool:
        if self._limits.for_family(family) is not None:
            return False
        return not emails or self._limits.emails is None

    async def acquire(
        self, family: Family, emails: int = 0, *, max_wait: float | None = None
    ) -> Permit:
        """Wait in the family's line, take a pool permit, then a slot; return the permit.

        The whole wait stays within ``max_wait``. Raises RateLimitWaitError when it
        would not (at once when the floor alone is too long).
        """
        if self._connections is None or self._unlimited(family, emails):
            return await self.backend.acquire(family, emails, max_wait=max_wait)
        permit, waited = await within(
            lambda: self._queue(family, emails, max_wait),
            max_wait,
            lambda: self.wait_floor(family, emails),
            lambda: self._binding(family, emails),
        )
        report_wait(family, waited)  # the whole wait: the line, the pool and the slot
        return permit

    async def _queue(self, family: Family, emails: int, max_wait: float | None) -> Permit:
        """Join the line, and at its head take a pool permit and then the slot."""
        loop = asyncio.get_running_loop()
        start = loop.time()
        line = await self._join(family, emails)
        try:
            if self._pool is None:
                assert self._connections is not None
                self._pool = asyncio.Semaphore(self._connections)
            pool = self._pool
            await pool.acquire()
            try:
                left = None if max_wait is None else max_wait - (loop.time() - start)
                inner = await self._slot(family, emails, left)
            except BaseException:
                pool.release()
                raise
        finally:
            line.lock.release()
        return PooledPermit(inner, pool)

    async def _join(self, family: Family, emails: int) -> _Line:
        """Wait to be the head of the family's line (counted as ahead of later callers)."""
        line = self._lines.get(family)
        if line is None:
            line = self._lines[family] = _Line()
        line.waiting += 1
        line.emails += emails
        try:
            await line.lock.acquire()
        finally:
            line.waiting -= 1
            line.emails -= emails
        return line

    async def _slot(self, family: Family, emails: int, left: float | None) -> Permit:
        """Take the backend's slot; its wait is reported with the rest, by ``acquire``."""
        unmetered = wait_meter.set(_ignore)
        try:
            return await self.backend.acquire(family, emails, max_wait=left)
        finally:
            wait_meter.reset(unmetered)
