"""The Redis limiter backend: one quota per Bento site and family, shared by every process.

Every decision is one call of a short Lua script (``_redis_scripts``) that reads the
time from Redis, checks the family's cooldown gate and books the request's departure
(and its email units) at the earliest moment the quota allows. The caller sleeps until
then and, if it had to wait, asks the gate once more before it sends; so a 429 that any
process saw holds every process. Keys are ``<prefix>:{<site uuid>}:<family>:<part>``
(the braces keep one site's keys in one Redis Cluster slot). Bookings are made against
the period plus a small margin (``_pace.guarded``), so that the varying delay between a
booking and the request's arrival at Bento never tips a window of the server over.

When Redis cannot be reached or does not answer within ``RedisStore.timeout``:
``on_error="fail"`` raises RateLimitStoreError (nothing is sent); ``on_error="local"``
logs one WARNING, serves this client from the in-process limiter, and tries Redis again
every ``RETRY_AFTER_OUTAGE`` seconds, logging once at INFO when it answers. No call
waits on Redis past its ``max_wait``.

The redis package is imported when a client first sends, not at import time.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from typing import TYPE_CHECKING, Any

import anyio

from ._config import Family, RateLimit, RateLimits, RedisStore, redact_url
from ._errors import ConfigError, RateLimitStoreError, RateLimitWaitError
from ._pace import guarded
from ._ratelimit import _SAFETY, Limiters, Permit, report_wait
from ._redis_scripts import COOL, GO, REFUSED, RESERVE, SETTLE

if TYPE_CHECKING:
    from redis.asyncio import Redis
    from redis.commands.core import AsyncScript

__all__ = ["RETRY_AFTER_OUTAGE", "RedisLimiters", "check_redis_installed"]

log = logging.getLogger("bento_async")

RETRY_AFTER_OUTAGE = 1.0
"""Seconds a client serves itself locally before asking Redis again after a failure."""

_PROBE_LEASE = 30.0  # a probe that never settles (its process died) frees the gate after this
_POLL = 0.05  # how often callers held behind another process's probe ask again


def check_redis_installed() -> None:
    """Raise ConfigError, saying which extra to install, when redis-py is missing."""
    try:
        import redis.asyncio  # noqa: F401
    except ImportError as exc:
        raise ConfigError(
            "rate_limit_store needs the redis package: pip install 'bento-sdk[redis]'"
        ) from exc


def _bucket_args(limit: RateLimit | None) -> tuple[float, float]:
    """Return (capacity, drain per second) of a family's bucket; (0, 0) when unlimited."""
    if limit is None:
        return 0.0, 0.0
    drain = limit.limit - limit.burst if limit.limit > 1 else 1
    return float(limit.burst), drain / guarded(limit.period) * _SAFETY


class RedisPermit:
    """Leave to send, booked in Redis; a probe reports its outcome back to the gate."""

    def __init__(self, owner: RedisLimiters, family: Family, token: str, probe: bool) -> None:
        self._owner = owner
        self.family = family
        self.token = token
        self.probe = probe

    def settle(self, rate_limited: bool | None) -> None:
        """Report the outcome: True for a 429, False for any other, None if unknown."""
        if self.probe:
            self.probe = False
            outcome = {True: "429", False: "ok", None: "unknown"}[rate_limited]
            self._owner.background(self._owner.settle_probe(self.family, self.token, outcome))


