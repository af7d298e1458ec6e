"""Redis stops in the middle of a run and starts again: each policy does what it says, no
call hangs, and every event is sent once or (under "fail") not at all."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter

import pytest

from benchmarks._redis_server import RedisServer
from bento_async import (
    AsyncBento,
    RateLimit,
    RateLimits,
    RateLimitStoreError,
    RedisStore,
    RetryPolicy,
)
from bento_emulator import BentoEmulator

pytestmark = pytest.mark.anyio

LIMITS = RateLimits.profile("seed", batch=RateLimit(400, 10.0))
CALLS, EVERY = 60, 0.05  # one event every 50 ms for 3 s; Redis is down from 0.8 s to 2 s


async def run_through_an_outage(
    server: RedisServer, emulator: BentoEmulator, policy: str
) -> list[BaseException | None]:
    """Track CALLS events on two clients while Redis goes away and comes back; return
    each call's error (None: it succeeded). A call taking over 3 s counts as a hang."""
    store = RedisStore(server.url, on_error=policy, timeout=0.3)  # type: ignore[arg-type]
    clients = [
        AsyncBento(
            **emulator.credentials,
            rate_limits=LIMITS,
            rate_limit_store=store,
            retry=RetryPolicy(deadline=2.0),
        )
        for _ in range(2)
    ]

    async def call(i: int) -> BaseException | None:
        try:
            await asyncio.wait_for(clients[i % 2].events.track("a@example.com", f"e{i}"), 3.0)
        except (RateLimitStoreError, TimeoutError) as exc:
            return exc
        return None

    async def outage() -> None:
        await asyncio.sleep(0.8)
        await asyncio.to_thread(server.stop)
        await asyncio.sleep(1.2)
        await asyncio.to_thread(server.start)

    tasks = []
    stopper = asyncio.create_task(outage())
    for i in range(CALLS):
        tasks.append(asyncio.create_task(call(i)))
        await asyncio.sleep(EVERY)
    outcomes = await asyncio.gather(*tasks)
    await stopper
    for client in clients:
        await client.aclose()
    return outcomes


def sent_events(emulator: BentoEmulator) -> Counter[str]:
    """Return how many times each event type reached the emulator."""
    seen: Counter[str] = Counter()
    for request in emulator.requests:
        if request.path.endswith("batch/events") and request.status == 200:
            assert isinstance(request.json, dict)
            for event in request.json["events"]:
                seen[event["type"]] += 1
    return seen


async def test_local_policy_rides_out_the_outage(
    own_redis: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    """Under "local" every call succeeds, each event reaches the API exactly once, the
    outage is logged once as a WARNING, and the clients book in Redis again afterwards."""
    import redis

    caplog.set_level(logging.INFO, logger="bento_async")
    async with BentoEmulator(rate_limits=None) as emulator:
        outcomes = await run_through_an_outage(own_redis, emulator, "local")
    assert outcomes == [None] * CALLS
    assert sent_events(emulator) == Counter({f"e{i}": 1 for i in range(CALLS)})
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert 1 <= len(warnings) <= 2  # one line per client and outage
    assert all("in-process rate limits" in r.getMessage() for r in warnings)
    assert any("answers again" in r.getMessage() for r in caplog.records)
    client = redis.Redis.from_url(own_redis.url)
    try:
        assert client.keys("bento:{*}:batch:bucket")  # booked in the restarted Redis
    finally:
        client.close()


async def test_fail_policy_refuses_during_the_outage_and_sends_nothing_then(
    own_redis: RedisServer,
) -> None:
    """Under "fail" the calls made while Redis is down raise RateLimitStoreError and never
    reach the API; the others reach it exactly once; none hangs; calls succeed again once
    Redis is back."""
    async with BentoEmulator(rate_limits=None) as emulator:
        outcomes = await run_through_an_outage(own_redis, emulator, "fail")
    failed = {f"e{i}" for i, o in enumerate(outcomes) if o is not None}
    assert all(isinstance(o, RateLimitStoreError) for o in outcomes if o is not None)
    assert failed, "no call met the outage"
    assert outcomes[:10] == [None] * 10  # before the outage
    assert outcomes[-10:] == [None] * 10  # after Redis came back
    expected = Counter({f"e{i}": 1 for i in range(CALLS) if f"e{i}" not in failed})
    assert sent_events(emulator) == expected
