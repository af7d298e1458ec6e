"""Pure retry decisions: what to retry, how long to wait, Retry-After parsing.

Retry policy per endpoint:

* 429 is always retried: the server did not process the request.
* Connection failures before anything was sent are always retried.
* 5xx, timeouts and dropped connections are retried only for requests that are
  safe to repeat (reads, upsert imports, idempotent commands, tag and field
  creation), or when the caller opted in with ``RetryPolicy(retry_unsafe=True)``.
  Event tracking (fires automations again) and email sends are not repeated
  after such an ambiguous failure by default.
* Other 4xx are never retried.
"""

from __future__ import annotations

import math
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

from ._config import RetryPolicy
from ._errors import (
    BentoError,
    ConnectError,
    RateLimitError,
    RequestTimeoutError,
    ServerError,
)

__all__ = ["backoff_delay", "parse_retry_after", "retry_delay"]


def backoff_delay(attempt: int, policy: RetryPolicy, jitter: float) -> float:
    """Return the wait before retry number ``attempt`` (1-based), capped, with jitter.

    ``jitter`` is a number in [0, 1]; the wait is between half and all of the
    capped exponential delay, so parked callers spread out instead of stampeding.
    """
    exponent = min(max(attempt - 1, 0), 64)
    capped = min(policy.backoff_max, policy.backoff_initial * math.pow(2.0, exponent))
    jitter = min(max(jitter, 0.0), 1.0)
    return capped * (0.5 + 0.5 * jitter)


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Parse a Retry-After header (seconds or an HTTP date) into seconds >= 0.

    Returns None for a missing or unparseable value; never raises.
    """
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        pass
    else:
        return max(0.0, number) if math.isfinite(number) else None
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    now = now or datetime.now(timezone.utc)
    return max(0.0, (when - now).total_seconds())


def is_retryable(error: BentoError, *, idempotent: bool, policy: RetryPolicy) -> bool:
    """Whether an error may be retried at all, ignoring attempts and deadline."""
    if isinstance(error, RateLimitError):
        return True
    if isinstance(error, ConnectError) and not error.maybe_processed:
        return True
    if isinstance(error, (ServerError, RequestTimeoutError, ConnectError)):
        return idempotent or policy.retry_unsafe
    return False


def retry_delay(
    error: BentoError,
    *,
    attempt: int,
    policy: RetryPolicy,
    idempotent: bool,
    elapsed: float,
    jitter: float,
) -> float | None:
    """Return how long to wait before the next attempt, or None to give up.

    ``attempt`` is the number of attempts made so far; ``elapsed`` the seconds
    since the first one started. A Retry-After is honoured up to
    ``policy.max_retry_after``; no wait ever runs past ``policy.deadline``.
    """
    if attempt >= policy.attempts:
        return None
    if not is_retryable(error, idempotent=idempotent, policy=policy):
        return None
    if isinstance(error, RateLimitError) and error.retry_after is not None:
        delay = min(error.retry_after, policy.max_retry_after)
    else:
        delay = backoff_delay(attempt, policy, jitter)
    if policy.deadline is not None and elapsed + delay >= policy.deadline:
        return None
    return delay
