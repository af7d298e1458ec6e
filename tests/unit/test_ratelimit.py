"""Property tests of the client's rate limiter, on a virtual clock (exact, and instant).

The limiter under test is the real one (aiolimiter buckets, the cooldown gate, max_wait);
only the event loop's clock is virtual (see `virtual_time`).
"""

from __future__ import annotations

import asyncio
import bisect

import pytest
from aiolimiter import AsyncLimiter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from virtual_time import Deadlock, run_virtual

from bento_async import ConfigError, RateLimit, RateLimits, RateLimitWaitError
from bento_async._ratelimit import Limiters, free_capacity, wait_floor

SLOW = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def limits_for(limit: RateLimit | None) -> Limiters:
    """Limiters with `limit` on the fetch family and everything else off."""
    return Limiters(RateLimits(fetch=limit, batch=None, stats=None, experimental=None, emails=None))


def max_in_window(times: list[float], period: float, *, closed: bool) -> int:
    """Return the largest number of times in any window of `period` (closed or half-open)."""
    times = sorted(times)
    best = 0
    for i, start in enumerate(times):
        end = start + period
        j = bisect.bisect_right(times, end) if closed else bisect.bisect_left(times, end)
        best = max(best, j - i)
    return best


@st.composite
def rate_limits(draw: st.DrawFn, max_limit: int = 300) -> RateLimit:
    """A quota with either the default burst or a drawn one."""
    limit = draw(st.integers(1, max_limit))
    period = draw(st.floats(0.5, 7200.0))
    if limit == 1 or draw(st.booleans()):
        return RateLimit(limit, period)
    return RateLimit(limit, period, burst=draw(st.integers(1, limit - 1)))


arrivals = st.lists(
    st.tuples(st.floats(0, 3.0), st.integers(1, 40)),  # (gap in periods, callers arriving)
    min_size=1,
    max_size=12,
)


async def admit_all(
    limiters: Limiters, schedule: list[tuple[float, int]], period: float
) -> list[float]:
    """Start callers in waves; return the virtual times at which their slots were granted."""
    loop = asyncio.get_running_loop()
    granted: list[float] = []

    async def caller() -> None:
        permit = await limiters.acquire("fetch")
        granted.append(loop.time())
        permit.settle(False)

    tasks = []
    for gap, count in schedule:
        await asyncio.sleep(gap * period)
        tasks += [asyncio.create_task(caller()) for _ in range(count)]
    await asyncio.gather(*tasks)
    return granted


@SLOW
@given(rate_limits(), arrivals)
def test_no_window_ever_sees_more_than_the_limit(limit: RateLimit, schedule: list) -> None:
    """Whatever the arrivals, no window of the period holds more grants than the limit."""
    granted = run_virtual(lambda: admit_all(limits_for(limit), schedule, limit.period))
    assert len(granted) == sum(count for _, count in schedule)
    # Closed windows [t, t + period] for limits of 2 or more; a limit of 1 leaves one slot
    # per period, so two grants can sit exactly a period apart (the half-open window holds).
    closed = limit.limit >= 2
    assert max_in_window(granted, limit.period, closed=closed) <= limit.limit


async def grants_within(limit: RateLimit, callers: int, horizon: float) -> list[float]:
    """Keep `callers` waiting from time 0; return the grant times up to `horizon`."""
    limiters = limits_for(limit)
    loop = asyncio.get_running_loop()
    granted: list[float] = []

    async def caller() -> None:
        await limiters.acquire("fetch")
        granted.append(loop.time())

    tasks = [asyncio.create_task(caller()) for _ in range(callers)]
    await asyncio.sleep(horizon)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    return [t for t in granted if t <= horizon]


@settings(max_examples=25, deadline=None)
@given(st.integers(34, 400), st.floats(1.0, 7200.0), st.integers(2, 5))
def test_default_burst_sustains_97_percent(limit: int, period: float, periods: int) -> None:
    """Under constant demand, the default burst lets through at least 97% of the quota."""
    quota = RateLimit(limit, period)
    granted = run_virtual(lambda: grants_within(quota, limit * periods + 5, periods * period))
    assert 0.97 * limit * periods <= len(granted) <= limit * periods


@pytest.mark.parametrize("profile", ["seed", "docs"])
@pytest.mark.parametrize("family", ["fetch", "batch", "stats", "experimental", "emails"])
def test_profiles_precision(profile: str, family: str) -> None:
    """Each profile's quota over three busy periods: no window over it, and 97% of it used
    (for quotas of 34 or more; below that one slot of headroom is (limit - 1) / limit)."""
    quota = RateLimits.profile(profile).for_family(family)  # type: ignore[arg-type]
    assert quota is not None
    horizon = 3 * quota.period
    granted = run_virtual(lambda: grants_within(quota, 3 * quota.limit + 5, horizon))
    assert max_in_window(granted, quota.period, closed=True) <= quota.limit
    floor = 0.97 if quota.limit >= 34 else (quota.limit - 1) / quota.limit
    assert floor * 3 * quota.limit <= len(granted) <= 3 * quota.limit


