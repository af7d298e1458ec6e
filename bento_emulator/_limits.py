"""The emulator's rate limits: a sliding window per family, as Bento enforces them.

Every request that passes the User-Agent, auth and site checks counts against its family
(``fetch``, ``batch``, ``stats``, ``experimental``), refused ones included (reference §10.4).
When the window of the last ``period`` seconds already holds ``limit`` requests, the answer
is 429 with ``{"error": "Too Many Requests"}`` and a ``Retry-After`` header: the whole
seconds until a request would fit again. ``POST batch/emails`` also counts its emails
against the ``emails`` family, the send pace; emails of a refused request, or of a batch
over the 60-email limit (refused with 400 anyway), are not counted.

The limits are a :class:`~bento_async.RateLimits`: a profile name (``"seed"``, the default,
or ``"docs"``), a ``RateLimits`` object (for overrides and short periods in tests), or None
for no limits. ``burst`` is a client-side notion and is ignored here.
"""

from __future__ import annotations

import math
import threading
from collections import deque
from collections.abc import Iterable

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware

from bento_async import FAMILIES, RateLimits

from ._app import API_PREFIX, current_exchange

__all__ = ["SlidingWindow", "WindowLimits", "peak_in_window", "rate_limit_middleware"]


class SlidingWindow:
    """Arrival times of one family over the last ``period`` seconds (a half-open window)."""

    def __init__(self, limit: int, period: float) -> None:
        self.limit = limit
        self.period = period
        self._times: deque[float] = deque()

    def hit(self, now: float, amount: int = 1, *, count_refused: bool = True) -> float | None:
        """Count ``amount`` arrivals at ``now``; return None if they fit, else the wait.

        The wait is the seconds until a request of the same ``amount`` would fit, given
        that this one counted too when ``count_refused``.
        """
        while self._times and self._times[0] + self.period <= now:
            self._times.popleft()
        fits = len(self._times) + amount <= self.limit
        if fits or count_refused:
            self._times.extend([now] * amount)
        if fits:
            return None
        if amount > self.limit:
            return self.period
        # The oldest `must_leave` arrivals have to drop out of the window first (plus a
        # nanosecond, so float rounding never makes the answer a hair too early).
        must_leave = len(self._times) + amount - self.limit
        return self._times[must_leave - 1] + self.period - now + 1e-9


def peak_in_window(times: Iterable[float], period: float) -> int:
    """Return the most arrivals any half-open window ``(t - period, t]`` holds."""
    ordered = sorted(times)
    best = start = 0
    for end, at in enumerate(ordered):
        while ordered[start] + period <= at:  # the same test the window uses to drop one
            start += 1
        best = max(best, end - start + 1)
    return best


class WindowLimits:
    """The windows of every family, thread-safe; reconfiguring starts them afresh."""

    def __init__(self, rate_limits: RateLimits | str | None) -> None:
        self._lock = threading.Lock()
        self._windows: dict[str, SlidingWindow] = {}
        self._rate_limits: RateLimits | None = None
        self.configure(rate_limits)

    @property
    def rate_limits(self) -> RateLimits | None:
        """The limits in force (None: no limits)."""
        return self._rate_limits

    def configure(self, rate_limits: RateLimits | str | None) -> None:
        """Enforce other limits from now on: a profile name, a RateLimits, or None."""
        if isinstance(rate_limits, str):
            rate_limits = RateLimits.profile(rate_limits)
        windows: dict[str, SlidingWindow] = {}
        if rate_limits is not None:
            for family in FAMILIES:
                limit = rate_limits.for_family(family)
                if limit is not None:
                    windows[family] = SlidingWindow(limit.limit, limit.period)
        with self._lock:
            self._rate_limits = rate_limits
            self._windows = windows

    def period_of(self, family: str) -> float | None:
        """Return the window length of a family, or None when it is not limited."""
        with self._lock:
            window = self._windows.get(family)
            return None if window is None else window.period

    def check(self, family: str, now: float, emails: int = 0) -> float | None:
        """Count one request (and its emails); return None if it may pass, else the wait."""
        with self._lock:
            window = self._windows.get(family)
            if window is not None:
                wait = window.hit(now)
                if wait is not None:
                    return wait
            pace = self._windows.get("emails")
            if emails and pace is not None:
                return pace.hit(now, emails, count_refused=False)
            return None


MAX_EMAILS_PER_CALL = 60


def _emails_in(body: object) -> int:
    # A batch outside 1..60 is refused with 400 before anything is sent: it paces nothing.
    if isinstance(body, dict) and isinstance(body.get("emails"), list):
        return len(body["emails"]) if len(body["emails"]) <= MAX_EMAILS_PER_CALL else 0
    return 0


def rate_limit_middleware(limits: WindowLimits) -> Middleware:
    """Return the middleware answering 429 past a family's window (see the module docstring)."""
    emails_path = f"{API_PREFIX}/batch/emails"

    @web.middleware
    async def rate_limit(request: web.Request, handler: Handler) -> web.StreamResponse:
        exchange = current_exchange()
        emails = _emails_in(exchange.body) if request.path.rstrip("/") == emails_path else 0
        wait = limits.check(exchange.family, exchange.received_at, emails)
        if wait is None:
            return await handler(request)
        headers = {"Retry-After": str(max(1, math.ceil(wait)))}
        exchange.refuse(f"rate limit of the {exchange.family!r} family (retry in {wait:.3g}s)")
        return web.json_response({"error": "Too Many Requests"}, status=429, headers=headers)

    return rate_limit
