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
  has one, else a capped exponential backoff with jitter. After a 429 the wait is
  the family's cooldown, opened for every caller even when this one gives up.

One pure function, :func:`decide`, turns an attempt's error, the attempt number,
the policy and the time spent into a :class:`Decision` (stop, sleep, or cool the
family down); the send loop in ``_client`` only carries it out.

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

import attrs

from ._config import RetryPolicy
from ._errors import (
    BentoError,
    CertificateError,
    ConnectError,
    RateLimitError,
    RequestTimeoutError,
    ServerError,
)

__all__ = [
    "STOP",
    "Decision",
    "backoff_delay",
    "decide",
    "is_retryable",
    "parse_retry_after",
    "wait_before_retry",
]


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

    A Retry-After that is negative, infinite or not a number counts as absent.
    """
    retry_after = getattr(error, "retry_after", None)
    if isinstance(retry_after, (int, float)) and math.isfinite(retry_after) and retry_after >= 0:
        return min(retry_after, policy.max_retry_after)
    return backoff_delay(attempt, policy, jitter)


@attrs.frozen
class Decision:
    """What the send loop does after a failed attempt.

    ``retry``: send again. ``wait``: the seconds before the next attempt. ``cooldown``:
    the wait is the family's cooldown (a 429), served at the rate-limit gate to every
    caller of the family, so the loop does not sleep; it is opened even when the call
    gives up, since the other callers must still hold back.
    """

    retry: bool
    wait: float = 0.0
    cooldown: bool = False


STOP = Decision(retry=False)


def decide(
    error: BentoError,
    *,
    attempt: int,
    policy: RetryPolicy,
    idempotent: bool,
    elapsed: float,
    jitter: float,
) -> Decision:
    """Decide stop, sleep or cool down after attempt number ``attempt`` failed with ``error``.

    ``elapsed`` is the seconds since the first attempt started; ``jitter`` a number
    in [0, 1] that spreads backoffs. A Retry-After is honoured up to
    ``policy.max_retry_after``; no wait ever runs past ``policy.deadline``.
    """
    limited = isinstance(error, RateLimitError)
    if not limited and not is_retryable(error, idempotent=idempotent, policy=policy):
        return STOP
    wait = wait_before_retry(error, attempt=attempt, policy=policy, jitter=jitter)
    over_budget = policy.deadline is not None and elapsed + wait >= policy.deadline
    retry = attempt < policy.attempts and not over_budget
    if not retry and not limited:
        return STOP
    return Decision(retry=retry, wait=wait, cooldown=limited)