async def grant_times(
    limit: RateLimit, callers: int, cancel_at: dict[int, float] | None = None
) -> list[float]:
    """Start `callers` at once; cancel caller i at `cancel_at[i]` periods; return grant times."""
    limiters = limits_for(limit)
    loop = asyncio.get_running_loop()
    granted: list[float] = []

    async def caller() -> None:
        await limiters.acquire("fetch")
        granted.append(loop.time())

    async def cancel_later(task: asyncio.Task[None], when: float) -> None:
        await asyncio.sleep(when * limit.period)
        task.cancel()

    tasks = [asyncio.create_task(caller()) for _ in range(callers)]
    cancellers = [
        asyncio.create_task(cancel_later(tasks[i], when)) for i, when in (cancel_at or {}).items()
    ]
    await asyncio.gather(*tasks, return_exceptions=True)
    await asyncio.gather(*cancellers)
    return sorted(granted)


@SLOW
@given(rate_limits(max_limit=60), st.integers(1, 60), st.lists(st.floats(0.0, 3.0), max_size=30))
def test_cancelled_waiters_take_no_slot(limit: RateLimit, keep: int, cancel_at: list) -> None:
    """Callers cancelled while waiting leave no hole: the k-th grant still comes at the k-th
    slot of an uncancelled run, whoever gets it."""
    callers = keep + len(cancel_at)
    order = [*range(1, callers, 2), *range(0, callers, 2)]  # interleaved with the kept ones
    doomed = dict(zip(order, cancel_at, strict=False))
    slots = run_virtual(lambda: grant_times(limit, callers))
    granted = run_virtual(lambda: grant_times(limit, callers, doomed))
    assert keep <= len(granted) <= callers
    assert granted == pytest.approx(slots[: len(granted)], abs=1e-6)


@SLOW
@given(rate_limits(max_limit=50), st.integers(0, 80), st.floats(0, 2.0), st.floats(0, 3.0))
def test_max_wait_fails_fast_and_never_overstays(
    limit: RateLimit, ahead: int, arrive: float, max_wait: float
) -> None:
    """A capped caller succeeds exactly when the wait fits, and fails at once when not."""
    arrive *= limit.period
    max_wait *= limit.period

    async def main(cap: float | None) -> tuple[RateLimitWaitError | None, float]:
        limiters = limits_for(limit)
        loop = asyncio.get_running_loop()
        queued = [asyncio.create_task(limiters.acquire("fetch")) for _ in range(ahead)]
        await asyncio.sleep(arrive)
        start = loop.time()
        refused = None
        try:
            await limiters.acquire("fetch", max_wait=cap)
        except RateLimitWaitError as exc:
            refused = exc
        for task in queued:
            task.cancel()
        await asyncio.gather(*queued, return_exceptions=True)
        return refused, loop.time() - start

    _, true_wait = run_virtual(lambda: main(None))
    refused, waited = run_virtual(lambda: main(max_wait))
    if true_wait <= max_wait - 1e-6:
        assert refused is None
        assert waited == pytest.approx(true_wait, abs=1e-6)
    elif true_wait > max_wait + 1e-6:
        assert refused is not None
        assert refused.allowed == max_wait
        assert waited <= max_wait + 1e-6
        assert waited < 1e-6  # the estimate alone was enough to refuse


def test_wait_floor_arithmetic() -> None:
    """The wait is the room still missing for the queue and this caller, over the drain."""
    assert wait_floor(0, 1, 5.0, 2.0) == 0
    assert wait_floor(9, 1, 5.0, 2.0) == pytest.approx(2.5)
    assert wait_floor(9, 1, 0.25, 2.0) == pytest.approx(4.875)


@given(st.integers(1, 500), st.floats(0.1, 3600), st.floats(0, 1), st.floats(0, 5))
def test_free_capacity_is_read_exactly_through_the_public_probe(
    capacity: int, period: float, fill: float, later: float
) -> None:
    """The bisection over has_capacity finds the bucket's free room to 1e-9 of capacity."""

    async def main() -> tuple[float, float]:
        loop = asyncio.get_running_loop()
        bucket = AsyncLimiter(capacity, period)
        await bucket.acquire(fill * capacity)
        filled = loop.time()
        await asyncio.sleep(later)
        drained = (loop.time() - filled) * capacity / period
        return free_capacity(bucket), capacity - max(0.0, fill * capacity - drained)

    found, expected = run_virtual(main)
    assert found == pytest.approx(expected, abs=1e-9 * capacity + 1e-6)


