"""Per-family client-side rate limiting and the 429 cooldown gate.

Each request family (fetch, batch, stats, experimental) has:

* a bucket: an aiolimiter leaky bucket of capacity ``burst`` that drains at
  ``(limit - burst) / period``. It admits a request when its level plus one fits
  the capacity. Over any closed window of ``period`` seconds, the admitted count
  is the level at the end, minus the level at the start, plus what drained in
  between: at most ``burst - 0 + (limit - burst) = limit``. The drain is shaved
  by one part in 10^9 so float rounding can never admit a request early.
* a cooldown gate: a 429 closes it for the Retry-After (or a backoff). When the
  cooldown ends, one caller goes first as a probe; the others wait until the
  probe's answer is something other than 429, so parked callers never stampede.

A caller waits for the gate to open, then for room for its email units (if any),
then for its bucket slot, and asks the gate again as its slot is granted: if a
cooldown opened meanwhile, or another caller is out as the probe, the slot is spent
(never handed back, which only ever leaves capacity unused) and it waits again; the
first caller granted a slot after a cooldown becomes the probe. So a request is sent
right after its slot is granted, and the window bound holds for send times, retries
included (each attempt takes a slot). A caller cancelled while waiting takes no
request slot: aiolimiter takes a slot only once it is granted, with no await after.

Email units are not a bucket but the send pace of ``_pace``: a request's units are
all booked at the moment its slot is granted, when the last period's log has room for
every one of them (Bento counts them together, when the request arrives). A caller
cancelled while waiting for room books none.

Buckets and gates bind to the loop that first uses them.

The send-time rule. A slot's grant and the request's departure must be one moment:
a slot granted to a request that then queues for a connection in aiohttp's pool
leaves later, together with others queued with it, and a window of the period
can then see more arrivals than the limit. So the client takes a pool permit
(one of ``max_connections``) before the slot, and holds it until the answer is
in; holding a permit, a connection is always free when the slot is granted. To
keep one busy family from holding every permit while it waits for its slots,
callers of a family form a line (first come, first served) and only its head
takes a permit and waits for a slot (:class:`~bento_async._sendline.SendLine`).

Backends. Where the buckets and cooldowns live is a :class:`LimiterBackend`: it
acquires a slot for a family (with the email units, within ``max_wait``),
opens a cooldown after a 429, and reads the wait floor that lets ``max_wait``
fail fast. :class:`Limiters` (this module) is the in-process one, the default;
``bento_async._redis_store`` shares one quota between processes through Redis.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from typing import Protocol

import anyio
import attrs
from aiolimiter import AsyncLimiter

from ._config import FAMILIES, Family, RateLimit, RateLimits
from ._errors import RateLimitWaitError
from ._pace import EmailLog

__all__ = [
    "CooldownGate",
    "FamilyLimiter",
    "GatePermit",
    "LimiterBackend",
    "Limiters",
    "Permit",
    "bucket_for",
    "free_capacity",
    "report_wait",
    "wait_floor",
    "wait_meter",
    "within",
]

log = logging.getLogger("bento_async")

wait_meter: ContextVar[Callable[[float], None] | None] = ContextVar(
    "bento_wait_meter", default=None
)
"""Told the seconds of every rate-limit wait in its context (bulk calls count them)."""

# Drain a hair slower than the quota allows, so rounding never lets a slot out early.
_SAFETY = 1.0 - 1e-9
# Cooldown leftovers below this are treated as over (timer resolution).
_EPSILON = 1e-6
# A single call waiting longer than this for a slot logs one WARNING (bulk calls excepted:
# they report their waits in their progress).
LONG_WAIT = 5.0


def bucket_for(limit: RateLimit) -> AsyncLimiter:
    """Return an aiolimiter bucket that never admits more than ``limit.limit`` per period."""
    return AsyncLimiter(limit.burst, limit.burst / (limit.drain_rate * _SAFETY))


def wait_floor(ahead: int, amount: int, free: float, rate: float) -> float:
    """Return the seconds until ``amount`` more slots are granted (FIFO, exact).

    ``ahead`` slots are queued before them; ``free`` is the bucket's free capacity
    now; it drains ``rate`` per second. Each grant needs one unit of room.
    """
    return max(0.0, (ahead + amount - free) / rate)


def free_capacity(bucket: AsyncLimiter) -> float:
    """Return the bucket's free room now, found through its public ``has_capacity`` probe.

    A bisection over fractional amounts; the result errs high by under a 10^-12th of
    the capacity, so a wait computed from it never exceeds the true one.
    """
    low, high = 0.0, float(bucket.max_rate)
    if bucket.has_capacity(high):
        return high
    for _ in range(42):
        middle = (low + high) / 2
        if bucket.has_capacity(middle):
            low = middle
        else:
            high = middle
    return high


def report_wait(family: Family, waited: float) -> None:
    """Log a rate-limit wait (over a millisecond) and tell the context's ``wait_meter``.

    With no meter (a single call, not a bulk one), a wait over ``LONG_WAIT`` logs one
    WARNING.
    """
    if waited > 0.001:
        log.debug("bento %s: waited %.3fs for a rate-limit slot", family, waited)
        meter = wait_meter.get()
        if meter is not None:
            meter(waited)
        elif waited > LONG_WAIT:
            log.warning(
                "bento %s: a call waited %.1fs for a rate-limit slot; in request handlers "
                "cap the wait with with_options(max_wait=...)",
                family,
                waited,
            )


async def within(
    take: Callable[[], Awaitable[Permit]],
    max_wait: float | None,
    floor: Callable[[], float],
    binding: Callable[[], Family],
) -> tuple[Permit, float]:
    """Run ``take`` for at most ``max_wait`` seconds; return its permit and the wait.

    Refuses at once, without waiting, when ``floor()`` (a lower bound on the wait)
    already exceeds ``max_wait``.

    Raises RateLimitWaitError naming ``binding()``, the family the wait is for.
    """
    if max_wait is not None:
        needed = floor()
        if needed > max_wait:
            raise RateLimitWaitError(binding(), needed, max(max_wait, 0.0))
    loop = asyncio.get_running_loop()
    start = loop.time()
    permit: Permit | None = None
    with anyio.move_on_after(max_wait):
        permit = await take()
    waited = loop.time() - start
    if permit is None:
        raise RateLimitWaitError(binding(), waited + floor(), max(max_wait or 0.0, 0.0))
    return permit, waited


class CooldownGate:
    """Holds a family's callers after a 429; lets one probe through when it lifts."""

    def __init__(self, family: Family) -> None:
        self.family = family
        self._until = 0.0
        self._needs_probe = False
        self._probe_out = False
        self._changed: asyncio.Event | None = None

    def remaining(self) -> float:
        """Return the seconds left in the cooldown (0 when open)."""
        left = self._until - asyncio.get_running_loop().time()
        return left if left > _EPSILON else 0.0

    def close_for(self, delay: float) -> None:
        """Hold every caller for ``delay`` seconds, then let one probe go first."""
        until = asyncio.get_running_loop().time() + delay
        self._needs_probe = True
        if until > self._until:
            self._until = until
            log.debug("bento %s: 429, cooling down for %.2fs", self.family, delay)
        self._notify()

    async def wait_open(self) -> None:
        """Wait until no cooldown runs and no probe is out."""
        while True:
            remaining = self.remaining()
            if remaining > 0:
                await asyncio.sleep(remaining)
            elif self._needs_probe and self._probe_out:
                if self._changed is None:
                    self._changed = asyncio.Event()
                await self._changed.wait()
            else:
                return

    def idle(self) -> bool:
        """Whether no cooldown runs and none ever needs a probe (the common case)."""
        return not self._needs_probe and self.remaining() == 0

    def admit(self) -> bool | None:
        """Decide, as a slot is granted, whether its caller may send now.

        Returns None when not (a cooldown or a probe is under way: the slot is
        spent), True when the caller goes as the probe, False when it just goes.
        """
        if self.remaining() > 0:
            return None
        if not self._needs_probe:
            return False
        if self._probe_out:
            return None
        self._probe_out = True
        log.debug("bento %s: cooldown over, sending one probe", self.family)
        return True

    def settle(self, probe: bool, rate_limited: bool | None) -> None:
        """Report a probe's outcome: True for a 429, False for any other, None if unknown."""
        if not probe:
            return
        self._probe_out = False
        if rate_limited is False:
            self._needs_probe = False
        self._notify()

    def _notify(self) -> None:
        changed, self._changed = self._changed, None
        if changed is not None:
            changed.set()


