"""The Redis limiter backend against a real redis-server and the emulator over real sockets:
one quota per site and family for every client, shared cooldowns, email units, and what
happens when Redis is unreachable or slow."""

from __future__ import annotations

import asyncio
import logging
import socket
import time
from collections.abc import Iterator

import attrs
import pytest

from benchmarks._redis_server import RedisServer
from bento_async import (
    AsyncBento,
    ConfigError,
    Email,
    RateLimit,
    RateLimits,
    RateLimitStoreError,
    RateLimitWaitError,
    RedisStore,
    RetryPolicy,
)
from bento_emulator import BentoEmulator
from bento_sync import Bento

pytestmark = pytest.mark.anyio

FETCH = RateLimits(fetch=RateLimit(20, 1.0), batch=None, stats=None, experimental=None, emails=None)


async def hammer(clients: list[AsyncBento], seconds: float, tasks_each: int = 4) -> int:
    """Keep every client busy with `tags.list()` for `seconds`; return the calls made."""
    loop = asyncio.get_running_loop()
    stop = loop.time() + seconds
    done = 0

    async def worker(client: AsyncBento) -> None:
        nonlocal done
        while loop.time() < stop:
            await client.tags.list()
            done += 1

    await asyncio.gather(*(worker(c) for c in clients for _ in range(tasks_each)))
    return done


def statuses(emulator: BentoEmulator, status: int) -> int:
    """Return how many requests the emulator answered with `status`."""
    return sum(1 for r in emulator.requests if r.status == status)


async def test_clients_of_one_site_share_one_quota(store: RedisStore) -> None:
    """Three clients on one site, each its own AsyncBento, share one quota through Redis:
    no 429, no window over the limit, and together they still use the quota; without the
    store the same three meet 429s (each believes it owns the quota)."""
    async with BentoEmulator(rate_limits=FETCH) as emulator:
        clients = [
            AsyncBento(**emulator.credentials, rate_limits=FETCH, rate_limit_store=store)
            for _ in range(3)
        ]
        start = time.monotonic()
        await hammer(clients, 2.0)
        elapsed = time.monotonic() - start
        for client in clients:
            await client.aclose()
        assert statuses(emulator, 429) == 0
        assert emulator.peak_window("fetch") <= 20
        assert statuses(emulator, 200) >= 0.8 * 19 * elapsed  # the fleet test measures 95%
        emulator.reset()
        alone = [AsyncBento(**emulator.credentials, rate_limits=FETCH) for _ in range(3)]
        await hammer(alone, 1.0, tasks_each=2)
        for client in alone:
            await client.aclose()
        assert statuses(emulator, 429) > 0


async def test_sites_and_prefixes_keep_separate_budgets(store: RedisStore) -> None:
    """A client of another site, or under another prefix, draws on its own quota: it goes
    at once while the first site's next slot is seconds away."""
    quota = RateLimits.profile("seed", fetch=RateLimit(2, 30.0, burst=1))
    async with BentoEmulator(rate_limits=None) as one, BentoEmulator(rate_limits=None) as two:
        first = AsyncBento(**one.credentials, rate_limits=quota, rate_limit_store=store)
        again = AsyncBento(**one.credentials, rate_limits=quota, rate_limit_store=store)
        other_site = AsyncBento(**two.credentials, rate_limits=quota, rate_limit_store=store)
        other_prefix = AsyncBento(
            **one.credentials,
            rate_limits=quota,
            rate_limit_store=attrs.evolve(store, prefix=store.prefix + "-x"),
        )
        try:
            await first.tags.list()
            with pytest.raises(RateLimitWaitError) as info:
                await again.with_options(max_wait=1).tags.list()
            assert info.value.needed > 25
            await other_site.with_options(max_wait=1).tags.list()
            await other_prefix.with_options(max_wait=1).tags.list()
        finally:
            for client in (first, again, other_site, other_prefix):
                await client.aclose()
        assert len(one.requests) == 2
        assert len(two.requests) == 1


async def test_a_429_seen_by_one_client_holds_every_client(store: RedisStore) -> None:
    """Client A meets a 429 with Retry-After 1; client B, another AsyncBento on the same
    store, sends nothing until the cooldown is over, and then only after one probe."""
    async with BentoEmulator(rate_limits=None) as emulator:
        a = AsyncBento(**emulator.credentials, rate_limits=FETCH, rate_limit_store=store)
        b = AsyncBento(**emulator.credentials, rate_limits=FETCH, rate_limit_store=store)
        emulator.faults.fail_next(1, 429, retry_after=1)
        try:
            first = asyncio.create_task(a.tags.list())
            await asyncio.sleep(0.3)  # A has its 429 by now; B's callers arrive
            await asyncio.gather(first, *(b.tags.list() for _ in range(5)))
        finally:
            await a.aclose()
            await b.aclose()
        times = [r.received_at for r in emulator.requests]
        assert emulator.requests[0].status == 429
        assert len(times) == 7
        assert not [t for t in times[1:] if t < times[0] + 0.99]  # nobody inside the cooldown
        probe = times[1]
        assert times[2] >= probe  # the others only after the probe went


