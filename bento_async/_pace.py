"""The email send pace: email units in a sliding window, the rule Bento itself applies.

One ``batch/emails`` request carries up to 60 emails, and Bento counts them all at the
moment the request arrives. A leaky bucket hands out units one at a time, so a request's
first units would be counted long before it leaves, and a window could then hold more
emails than the limit. Instead every request's units are booked together, at the moment
it leaves, in a log of the last period; a request waits until the log has room for all
of them. The period is stretched by a small margin (:func:`guarded`) for the varying
time between leaving and arriving.
"""

from __future__ import annotations

from collections import deque

from ._config import RateLimit

__all__ = ["EmailLog", "guarded"]


def guarded(period: float) -> float:
    """Return the period to book against: ``period`` plus 1% of it, at least 50 ms.

    Between a booking and the request's arrival lie a connection and the network (and
    for a shared store, a Redis reply), and they vary from request to request. Booking
    as if the period were that much longer keeps the server's own window within the
    limit while those delays differ by less than the margin, for about 1% of the quota.
    """
    return period + max(period * 0.01, 0.05)


class EmailLog:
    """The email units booked over the last (guarded) period, oldest first."""

    def __init__(self, limit: RateLimit) -> None:
        self.limit = limit.limit
        self.period = guarded(limit.period)
        self._booked: deque[tuple[float, int]] = deque()
        self._total = 0

    def _forget(self, now: float) -> None:
        while self._booked and self._booked[0][0] + self.period <= now:
            self._total -= self._booked.popleft()[1]

    def wait(self, amount: int, now: float) -> float:
        """Return the seconds until ``amount`` more units fit (0 when they fit now).

        More units than the limit wait for an empty window.
        """
        self._forget(now)
        excess = self._total + min(amount, self.limit) - self.limit
        if excess <= 0:
            return 0.0
        for at, units in self._booked:
            excess -= units
            if excess <= 0:
                return at + self.period - now
        raise AssertionError("unreachable: the log holds the excess")  # pragma: no cover

    def book(self, amount: int, now: float) -> None:
        """Count ``amount`` units as sent at ``now``."""
        self._forget(now)
        self._booked.append((now, amount))
        self._total += amount
