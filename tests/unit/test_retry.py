"""Property tests of the pure retry decisions."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bento_async import (
    ApiError,
    BadRequestError,
    ConnectError,
    RateLimitError,
    RequestTimeoutError,
    RetryPolicy,
    ServerError,
    TransportError,
)
from bento_async._retry import STOP, Decision, backoff_delay, decide, parse_retry_after

policies = st.builds(
    RetryPolicy,
    attempts=st.integers(1, 10),
    backoff_initial=st.floats(0.01, 2.0),
    backoff_max=st.floats(2.0, 30.0),
    max_retry_after=st.floats(0.1, 120.0),
    deadline=st.none() | st.floats(0.1, 100.0),
)


def _err(kind: str, retry_after: float | None = None) -> ApiError | TransportError:
    where = {"method": "GET", "path": "fetch/tags"}
    if kind == "429":
        return RateLimitError("slow down", status=429, retry_after=retry_after, **where)
    if kind == "500":
        return ServerError("boom", status=500, retry_after=retry_after, **where)
    if kind == "timeout":
        return RequestTimeoutError("timed out", **where)
    if kind == "refused":
        return ConnectError("refused", maybe_processed=False, **where)
    if kind == "dropped":
        return ConnectError("dropped", **where)
    return BadRequestError("bad", status=400, **where)


kinds = st.sampled_from(["429", "500", "timeout", "refused", "dropped", "400"])


def retry_delay(error: ApiError | TransportError, **kwargs: object) -> float | None:
    """The wait before the next attempt that `decide` orders, or None when it stops."""
    decision = decide(error, **kwargs)
    return decision.wait if decision.retry else None


@given(st.integers(1, 100), policies, st.floats(0, 1))
def test_backoff_never_exceeds_cap(attempt: int, policy: RetryPolicy, jitter: float) -> None:
    """Backoff stays within [half the capped delay, the cap]."""
    delay = backoff_delay(attempt, policy, jitter)
    assert 0 < delay <= policy.backoff_max
    capped = min(policy.backoff_max, policy.backoff_initial * 2 ** (attempt - 1))
    assert capped / 2 <= delay + 1e-12


@given(
    kinds,
    st.integers(1, 12),
    policies,
    st.booleans(),
    st.floats(0, 200),
    st.floats(0, 1),
    st.none() | st.floats(0, 10_000),
)
def test_retry_delay_respects_attempts_deadline_and_caps(
    kind: str,
    attempt: int,
    policy: RetryPolicy,
    idempotent: bool,
    elapsed: float,
    jitter: float,
    retry_after: float | None,
) -> None:
    """A retry never exceeds the attempts, never runs past the deadline, never waits past a cap."""
    error = _err(kind, retry_after)
    delay = retry_delay(
        error,
        attempt=attempt,
        policy=policy,
        idempotent=idempotent,
        elapsed=elapsed,
        jitter=jitter,
    )
    if delay is None:
        return
    assert attempt < policy.attempts
    assert delay >= 0
    assert delay <= max(policy.backoff_max, policy.max_retry_after)
    if policy.deadline is not None:
        assert elapsed + delay < policy.deadline
    assert kind != "400"
    if kind in ("500", "timeout", "dropped"):
        assert idempotent or policy.retry_unsafe


def test_rate_limited_is_retried_even_when_unsafe() -> None:
    """A 429 was not processed, so even an event send is retried, honouring Retry-After."""
    delay = retry_delay(
        _err("429", 3.0),
        attempt=1,
        policy=RetryPolicy(),
        idempotent=False,
        elapsed=0,
        jitter=0.5,
    )
    assert delay == 3.0


def test_unsafe_server_error_is_not_retried_unless_opted_in() -> None:
    """A 5xx on an event send is ambiguous: no retry by default, a retry with retry_unsafe."""
    common = {"attempt": 1, "idempotent": False, "elapsed": 0.0, "jitter": 0.0}
    assert retry_delay(_err("500"), policy=RetryPolicy(), **common) is None
    opted = RetryPolicy(retry_unsafe=True)
    assert retry_delay(_err("500"), policy=opted, **common) == 0.25


def test_refused_connection_is_always_retried() -> None:
    """A connection that never opened sent nothing, so it is safe to retry anything."""
    delay = retry_delay(
        _err("refused"),
        attempt=1,
        policy=RetryPolicy(),
        idempotent=False,
        elapsed=0,
        jitter=1.0,
    )
    assert delay == 0.5


@given(st.text())
def test_parse_retry_after_never_raises(value: str) -> None:
    """Any header value parses to a non-negative number or None."""
    parsed = parse_retry_after(value)
    assert parsed is None or parsed >= 0


@given(st.integers(0, 86_400))
def test_parse_retry_after_http_date(delta: int) -> None:
    """An HTTP date in the future parses to the seconds until then."""
    now = datetime(2026, 1, 1, tzinfo=timezone.utc)
    header = format_datetime(now + timedelta(seconds=delta), usegmt=True)
    assert parse_retry_after(header, now) == delta


def test_parse_retry_after_seconds() -> None:
    """Plain and fractional seconds parse; negatives clamp to zero."""
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after("1.5") == 1.5
    assert parse_retry_after("-3") == 0.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


@given(
    kinds,
    st.none() | st.floats(allow_nan=True, allow_infinity=True),
    policies,
    st.integers(1, 12),
    st.floats(0, 1),
)
def test_no_retry_after_value_breaks_the_decision(
    kind: str, retry_after: float | None, policy: RetryPolicy, attempt: int, jitter: float
) -> None:
    """Whatever Retry-After an error carries (NaN, infinite, negative), the wait is a finite
    number within the caps, or None."""
    error = _err(kind)
    error.retry_after = retry_after
    delay = retry_delay(
        error,
        attempt=attempt,
        policy=policy,
        idempotent=True,
        elapsed=0.0,
        jitter=jitter,
    )
    assert delay is None or 0 <= delay <= max(policy.backoff_max, policy.max_retry_after)


def test_server_error_retry_after_is_honoured_up_to_the_cap() -> None:
    """A 503 that says when to come back is retried then, not after the backoff."""
    where = {"method": "GET", "path": "fetch/tags"}
    common = {"attempt": 1, "idempotent": True, "elapsed": 0.0, "jitter": 0.0}
    soon = ServerError("busy", status=503, retry_after=2.0, **where)
    late = ServerError("busy", status=503, retry_after=600.0, **where)
    assert retry_delay(soon, policy=RetryPolicy(), **common) == 2.0
    assert retry_delay(late, policy=RetryPolicy(), **common) == 60.0


_TABLE = [
    # kind, retry_after, attempt, idempotent, retry_unsafe, elapsed, deadline -> decision
    ("400", None, 1, True, False, 0.0, None, STOP),
    ("500", None, 1, True, False, 0.0, None, Decision(retry=True, wait=0.25)),
    ("500", None, 1, False, False, 0.0, None, STOP),
    ("500", None, 1, False, True, 0.0, None, Decision(retry=True, wait=0.25)),
    ("500", 2.0, 1, True, False, 0.0, None, Decision(retry=True, wait=2.0)),
    ("500", None, 3, True, False, 0.0, None, STOP),
    ("500", None, 1, True, False, 9.9, 10.0, STOP),
    ("timeout", None, 2, True, False, 0.0, None, Decision(retry=True, wait=0.5)),
    ("timeout", None, 1, False, False, 0.0, None, STOP),
    ("dropped", None, 1, False, False, 0.0, None, STOP),
    ("refused", None, 1, False, False, 0.0, None, Decision(retry=True, wait=0.25)),
    ("429", 3.0, 1, False, False, 0.0, None, Decision(retry=True, wait=3.0, cooldown=True)),
    ("429", None, 1, False, False, 0.0, None, Decision(retry=True, wait=0.25, cooldown=True)),
    ("429", 600.0, 1, True, False, 0.0, None, Decision(retry=True, wait=60.0, cooldown=True)),
    ("429", 3.0, 3, True, False, 0.0, None, Decision(retry=False, wait=3.0, cooldown=True)),
    ("429", 3.0, 1, True, False, 8.0, 10.0, Decision(retry=False, wait=3.0, cooldown=True)),
]


@pytest.mark.parametrize(
    ("kind", "retry_after", "attempt", "idempotent", "unsafe", "elapsed", "deadline", "expected"),
    _TABLE,
)
def test_decision_table(
    kind: str,
    retry_after: float | None,
    attempt: int,
    idempotent: bool,
    unsafe: bool,
    elapsed: float,
    deadline: float | None,
    expected: Decision,
) -> None:
    """Every retry rule in one table: stop, sleep, or cool the family down (even when giving up)."""
    policy = RetryPolicy(attempts=3, retry_unsafe=unsafe, deadline=deadline)
    decision = decide(
        _err(kind, retry_after),
        attempt=attempt,
        policy=policy,
        idempotent=idempotent,
        elapsed=elapsed,
        jitter=0.0,
    )
    assert decision == expected


@given(kinds, st.integers(1, 12), policies, st.booleans(), st.floats(0, 200), st.floats(0, 1))
def test_a_429_always_cools_the_family_down(
    kind: str, attempt: int, policy: RetryPolicy, idempotent: bool, elapsed: float, jitter: float
) -> None:
    """A 429 opens the family's cooldown whether or not this call retries; nothing else does."""
    decision = decide(
        _err(kind, 1.0),
        attempt=attempt,
        policy=policy,
        idempotent=idempotent,
        elapsed=elapsed,
        jitter=jitter,
    )
    assert decision.cooldown is (kind == "429")
    if decision.cooldown:
        assert decision.wait == min(1.0, policy.max_retry_after)
