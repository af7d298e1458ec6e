"""Pure retry decisions: what to retry, how long to wait, Retry-After parsing.

Retry policy:

* 429 is always retried: the server did not process the request. The wait also
  holds every other caller of the family (the cooldown gate in ``_ratelimit``).
* Connection failures before anything was sent are always retried.
* 5xx, timeouts and dropped connections are ambiguous (the server may have done
  the work), so they are retried only for requests that are safe to repeat, or
  when the caller opted in with ``RetryPolicy(retry_unsafe=True)``.
* Other 4xx, success bodies that do not decode, and TLS certificate failures
  (``CertificateError``: the same certificate fails the same way) are never retried.
* The wait is the answer's Retry-After (capped at ``max_retry_after``) when it
  has one, else a capped exponential backoff with jitter.

Safe to repeat, per endpoint (``Request.idempotent``, set by each resource):

=============================  =====  ===========================================
endpoint                       safe   why
=============================  =====  ===========================================
GET fetch/subscribers          yes    a read
POST fetch/subscribers         yes    finds or creates by email
POST batch/subscribers         yes    an upsert by email; fires no automation
GET, POST fetch/tags           yes    a read; create returns the existing tag
GET, POST fetch/fields         yes    a read; create returns the existing field
POST fetch/commands            yes    add/remove tag or field, (un)subscribe: the
                                      same state twice. Not ``add_tag_via_event``
                                      (fires automations) nor ``change_email``
POST batch/events              no     fires automations again; only a batch made
                                      of ``$purchase`` events alone is safe (Bento
                                      de-duplicates them by ``unique.key``)
POST batch/emails              no     would send the emails twice
=============================  =====  ===========================================

Every wait stays within ``backoff_max`` or ``max_retry_after`` and never runs
past ``deadline``.
"""

from __future__ import annotations

import math
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

from ._config import RetryPolicy
from ._errors import (
    BentoError,
    CertificateError,
    ConnectError,
    RateLimitError,
    RequestTimeoutError,
    ServerError,
)

__all__ = ["backoff_delay", "parse_retry_after", "retry_delay", "wait_before_retry"]


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
    if isinstance(error, CertificateError):
        return False
    if isinstance(error, ConnectError) and not error.maybe_processed:
        return True
    if isinstance(error, (ServerError, RequestTimeoutError, ConnectError)):
        return idempotent or policy.retry_unsafe
    return False


def wait_before_retry(
    error: BentoError, *, attempt: int, policy: RetryPolicy, jitter: float
) -> float:
    """Return the wait the answer asked for (Retry-After, up to the cap), else the backoff.

    For a 429 this is also how long the family's cooldown lasts. A Retry-After
    that is negative, infinite or not a number counts as absent.
    """
    retry_after = getattr(error, "retry_after", None)
    if isinstance(retry_after, (int, float)) and math.isfinite(retry_after) and retry_after >= 0:
        return min(retry_after, policy.max_retry_after)
    return backoff_delay(attempt, policy, jitter)


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
    delay = wait_before_retry(error, attempt=attempt, policy=policy, jitter=jitter)
    if policy.deadline is not None and elapsed + delay >= policy.deadline:
        return None
    return delay
