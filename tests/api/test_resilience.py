"""Retries, timeouts, cooldowns and rate-limit waits of the async client, against injected
faults and limits of the emulator, over real sockets."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

import pytest

from bento_async import (
    AsyncBento,
    ConnectError,
    DecodeError,
    Hooks,
    PermissionDeniedError,
    RateLimit,
    RateLimits,
    RateLimitWaitError,
    RequestEvent,
    RequestTimeoutError,
    ResponseEvent,
    RetryEvent,
    RetryPolicy,
    ServerError,
)
from bento_emulator import BentoEmulator

pytestmark = pytest.mark.anyio

EMAIL = "jesse@example.com"
FAST = RetryPolicy(attempts=3, backoff_initial=0.01, backoff_max=0.05)


@pytest.fixture
def sent() -> list[RequestEvent]:
    """The requests `quick` sent, as its on_request hook saw them."""
    return []


@pytest.fixture
async def quick(emulator: BentoEmulator, sent: list[RequestEvent]) -> AsyncIterator[AsyncBento]:
    """A client with short backoffs and timeouts and client-side limits off."""
    async with AsyncBento(
        **emulator.credentials,
        retry=FAST,
        timeout=0.3,
        rate_limits=RateLimits.off(),
        hooks=Hooks(on_request=sent.append),
    ) as client:
        yield client


def attempts_at(emulator: BentoEmulator, path: str) -> int:
    """Return how many requests to `path` reached the emulator."""
    return sum(1 for r in emulator.requests if r.path.endswith(path))


@pytest.mark.parametrize(
    "inject",
    [
        lambda f: f.fail_next(2, status=503),
        lambda f: f.fail_next(1, status=500),
        lambda f: f.stall(0.5),
        lambda f: f.reset_connection(),
    ],
    ids=["503", "500", "stall", "reset"],
)
async def test_safe_requests_are_retried(
    quick: AsyncBento, emulator: BentoEmulator, sent: list[RequestEvent], inject: object
) -> None:
    """A read survives 5xx, a timeout and a dropped connection by retrying."""
    inject(emulator.faults)  # type: ignore[operator]
    assert await quick.tags.list() == []
    assert emulator.faults.rules == []
    assert [e.attempt for e in sent] in ([1, 2], [1, 2, 3])


@pytest.mark.parametrize(
    ("inject", "error"),
    [
        (lambda f: f.fail_next(1, status=502), ServerError),
        (lambda f: f.stall(0.5), RequestTimeoutError),
        (lambda f: f.reset_connection(), ConnectError),
    ],
    ids=["502", "stall", "reset"],
)
async def test_events_are_not_repeated_after_an_ambiguous_failure(
    quick: AsyncBento,
    emulator: BentoEmulator,
    sent: list[RequestEvent],
    inject: object,
    error: type[Exception],
) -> None:
    """An event may already have fired automations, so a failure is raised after one try."""
    inject(emulator.faults)  # type: ignore[operator]
    with pytest.raises(error) as info:
        await quick.events.track(EMAIL, "signed_up")
    assert info.value.attempts == 1  # type: ignore[attr-defined]
    assert len(sent) == 1


async def test_stalled_event_ran_once_and_opt_in_repeats_it(emulator: BentoEmulator) -> None:
    """A stalled event was processed although the client timed out: by default it is not
    sent again; with retry_unsafe it is, and the automation fires twice."""
    policy = RetryPolicy(attempts=2, backoff_initial=0.01)
    async with AsyncBento(
        **emulator.credentials, retry=policy, timeout=0.2, rate_limits=RateLimits.off()
    ) as client:
        emulator.faults.stall(0.5)
        with pytest.raises(RequestTimeoutError):
            await client.events.track(EMAIL, "signed_up")
        await asyncio.sleep(0.4)  # the stalled request finishes on the server
        assert len(emulator.state.automations) == 1
        emulator.faults.stall(0.5)
        opted = client.with_options(retry=RetryPolicy(attempts=2, retry_unsafe=True))
        assert (await opted.events.track(EMAIL, "signed_up")).results == 1
        await asyncio.sleep(0.4)
    assert len(emulator.state.automations) == 3


async def test_purchases_are_safe_to_repeat(quick: AsyncBento, emulator: BentoEmulator) -> None:
    """A purchase is de-duplicated by its key, so a 503 is retried and revenue counts once."""
    emulator.faults.fail_next(1, status=503)
    emulator.faults.stall(0.5, path="batch/events")
    result = await quick.events.track_purchase(EMAIL, key="order-1", amount=500)
    assert result.results == 1
    await asyncio.sleep(0.3)  # let the stalled copy land too
    assert emulator.state.revenue_of(EMAIL) == {"USD": 500}


async def test_bad_bodies_are_typed_and_not_retried(
    quick: AsyncBento, emulator: BentoEmulator
) -> None:
    """Invalid JSON gives DecodeError; Cloudflare's HTML 403 gives PermissionDeniedError."""
    emulator.faults.invalid_json()
    with pytest.raises(DecodeError, match="not JSON"):
        await quick.tags.list()
    emulator.faults.html_403()
    with pytest.raises(PermissionDeniedError, match="HTML page"):
        await quick.tags.list()
    assert attempts_at(emulator, "fetch/tags") == 2