async def test_email_units_count_across_clients(store: RedisStore) -> None:
    """Two clients sending batches of 4 emails keep the shared email pace of 10 per 2 s:
    the emulator refuses none and never sees more than 10 emails in a window."""
    limits = RateLimits(
        fetch=None,
        batch=RateLimit(100, 2.0),
        stats=None,
        experimental=None,
        emails=RateLimit(10, 2.0),
    )
    batch = [Email(f"u{i}@example.com", "jesse@example.com", "Hi", "<p>Hi</p>") for i in range(4)]
    async with BentoEmulator(rate_limits=limits) as emulator:
        clients = [
            AsyncBento(**emulator.credentials, rate_limits=limits, rate_limit_store=store)
            for _ in range(2)
        ]
        try:
            await asyncio.gather(*(c.emails.send_batch(batch) for c in clients for _ in range(4)))
        finally:
            for client in clients:
                await client.aclose()
        sends = [r for r in emulator.requests if r.path.endswith("batch/emails")]
        assert [r.status for r in sends] == [200] * 8
        times = sorted(r.received_at for r in sends)
        assert max(sum(1 for t in times if s - 2.0 < t <= s) for s in times) * 4 <= 10


def dead_port() -> int:
    """Return a loopback port with nothing listening."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A port that accepts connections and never answers (a Redis that hangs)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    try:
        yield server.getsockname()[1]
    finally:
        server.close()


@pytest.mark.parametrize("hangs", [False, True], ids=["unreachable", "silent"])
async def test_fail_policy_raises_and_sends_nothing(
    emulator: BentoEmulator, silent_server: int, hangs: bool
) -> None:
    """With on_error="fail", an unreachable or silent Redis gives RateLimitStoreError within
    the store's timeout, nothing reaches the API, and the password is never shown."""
    port = silent_server if hangs else dead_port()
    store = RedisStore(f"redis://:hunter2@127.0.0.1:{port}/0", on_error="fail", timeout=0.3)
    async with AsyncBento(**emulator.credentials, rate_limit_store=store) as bento:
        started = time.monotonic()
        with pytest.raises(RateLimitStoreError) as info:
            await bento.tags.list()
        assert time.monotonic() - started < 2.0
        assert "hunter2" not in str(info.value)
        assert "hunter2" not in repr(bento.config)
    assert emulator.requests == []


async def test_local_policy_falls_back_with_one_warning(
    emulator: BentoEmulator, silent_server: int, caplog: pytest.LogCaptureFixture
) -> None:
    """With on_error="local" (the default), a silent Redis costs one timeout, one WARNING,
    and the calls go on under the in-process limits, none waiting past its max_wait."""
    store = RedisStore(f"redis://127.0.0.1:{silent_server}/0", timeout=0.3)
    caplog.set_level(logging.WARNING, logger="bento_async")
    async with AsyncBento(**emulator.credentials, rate_limit_store=store) as bento:
        started = time.monotonic()
        capped = bento.with_options(max_wait=0.5)
        await asyncio.gather(*(capped.tags.list() for _ in range(5)))
        for _ in range(3):
            await capped.tags.list()
        assert time.monotonic() - started < 2.0
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "in-process rate limits" in warnings[0].getMessage()
    assert len(emulator.requests) == 8


async def test_a_slow_store_never_holds_a_call_past_its_deadline(
    emulator: BentoEmulator, silent_server: int
) -> None:
    """A store slower than the call's max_wait ends the wait at max_wait, not at the store's
    timeout: the caller's bound wins."""
    store = RedisStore(f"redis://127.0.0.1:{silent_server}/0", on_error="fail", timeout=5.0)
    async with AsyncBento(
        **emulator.credentials, rate_limit_store=store, retry=RetryPolicy(deadline=0.4)
    ) as bento:
        started = time.monotonic()
        with pytest.raises(RateLimitWaitError):
            await bento.tags.list()
        assert time.monotonic() - started < 1.5
    assert emulator.requests == []