def test_burst_must_leave_room_below_the_limit() -> None:
    """A burst at or above the limit could not keep any window under it: ConfigError."""
    with pytest.raises(ConfigError):
        RateLimit(10, 60, burst=10)
    with pytest.raises(ConfigError):
        RateLimit(10, 60, burst=0)
    assert RateLimit(3600, 3600).burst == 108
    assert RateLimit(10, 60).burst == 1


def test_cooldown_holds_everyone_then_lets_one_probe_through() -> None:
    """After a 429 no caller passes before the cooldown ends; then exactly one probe goes,
    and the rest follow only once the probe's answer is not another 429."""

    async def main() -> list[tuple[str, float]]:
        limiters = limits_for(None)
        loop = asyncio.get_running_loop()
        seen: list[tuple[str, float]] = []

        async def caller(name: str, outcome: bool) -> None:
            permit = await limiters.acquire("fetch")
            seen.append((name, loop.time()))
            await asyncio.sleep(0.5)  # the request in flight
            if outcome:
                limiters["fetch"].cooldown(2.0)
            permit.settle(outcome)

        limiters["fetch"].cooldown(10.0)
        first = asyncio.create_task(caller("probe-429", True))
        await asyncio.sleep(0)
        others = [asyncio.create_task(caller(f"c{i}", False)) for i in range(5)]
        await asyncio.gather(first, *others)
        return seen

    seen = run_virtual(main)
    assert seen[0] == ("probe-429", pytest.approx(10.0))
    # The probe's 429 at 10.5 opens a 2 s cooldown: the next probe goes at 12.5 and the
    # others only when it has answered at 13.0.
    assert seen[1][1] == pytest.approx(12.5)
    assert [t for _, t in seen[2:]] == pytest.approx([13.0] * 4)


def test_cancelled_probe_hands_over_to_the_next_caller() -> None:
    """A probe cancelled before answering does not leave the gate shut for everyone."""

    async def main() -> float:
        limiters = limits_for(None)
        loop = asyncio.get_running_loop()
        limiters["fetch"].cooldown(1.0)

        async def probe() -> None:
            permit = await limiters.acquire("fetch")
            try:
                await asyncio.sleep(100)
            finally:
                permit.settle(None)

        task = asyncio.create_task(probe())
        await asyncio.sleep(1.5)
        follower = asyncio.create_task(limiters.acquire("fetch"))
        await asyncio.sleep(0.5)
        task.cancel()
        permit = await follower
        permit.settle(False)
        await asyncio.gather(task, return_exceptions=True)
        return loop.time()

    assert run_virtual(main) == pytest.approx(2.0)


def test_virtual_loop_reports_a_hang() -> None:
    """The test loop itself turns a wait that could never end into an error, not a hang."""

    async def main() -> None:
        await asyncio.get_running_loop().create_future()

    with pytest.raises(Deadlock):
        run_virtual(main)


def test_email_units_pace_batch_sends_and_a_cancelled_send_keeps_no_batch_slot() -> None:
    """An email send waits for room for all its emails at the pace before its batch slot,
    and a send cancelled during that wait leaves the batch bucket and the pace untouched."""
    limits = RateLimits(
        fetch=None,
        batch=RateLimit(3, 60, burst=1),
        stats=None,
        experimental=None,
        emails=RateLimit(10, 60),
    )

    async def main() -> tuple[float, float]:
        limiters = Limiters(limits)
        loop = asyncio.get_running_loop()
        await limiters.acquire("batch", emails=1)  # t = 0: the batch burst, one email
        doomed = asyncio.create_task(limiters.acquire("batch", emails=10))  # 1 + 10 > 10
        await asyncio.sleep(5)
        doomed.cancel()
        await asyncio.gather(doomed, return_exceptions=True)
        free = free_capacity(limiters["batch"]._get_bucket())  # type: ignore[arg-type]
        await limiters.acquire("batch", emails=9)  # 1 + 9 fit: only the batch slot waits
        return loop.time(), free

    when, batch_free = run_virtual(main)
    # The batch bucket drained for 5 s at 2/60 per s and nobody else took from it.
    assert batch_free == pytest.approx(5 * 2 / 60, abs=1e-6)
    # The nine emails fit beside the first (the cancelled ten booked nothing); the batch
    # slot is free again 30 s after t = 0.
    assert when == pytest.approx(30.0, abs=1e-3)


async def email_departures(
    pace: RateLimit, sends: list[tuple[float, int]], batch: RateLimit | None
) -> list[tuple[float, int]]:
    """Start email sends of `(gap in periods, emails)`; return (grant time, emails) of each."""
    limiters = Limiters(
        RateLimits(fetch=None, batch=batch, stats=None, experimental=None, emails=pace)
    )
    loop = asyncio.get_running_loop()
    granted: list[tuple[float, int]] = []

    async def send(emails: int) -> None:
        permit = await limiters.acquire("batch", emails=emails)
        granted.append((loop.time(), emails))
        permit.settle(False)

    tasks = []
    for gap, emails in sends:
        await asyncio.sleep(gap * pace.period)
        tasks.append(asyncio.create_task(send(emails)))
    await asyncio.gather(*tasks)
    return granted