class FamilyLimiter:
    """The bucket and cooldown gate of one family."""

    def __init__(self, family: Family, limit: RateLimit | None) -> None:
        self.family = family
        self.limit = limit
        self.gate = CooldownGate(family)
        self._bucket: AsyncLimiter | None = None
        self._queued = 0

    def _get_bucket(self) -> AsyncLimiter | None:
        if self.limit is None:
            return None
        if self._bucket is None:
            self._bucket = bucket_for(self.limit)
        return self._bucket

    def cooldown(self, delay: float) -> None:
        """Hold every caller of this family for ``delay`` seconds (after a 429)."""
        self.gate.close_for(delay)

    def wait_floor(self, amount: int, ahead: int = 0) -> float:
        """Return the wait for ``amount`` slots behind those queued and ``ahead`` more."""
        bucket = self._get_bucket()
        if bucket is None:
            return 0.0
        rate = bucket.max_rate / bucket.time_period
        return wait_floor(self._queued + ahead, amount, free_capacity(bucket), rate)

    async def take(self, amount: int) -> None:
        """Wait for ``amount`` slots, one at a time (no gate)."""
        bucket = self._get_bucket()
        if bucket is None:
            return
        left = amount
        self._queued += amount
        try:
            while left:
                await bucket.acquire()
                left -= 1
                self._queued -= 1
        finally:
            self._queued -= left


class Permit(Protocol):
    """Leave to send one request; ``settle`` it once, with the outcome, when the answer is in."""

    def settle(self, rate_limited: bool | None) -> None:
        """Report the outcome: True for a 429, False for any other, None if unknown."""