async def test_final_error_carries_attempts_and_last_retry_after(
    quick: AsyncBento, emulator: BentoEmulator
) -> None:
    """After a 429 and two 5xx, the error says three attempts and keeps the Retry-After."""
    emulator.faults.fail_next(1, status=429, retry_after=0.05)
    emulator.faults.fail_next(2, status=503)
    with pytest.raises(ServerError) as info:
        await quick.tags.list()
    assert info.value.attempts == 3
    assert info.value.retry_after == 0.05
    assert "after 3 attempts" in str(info.value)


async def test_429_cooldown_honours_retry_after_and_sends_one_probe() -> None:
    """Past the server's window, a 429's Retry-After holds every caller of the family; then
    one probe goes alone, and the others follow once it has answered."""
    server = RateLimits.profile("seed", fetch=RateLimit(4, 1.0))
    sends: list[tuple[float, int]] = []
    answers: list[tuple[float, int | None]] = []
    async with BentoEmulator(rate_limits=server) as emulator:
        loop = asyncio.get_running_loop()
        hooks = Hooks(
            on_request=lambda e: sends.append((loop.time(), e.attempt)),
            on_response=lambda e: answers.append((loop.time(), e.status)),
        )
        policy = RetryPolicy(attempts=6, backoff_initial=0.05, max_retry_after=5)
        async with AsyncBento(
            **emulator.credentials, retry=policy, rate_limits=RateLimits.off(), hooks=hooks
        ) as client:
            results = await asyncio.gather(*(client.tags.list() for _ in range(8)))
    assert results == [[]] * 8
    first_429 = min(t for t, status in answers if status == 429)
    later = sorted(t for t, _ in sends if t > first_429)
    assert later[0] >= first_429 + 1.0 - 0.01  # Retry-After: 1
    probe_answer = min(t for t, _ in answers if t > later[0])
    assert [t for t in later if t < probe_answer] == [later[0]]


async def test_max_wait_fails_fast_with_a_typed_error(emulator: BentoEmulator) -> None:
    """A call that would wait longer than max_wait for a slot raises at once, sending nothing."""
    limits = RateLimits.profile("seed", fetch=RateLimit(2, 60, burst=1))
    async with AsyncBento(**emulator.credentials, rate_limits=limits) as client:
        await client.tags.list()
        loop = asyncio.get_running_loop()
        start = loop.time()
        with pytest.raises(RateLimitWaitError) as info:
            await client.with_options(max_wait=0.5).tags.list()
        assert loop.time() - start < 0.25  # refused on the estimate, not after waiting
    assert info.value.family == "fetch"
    assert info.value.needed > 25
    assert info.value.allowed == 0.5
    assert attempts_at(emulator, "fetch/tags") == 1


async def test_cancelled_wait_takes_no_slot(emulator: BentoEmulator) -> None:
    """Cancelling a caller parked on the limiter sends nothing and leaves its slot to the
    next caller, who goes when the cancelled one would have."""
    limits = RateLimits.profile("seed", fetch=RateLimit(2, 1.0, burst=1))
    sent: list[float] = []
    async with AsyncBento(
        **emulator.credentials,
        rate_limits=limits,
        hooks=Hooks(on_request=lambda e: sent.append(asyncio.get_running_loop().time())),
    ) as client:
        await client.tags.list()
        waiting = asyncio.create_task(client.tags.list())
        await asyncio.sleep(0.2)
        waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiting
        assert attempts_at(emulator, "fetch/tags") == 1
        await client.tags.list()
    assert sent[1] - sent[0] == pytest.approx(1.0, abs=0.15)