class RedisLimiters:
    """A LimiterBackend keeping slots and cooldowns in Redis (see the module docstring).

    Falls back to ``local`` (an in-process :class:`~bento_async._ratelimit.Limiters`)
    as ``store.on_error`` says. Loop-bound: the Redis client is made on first use.
    """

    def __init__(self, store: RedisStore, limits: RateLimits, site_uuid: str) -> None:
        self.store = store
        self.limits = limits
        self.local = Limiters(limits)
        self._site = site_uuid
        self._redis: Redis | None = None
        self._scripts: dict[str, AsyncScript] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._down_until: float | None = None  # loop time; None while Redis answers

    def __repr__(self) -> str:
        return f"RedisLimiters({redact_url(self.store.url)!r}, prefix={self.store.prefix!r})"

    def key(self, family: Family, part: str) -> str:
        """Return the Redis key of one part (gate, bucket, emails) of a family's state."""
        return f"{self.store.prefix}:{{{self._site}}}:{family}:{part}"

    def _client(self) -> Redis:
        if self._redis is None:
            from redis.asyncio import Redis
            from redis.asyncio.retry import Retry
            from redis.backoff import NoBackoff

            self._redis = Redis.from_url(
                self.store.url,
                socket_timeout=self.store.timeout,
                socket_connect_timeout=self.store.timeout,
                retry=Retry(NoBackoff(), 0),
            )
            for name, source in (("reserve", RESERVE), ("cool", COOL), ("settle", SETTLE)):
                self._scripts[name] = self._redis.register_script(source)
        return self._redis

    async def _run(self, name: str, keys: list[str], args: list[Any], limit: float) -> Any:
        """Run one script within ``limit`` seconds (and the store's timeout).

        Raises _OutOfTime when ``limit`` (the caller's) ran out first, and
        RateLimitStoreError when Redis fails or is slower than the store's timeout.
        """
        from redis.exceptions import RedisError

        self._client()
        mine = limit < self.store.timeout
        try:
            with anyio.fail_after(min(limit, self.store.timeout)):
                return await self._scripts[name](keys=keys, args=args)
        except TimeoutError as exc:
            if mine:
                raise _OutOfTime from exc
            raise RateLimitStoreError(
                f"rate-limit store {redact_url(self.store.url)} did not answer within "
                f"{self.store.timeout:g}s"
            ) from exc
        except (RedisError, OSError) as exc:
            raise RateLimitStoreError(
                f"rate-limit store {redact_url(self.store.url)} failed: {type(exc).__name__}"
            ) from exc

    def _local_now(self) -> bool:
        """Whether this client is serving itself locally during an outage."""
        down = self._down_until
        return down is not None and asyncio.get_running_loop().time() < down

    def _went_down(self, exc: RateLimitStoreError) -> None:
        if self._down_until is None:
            log.warning("bento: %s; using in-process rate limits until it answers again", exc)
        self._down_until = asyncio.get_running_loop().time() + RETRY_AFTER_OUTAGE

    def _came_back(self) -> None:
        if self._down_until is not None:
            self._down_until = None
            log.info("bento: rate-limit store %s answers again", redact_url(self.store.url))

    async def acquire(
        self, family: Family, emails: int = 0, *, max_wait: float | None = None
    ) -> Permit:
        """Wait for a slot of ``family`` and ``emails`` email units booked in Redis.

        Raises RateLimitWaitError past ``max_wait``, and RateLimitStoreError when Redis
        fails under ``on_error="fail"``.
        """
        if self._local_now():
            return await self.local.acquire(family, emails, max_wait=max_wait)
        loop = asyncio.get_running_loop()
        start = loop.time()
        try:
            permit = await self._book(family, emails, start, max_wait)
        except RateLimitStoreError as exc:
            if self.store.on_error == "fail":
                raise
            self._went_down(exc)
            left = None if max_wait is None else max_wait - (loop.time() - start)
            return await self.local.acquire(family, emails, max_wait=left)
        self._came_back()
        report_wait(family, loop.time() - start)
        return permit

    def _reserve_call(self, family: Family, emails: int) -> tuple[list[str], list[Any]]:
        """Return the keys and the quota arguments of a family's RESERVE call."""
        keys = [self.key(family, "gate"), self.key(family, "bucket"), self.key("emails", "log")]
        cap, rate = _bucket_args(self.limits.for_family(family))
        pace = self.limits.emails
        elimit, eperiod = (pace.limit, guarded(pace.period)) if pace is not None else (0, 0.0)
        return keys, [cap, rate, elimit, eperiod, emails]

    async def _book(
        self, family: Family, emails: int, start: float, max_wait: float | None
    ) -> Permit:
        loop = asyncio.get_running_loop()
        keys, quota = self._reserve_call(family, emails)
        cap = max(max_wait or 0.0, 0.0)
        while True:
            left = None if max_wait is None else max_wait - (loop.time() - start)
            token = secrets.token_hex(8)
            args = ["reserve", token, _PROBE_LEASE, *quota, -1 if left is None else max(left, 0)]
            try:
                status, wait, probe = await self._run(
                    "reserve", keys, [*args, _POLL], _budget(left)
                )
            except _OutOfTime:
                raise RateLimitWaitError(family, loop.time() - start, cap) from None
            wait = float(wait)
            if status == REFUSED or (left is not None and wait > left):
                raise RateLimitWaitError(family, loop.time() - start + wait, cap)
            if status != GO:
                await asyncio.sleep(wait)  # a cooldown, or another process's probe
                continue
            permit = RedisPermit(self, family, token, bool(probe))
            if wait <= 0 or await self._admit(permit, keys, wait, start, max_wait):
                return permit
            log.debug("bento %s: slot booked during a cooldown; waiting again", family)

    async def _admit(
        self,
        permit: RedisPermit,
        keys: list[str],
        wait: float,
        start: float,
        max_wait: float | None,
    ) -> bool:
        """Sleep until the booked departure, then ask the gate again; True to go."""
        try:
            await asyncio.sleep(wait)
            loop = asyncio.get_running_loop()
            left = None if max_wait is None else max_wait - (loop.time() - start)
            args = ["admit", permit.token, _PROBE_LEASE, 0, 0, 0, 0, 0, -1, _POLL]
            status, _, probe = await self._run("reserve", keys, args, _budget(left))
        except _OutOfTime:
            permit.settle(None)
            assert max_wait is not None
            raise RateLimitWaitError(permit.family, max_wait, max_wait) from None
        except BaseException:
            permit.settle(None)  # hand a probe's lease back at once
            raise
        if status != GO:
            permit.settle(None)
            return False
        permit.probe = bool(probe)
        return True

    def cooldown(self, family: Family, delay: float) -> None:
        """Hold every caller of ``family`` in every process for ``delay`` seconds."""
        self.local.cooldown(family, delay)
        self.background(self._cool(family, delay))

    async def _cool(self, family: Family, delay: float) -> None:
        try:
            await self._run("cool", [self.key(family, "gate")], [delay, _PROBE_LEASE], 10.0)
        except RateLimitStoreError as exc:
            log.debug("bento %s: could not share a cooldown: %s", family, exc)

    async def settle_probe(self, family: Family, token: str, outcome: str) -> None:
        """Report a probe's outcome to the shared gate (best effort)."""
        try:
            await self._run("settle", [self.key(family, "gate")], [token, outcome], 10.0)
        except RateLimitStoreError as exc:
            log.debug("bento %s: could not settle a probe: %s", family, exc)

    def background(self, work: Any) -> None:
        """Run ``work`` (a coroutine) on the loop, kept until done so aclose can wait for it."""
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def wait_floor(
        self, family: Family, emails: int = 0, *, ahead: int = 0, ahead_emails: int = 0
    ) -> float:
        """Return 0: the reservation script itself refuses a wait past ``max_wait``."""
        if self._down_until is not None:
            return self.local.wait_floor(family, emails, ahead=ahead, ahead_emails=ahead_emails)
        return 0.0

    async def aclose(self) -> None:
        """Finish outstanding gate reports, then close the Redis connections."""
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=self.store.timeout * 2)
        for task in list(self._tasks):
            task.cancel()
        redis, self._redis = self._redis, None
        if redis is not None:
            await redis.aclose()


class _OutOfTime(Exception):
    """The caller's max_wait ran out while Redis was still answering."""


def _budget(left: float | None) -> float:
    return float("inf") if left is None else max(left, 0.0)