@SLOW
@given(
    st.integers(1, 60),
    st.floats(0.5, 3600.0),
    st.lists(st.tuples(st.floats(0, 1.5), st.integers(1, 60)), min_size=1, max_size=25),
    st.none() | rate_limits(max_limit=40),
)
def test_no_window_holds_more_emails_than_the_pace(
    limit: int, period: float, sends: list[tuple[float, int]], batch: RateLimit | None
) -> None:
    """Sends of 1 to 60 emails, at any times, with or without a batch limit: the emails of
    the sends granted in any window of the period (Bento counts a send's emails together,
    when it arrives) never exceed the pace."""
    pace = RateLimit(limit, period)
    sends = [(gap, min(emails, limit)) for gap, emails in sends]
    granted = run_virtual(lambda: email_departures(pace, sends, batch))
    assert len(granted) == len(sends)
    for end, _ in granted:
        inside = sum(n for at, n in granted if end - period < at <= end)
        assert inside <= limit


async def departures_through_a_pool(
    limit: RateLimit,
    connections: int,
    callers: int,
    slow_until: float,
    latency: tuple[float, float],
) -> list[float]:
    """Send `callers` requests through a SendLine over a modelled connection pool of
    `connections`; the server answers in `latency[0]` until `slow_until`, then in
    `latency[1]`. Return when each request left (took a pooled connection)."""
    from bento_async._sendline import SendLine

    limits = RateLimits(fetch=limit, batch=None, stats=None, experimental=None, emails=None)
    line = SendLine(Limiters(limits), limits, connections)
    loop = asyncio.get_running_loop()
    pool = asyncio.Semaphore(connections)  # what aiohttp's connector does with its limit
    departed: list[float] = []

    async def request() -> None:
        permit = await line.acquire("fetch")
        try:
            async with pool:
                departed.append(loop.time())
                await asyncio.sleep(latency[0] if loop.time() < slow_until else latency[1])
        finally:
            permit.settle(False)

    await asyncio.gather(*(request() for _ in range(callers)))
    return departed


@SLOW
@given(
    rate_limits(max_limit=40),
    st.integers(1, 8),
    st.integers(1, 120),
    st.floats(0, 3.0),
    st.tuples(st.floats(0.01, 3.0), st.floats(0.0, 0.05)),
)
def test_queueing_for_a_connection_never_bunches_departures(
    limit: RateLimit, connections: int, callers: int, slow: float, latency: tuple[float, float]
) -> None:
    """Whatever the pool size and however slow the server is at first, requests leave no
    faster than the limit: a request takes its connection before its slot, so it never
    waits for a connection after the slot is granted and leaves with others queued."""
    departed = run_virtual(
        lambda: departures_through_a_pool(limit, connections, callers, slow * limit.period, latency)
    )
    assert len(departed) == callers
    closed = limit.limit >= 2
    assert max_in_window(departed, limit.period, closed=closed) <= limit.limit


def test_a_slow_start_behind_a_small_pool_keeps_the_quota() -> None:
    """The reported case: RateLimit(10, 2, burst=2), two connections, 40 callers, a server
    slow for 3 s: no window of 2 s sees more than 10 departures (it saw 12 before)."""
    quota = RateLimit(10, 2, burst=2)
    departed = run_virtual(lambda: departures_through_a_pool(quota, 2, 40, 3.0, (1.5, 0.01)))
    assert max_in_window(departed, 2.0, closed=True) <= 10


def test_a_long_queue_in_one_family_never_holds_another_familys_connection() -> None:
    """Two hundred fetch callers wait minutes for their slots behind a pool of 4: a batch
    call still leaves at once, since only the head of the fetch line holds a permit."""
    from bento_async._sendline import SendLine

    limits = RateLimits(
        fetch=RateLimit(10, 60),
        batch=RateLimit(10, 60),
        stats=None,
        experimental=None,
        emails=None,
    )

    async def main() -> float:
        line = SendLine(Limiters(limits), limits, 4)
        loop = asyncio.get_running_loop()
        queued = [asyncio.create_task(line.acquire("fetch")) for _ in range(200)]
        await asyncio.sleep(1)
        start = loop.time()
        permit = await line.acquire("batch")
        took = loop.time() - start
        permit.settle(False)
        for task in queued:
            task.cancel()
        await asyncio.gather(*queued, return_exceptions=True)
        return took

    assert run_virtual(main) < 1e-6