class LimiterBackend(Protocol):
    """Where a client's rate-limit slots and cooldowns live (see the module docstring).

    ``ahead`` and ``ahead_emails`` in ``wait_floor`` count slots and email units of
    callers queued before this one outside the backend (in the family's line).
    """

    async def acquire(
        self, family: Family, emails: int = 0, *, max_wait: float | None = None
    ) -> Permit:
        """Wait for a slot of ``family`` and ``emails`` email units; raise RateLimitWaitError
        when that would take longer than ``max_wait``."""
        ...

    def cooldown(self, family: Family, delay: float) -> None:
        """Hold every caller of ``family`` for ``delay`` seconds, then let one probe go."""

    def wait_floor(
        self, family: Family, emails: int = 0, *, ahead: int = 0, ahead_emails: int = 0
    ) -> float:
        """Return a lower bound on the wait for one request of ``family`` with ``emails``."""
        ...

    async def aclose(self) -> None:
        """Release what the backend holds (connections, tasks). Idempotent."""


@attrs.frozen
class GatePermit:
    """An in-process permit: its outcome goes to the family's cooldown gate."""

    limiter: FamilyLimiter
    probe: bool

    def settle(self, rate_limited: bool | None) -> None:
        """Report the outcome: True for a 429, False for any other, None if unknown."""
        self.limiter.gate.settle(self.probe, rate_limited)


class Limiters:
    """The in-process backend: one bucket and gate per family, shared by the client's tasks."""

    def __init__(self, limits: RateLimits) -> None:
        self._by_family = {f: FamilyLimiter(f, limits.for_family(f)) for f in FAMILIES}
        self._pace = None if limits.emails is None else EmailLog(limits.emails)

    def _email_wait(self, emails: int) -> float:
        """Return the seconds until ``emails`` more units fit the send pace."""
        if self._pace is None or not emails:
            return 0.0
        return self._pace.wait(emails, asyncio.get_running_loop().time())

    def __getitem__(self, family: Family) -> FamilyLimiter:
        return self._by_family[family]

    def cooldown(self, family: Family, delay: float) -> None:
        """Hold every caller of ``family`` for ``delay`` seconds (after a 429)."""
        self[family].cooldown(delay)

    async def aclose(self) -> None:
        """Nothing to release: buckets and gates live in memory."""

    def wait_floor(
        self, family: Family, emails: int = 0, *, ahead: int = 0, ahead_emails: int = 0
    ) -> float:
        """Return a lower bound on the wait for one request of ``family`` with ``emails``.

        Exact while no cooldown opens and no probe is out (those only add to it).
        """
        limiter = self[family]
        floor = limiter.gate.remaining() + limiter.wait_floor(1, ahead)
        # Booking those ahead together with this caller's units can only come sooner than
        # booking them one request after another: a lower bound.
        return floor + self._email_wait(emails + ahead_emails if emails else 0)

    async def acquire(
        self, family: Family, emails: int = 0, *, max_wait: float | None = None
    ) -> Permit:
        """Wait for a slot of ``family`` (and ``emails`` email units); return the permit.

        Fails at once when the wait, known from the bucket and the queue, exceeds
        ``max_wait``; else waits at most ``max_wait`` (a cooldown may open meanwhile).
        Cancellation while waiting takes no request slot.

        Raises RateLimitWaitError when the wait would exceed ``max_wait``.
        """
        limiter = self[family]
        if limiter.limit is None and (not emails or self._pace is None) and limiter.gate.idle():
            return GatePermit(limiter, False)  # nothing to wait for (a hot path with limits off)
        permit, waited = await within(
            lambda: self._take(family, emails),
            max_wait,
            lambda: self.wait_floor(family, emails),
            lambda: self._binding(family, emails),
        )
        report_wait(family, waited)
        return permit

    def _binding(self, family: Family, emails: int) -> Family:
        """Name the family whose wait is the longer: the request's or the email pace."""
        limiter = self[family]
        own = limiter.gate.remaining() + limiter.wait_floor(1)
        if self._email_wait(emails) > own:
            return "emails"
        return family

    async def _take(self, family: Family, emails: int) -> Permit:
        limiter = self[family]
        gate = limiter.gate
        loop = asyncio.get_running_loop()
        while True:
            await gate.wait_open()
            # Room for the email units first, the request slot last: the request goes out
            # right after its slot, and a caller cancelled during the (long) wait holds none.
            # The log says how long to wait; nothing earlier could make room (no Event).
            while (room := self._email_wait(emails)) > 0:  # noqa: ASYNC110
                await asyncio.sleep(room)
            await limiter.take(1)
            if self._email_wait(emails) > 0:  # another caller booked the room meanwhile
                continue
            probe = gate.admit()
            if probe is not None:
                if self._pace is not None and emails:
                    self._pace.book(emails, loop.time())
                return GatePermit(limiter, probe)
            log.debug("bento %s: slot granted during a cooldown; waiting again", family)