async def test_deadline_spans_all_attempts(emulator: BentoEmulator) -> None:
    """With failures forever, the deadline ends the call: several attempts, not the fifty
    allowed, and no wait started past it."""
    emulator.faults.fail_fraction(1.0, status=503)
    policy = RetryPolicy(attempts=50, backoff_initial=0.05, backoff_max=0.1, deadline=0.5)
    async with AsyncBento(
        **emulator.credentials, retry=policy, rate_limits=RateLimits.off()
    ) as client:
        loop = asyncio.get_running_loop()
        start = loop.time()
        with pytest.raises(ServerError) as info:
            await client.tags.list()
        elapsed = loop.time() - start
    assert 2 <= info.value.attempts < 50
    assert info.value.attempts == attempts_at(emulator, "fetch/tags")
    assert elapsed < 0.5 + 0.2


async def test_deadline_cuts_a_stalled_attempt_short(emulator: BentoEmulator) -> None:
    """A deadline shorter than the timeout bounds a stalled request too."""
    emulator.faults.stall(0.6)
    policy = RetryPolicy(deadline=0.3)
    async with AsyncBento(
        **emulator.credentials, retry=policy, timeout=30, rate_limits=RateLimits.off()
    ) as client:
        loop = asyncio.get_running_loop()
        start = loop.time()
        with pytest.raises(RequestTimeoutError):
            await client.tags.list()
        assert loop.time() - start < 0.3 + 0.2


async def test_per_call_timeout_override(emulator: BentoEmulator) -> None:
    """with_options(timeout=...) gives one call a shorter timeout than the client's."""
    emulator.faults.stall(0.5)
    async with AsyncBento(
        **emulator.credentials, timeout=30, retry=RetryPolicy.none(), rate_limits=RateLimits.off()
    ) as client:
        with pytest.raises(RequestTimeoutError, match=r"total 0\.2s"):
            await client.with_options(timeout=0.2).tags.list()
    assert client.config.timeouts.total == 30


async def test_hooks_see_every_attempt(emulator: BentoEmulator) -> None:
    """on_request, on_response and on_retry fire for each attempt, with what happened."""
    requests: list[RequestEvent] = []
    responses: list[ResponseEvent] = []
    retries: list[RetryEvent] = []
    hooks = Hooks(on_request=requests.append, on_response=responses.append, on_retry=retries.append)
    emulator.faults.fail_next(1, status=503)
    async with AsyncBento(
        **emulator.credentials, retry=FAST, rate_limits=RateLimits.off(), hooks=hooks
    ) as client:
        await client.tags.list()
    assert [(e.path, e.family, e.attempt) for e in requests] == [
        ("fetch/tags", "fetch", 1),
        ("fetch/tags", "fetch", 2),
    ]
    assert [e.status for e in responses] == [503, 200]
    assert len(retries) == 1
    assert isinstance(retries[0].error, ServerError)
    assert 0 < retries[0].delay <= FAST.backoff_max


async def test_debug_log_tells_the_story(
    emulator: BentoEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    """At DEBUG the logger shows each request, retry, cooldown and limiter wait."""
    caplog.set_level(logging.DEBUG, logger="bento_async")
    emulator.faults.fail_next(1, status=429, retry_after=0.05)
    emulator.faults.fail_next(1, status=503)
    limits = RateLimits.profile("seed", fetch=RateLimit(20, 1.0, burst=1))
    async with AsyncBento(**emulator.credentials, retry=FAST, rate_limits=limits) as client:
        await client.tags.list()
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert "GET fetch/tags -> 429" in text
    assert "cooling down for 0.05s" in text
    assert "retrying in" in text
    assert "probe" in text
    assert "waited" in text
    assert "rate-limit slot" in text
    assert all(r.levelno == logging.DEBUG for r in caplog.records)


async def test_dropped_get_is_not_resent_behind_the_limiter(emulator: BentoEmulator) -> None:
    """aiohttp's own silent re-send of a GET on a dropped connection is off: with retries
    off the drop is an error, and the server saw exactly one request."""
    emulator.faults.reset_connection(path="fetch/tags")
    async with AsyncBento(
        **emulator.credentials, retry=RetryPolicy.none(), rate_limits=RateLimits.off()
    ) as client:
        with pytest.raises(ConnectError):
            await client.tags.list()
    arrivals = [r for r in emulator.requests if r.path.endswith("fetch/tags")]
    assert len(arrivals) == 1
