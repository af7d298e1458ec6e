"""Rate limits, retries and timeouts through the sync facade: one set of buckets for every
thread, the same typed errors, raised in the calling thread."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from bento_emulator import BentoEmulator
from bento_sync import (
    Bento,
    Hooks,
    RateLimit,
    RateLimitError,
    RateLimits,
    RateLimitWaitError,
    RequestEvent,
    RequestTimeoutError,
    RetryPolicy,
    ServerError,
)

FAST = RetryPolicy(attempts=3, backoff_initial=0.01, backoff_max=0.05)


def busiest(times: list[float], period: float) -> int:
    """Return the most times any closed window of `period` holds."""
    times = sorted(times)
    return max(sum(1 for t in times if start <= t <= start + period) for start in times)


def test_threads_share_one_set_of_buckets() -> None:
    """Eight threads on one client together stay under the client's quota: with a bucket
    per thread they would send eight bursts at once."""
    quota = RateLimit(6, 0.5, burst=2)
    sent: list[float] = []
    with (
        BentoEmulator(rate_limits=None) as emulator,
        Bento(
            **emulator.credentials,
            rate_limits=RateLimits.profile("seed", fetch=quota),
            hooks=Hooks(on_request=lambda e: sent.append(time.monotonic())),
        ) as client,
    ):
        with ThreadPoolExecutor(8) as pool:
            results = list(pool.map(lambda _: client.tags.list(), range(16)))
        threads = [t for t in threading.enumerate() if t.name == "bento-sync"]
    assert results == [[]] * 16
    assert len(threads) <= 1  # one loop thread at most, however many threads call
    assert busiest(sent, quota.period) <= quota.limit
    assert len(sent) == 16


def test_retries_work_through_the_facade(threaded_emulator: BentoEmulator) -> None:
    """Injected 5xx are retried on the loop thread; the caller just gets the answer."""
    threaded_emulator.faults.fail_next(2, status=503)
    with Bento(**threaded_emulator.credentials, retry=FAST, rate_limits=RateLimits.off()) as c:
        assert c.tags.list() == []
    assert [r.status for r in threaded_emulator.requests] == [503, 503, 200]


def test_unsafe_event_is_not_repeated_through_the_facade(
    threaded_emulator: BentoEmulator,
) -> None:
    """An event that met a 502 is raised after one attempt, as in the async client."""
    threaded_emulator.faults.fail_next(1, status=502)
    client = Bento(**threaded_emulator.credentials, retry=FAST, rate_limits=RateLimits.off())
    with client, pytest.raises(ServerError) as info:
        client.events.track("jesse@example.com", "signed_up")
    assert info.value.attempts == 1
    assert len(threaded_emulator.requests) == 1


def test_max_wait_raises_in_the_caller(threaded_emulator: BentoEmulator) -> None:
    """A capped wait for a slot raises RateLimitWaitError in the calling thread."""
    limits = RateLimits.profile("seed", fetch=RateLimit(2, 60, burst=1))
    with Bento(**threaded_emulator.credentials, rate_limits=limits) as client:
        client.tags.list()
        with pytest.raises(RateLimitWaitError) as info:
            client.with_options(max_wait=1).tags.list()
    assert info.value.needed > 25
    assert len(threaded_emulator.requests) == 1


def test_per_call_timeout_through_the_facade(threaded_emulator: BentoEmulator) -> None:
    """with_options(timeout=...) on the sync client bounds a stalled call."""
    threaded_emulator.faults.stall(0.6)
    sent: list[RequestEvent] = []
    with (
        Bento(
            **threaded_emulator.credentials,
            timeout=30,
            retry=RetryPolicy.none(),
            rate_limits=RateLimits.off(),
            hooks=Hooks(on_request=sent.append),
        ) as client,
        pytest.raises(RequestTimeoutError),
    ):
        client.with_options(timeout=0.2).tags.list()
    assert len(sent) == 1


def test_cooldown_is_shared_by_threads() -> None:
    """A 429 met by one thread holds the others: nobody sends during its Retry-After."""
    sent: list[float] = []
    answered: list[tuple[float, int | None]] = []
    with BentoEmulator(rate_limits=None) as emulator:
        emulator.faults.fail_next(1, status=429, retry_after=0.5)
        with Bento(
            **emulator.credentials,
            rate_limits=RateLimits.off(),
            hooks=Hooks(
                on_request=lambda e: sent.append(time.monotonic()),
                on_response=lambda e: answered.append((time.monotonic(), e.status)),
            ),
        ) as client:
            with pytest.raises(RateLimitError):
                client.with_options(retry=RetryPolicy.none()).tags.list()
            with ThreadPoolExecutor(4) as pool:
                list(pool.map(lambda _: client.tags.list(), range(8)))
    limited_at = next(t for t, status in answered if status == 429)
    assert not [t for t in sent if limited_at < t < limited_at + 0.5 - 0.01]