def test_the_store_comes_from_the_argument_or_the_environment(
    monkeypatch: pytest.MonkeyPatch, redis_server: object
) -> None:
    """BENTO_RATE_LIMIT_STORE sets the store when no argument does; the sync client takes
    the same option; a URL that is not Redis is a ConfigError; no password is shown."""
    creds = {"publishable_key": "pk", "secret_key": "sk", "site_uuid": "site"}
    monkeypatch.setenv("BENTO_RATE_LIMIT_STORE", "redis://:hunter2@127.0.0.1:6390/1")
    config = AsyncBento(**creds).config
    assert config.rate_limit_store == RedisStore("redis://:hunter2@127.0.0.1:6390/1")
    assert "hunter2" not in repr(config)
    given = AsyncBento(**creds, rate_limit_store="redis://127.0.0.1:1/0").config
    assert given.rate_limit_store is not None
    assert given.rate_limit_store.url == "redis://127.0.0.1:1/0"
    with Bento(
        **creds, rate_limit_store=RedisStore("redis://127.0.0.1:1/0", on_error="fail")
    ) as sync:
        assert sync._async.config.rate_limit_store == RedisStore(
            "redis://127.0.0.1:1/0", on_error="fail"
        )
    monkeypatch.delenv("BENTO_RATE_LIMIT_STORE")
    assert AsyncBento(**creds).config.rate_limit_store is None
    with pytest.raises(ConfigError, match="redis://"):
        AsyncBento(**creds, rate_limit_store="http://:hunter2@example.com")
    with pytest.raises(ConfigError) as info:
        RedisStore("memcached://:hunter2@x", on_error="fail")
    assert "hunter2" not in str(info.value)
    with pytest.raises(ConfigError):
        RedisStore("redis://x", on_error="retry")  # type: ignore[arg-type]


async def test_a_sync_client_shares_the_quota_with_an_async_one(store: RedisStore) -> None:
    """A Bento (its own loop thread) and an AsyncBento on one store share one budget."""
    quota = RateLimits.profile("seed", fetch=RateLimit(2, 30.0, burst=1))
    async with BentoEmulator(rate_limits=None) as emulator:
        with Bento(**emulator.credentials, rate_limits=quota, rate_limit_store=store) as sync:
            await asyncio.to_thread(sync.tags.list)
        async with AsyncBento(
            **emulator.credentials, rate_limits=quota, rate_limit_store=store
        ) as bento:
            with pytest.raises(RateLimitWaitError):
                await bento.with_options(max_wait=1).tags.list()
        assert len(emulator.requests) == 1


def test_the_cli_takes_the_store(redis_server: RedisServer) -> None:
    """`--rate-limit-store` makes a command book its requests in the shared Redis quota,
    and a store that is not Redis is a usage error (exit 2)."""
    import redis
    from click.testing import CliRunner

    from bento_cli._commands import cli

    runner = CliRunner()
    args = ["tags", "list", "--emulator", "--json", "--rate-limit-store", redis_server.url]
    result = runner.invoke(cli, args, catch_exceptions=False)
    assert (result.exit_code, result.stdout.strip()) == (0, "[]")
    client = redis.Redis.from_url(redis_server.url)
    try:
        assert client.keys("bento:{*}:fetch:bucket")
    finally:
        client.close()
    args[-1] = "http://example.com"
    assert runner.invoke(cli, args, catch_exceptions=False).exit_code == 2


async def test_a_cooldown_opened_while_a_booked_request_waits_holds_it(
    store: RedisStore,
) -> None:
    """Client B has booked its next departures; client A then meets a 429 (a 2 s cooldown):
    B's booked requests do not leave inside the cooldown, and after it one probe goes
    first."""
    quota = RateLimits.profile("seed", fetch=RateLimit(3, 1.0, burst=1))
    async with BentoEmulator(rate_limits=None) as emulator:
        a = AsyncBento(**emulator.credentials, rate_limits=quota, rate_limit_store=store)
        b = AsyncBento(**emulator.credentials, rate_limits=quota, rate_limit_store=store)
        try:
            waiting = [asyncio.create_task(b.tags.list()) for _ in range(3)]
            await asyncio.sleep(0.2)  # B's first went at once; its second is booked ~0.5 s
            opened = time.monotonic()
            a._shared.limiters.cooldown("fetch", 2.0)  # what A does on a 429
            await asyncio.gather(*waiting)
        finally:
            await a.aclose()
            await b.aclose()
    times = [r.received_at for r in emulator.requests]
    assert len(times) == 3
    assert times[1] >= opened + 1.9  # held to the end of the cooldown, not sent at ~0.5 s
    assert times[2] >= times[1]  # the probe first
