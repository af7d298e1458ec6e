"""The rate limit holds at the moment requests reach the server, whatever the connection
pool size: a small server on 127.0.0.1, slow at first and then fast, counts arrivals."""

from __future__ import annotations

import asyncio
import bisect
from collections.abc import AsyncIterator

import pytest
from aiohttp import web

from bento_async import AsyncBento, ConfigError, RateLimit, RateLimits

pytestmark = pytest.mark.anyio


class SlowThenFast:
    """Answers ``GET fetch/tags`` slowly for ``slow_for`` seconds after the first request,
    then at once; records when each request arrived (server clock)."""

    def __init__(self, slow_for: float, latency: float) -> None:
        self.slow_for = slow_for
        self.latency = latency
        self.arrivals: list[float] = []

    async def tags(self, request: web.Request) -> web.Response:
        loop = asyncio.get_running_loop()
        self.arrivals.append(loop.time())
        if loop.time() - self.arrivals[0] < self.slow_for:
            await asyncio.sleep(self.latency)
        return web.json_response({"data": []})


@pytest.fixture
async def server() -> AsyncIterator[tuple[SlowThenFast, str]]:
    """The slow-then-fast server and its base URL."""
    app_state = SlowThenFast(slow_for=1.5, latency=0.5)
    app = web.Application()
    app.router.add_get("/api/v1/fetch/tags", app_state.tags)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield app_state, f"http://127.0.0.1:{port}/api/v1"
    finally:
        await runner.cleanup()


def busiest(times: list[float], period: float) -> int:
    """Return the most arrivals in any closed window of ``period``."""
    times = sorted(times)
    return max(bisect.bisect_right(times, t + period) - i for i, t in enumerate(times))


@pytest.mark.parametrize("connections", [1, 2])
async def test_no_window_sees_more_than_the_limit_behind_a_small_pool(
    server: tuple[SlowThenFast, str], connections: int
) -> None:
    """RateLimit(10, 1, burst=2) with a pool smaller than the queue and a server slow for
    its first 1.5 s: no 1 s window of arrivals holds more than 10 requests (16 and more did
    when the slot came before the connection)."""
    state, base_url = server
    limits = RateLimits.profile("seed", fetch=RateLimit(10, 1.0, burst=2))
    async with AsyncBento(
        publishable_key="pk",
        secret_key="sk",
        site_uuid="site",
        base_url=base_url,
        rate_limits=limits,
        max_connections=connections,
    ) as bento:
        await asyncio.gather(*(bento.tags.list() for _ in range(26)))
    assert len(state.arrivals) == 26
    assert busiest(state.arrivals, 1.0) <= 10


def test_the_default_pool_holds_the_whole_seed_burst() -> None:
    """The default pool has room for every family's burst at once (108 fetch requests alone
    under the seed profile), so it never holds back what the limiter allows; a pool size
    that is not a whole number of at least 1 is a ConfigError."""
    from bento_async._sendline import pool_size

    seed = RateLimits()
    assert pool_size(seed) >= sum(
        q.burst for q in (seed.fetch, seed.batch, seed.stats, seed.experimental) if q
    )
    assert pool_size(seed) == 127
    assert pool_size(RateLimits.off()) == 100
    for wrong in (0, -1, 2.5, True):
        with pytest.raises(ConfigError, match="max_connections"):
            AsyncBento(publishable_key="pk", secret_key="sk", site_uuid="s", max_connections=wrong)  # type: ignore[arg-type]


async def test_bulk_progress_counts_the_whole_wait_in_the_line() -> None:
    """Four chunks sent at once under 2 batch requests a second count every second they
    waited, in the family's line as well as for the slot: 0 + 0.5 + 1 + 1.5 s."""
    from bento_async import BulkProgress
    from bento_emulator import BentoEmulator

    limits = RateLimits.profile("seed", batch=RateLimit(3, 1.0, burst=1))
    seen: list[BulkProgress] = []
    events = [{"email": f"u{i}@example.com", "type": "signed_up"} for i in range(4)]
    async with (
        BentoEmulator(rate_limits=None) as emulator,
        AsyncBento(**emulator.credentials, rate_limits=limits) as bento,
    ):
        result = await bento.events.track_many(
            events, chunk_size=1, concurrency=4, on_progress=seen.append
        )
    assert result.accepted == 4
    assert seen[-1].waiting == pytest.approx(3.0, abs=0.3)
