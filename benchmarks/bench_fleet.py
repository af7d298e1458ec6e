"""What does sharing the quota through Redis cost, and does the fleet keep and use it?

Three questions, against a redis-server this benchmark starts on a free port:

* the cost of one rate-limit acquisition with the Redis backend (one Lua script call)
  beside the in-process backend, uncontended (a quota too large to wait for), median
  microseconds per acquisition;
* the share of the quota a fleet of 1, 2, 4 and 8 processes (AsyncBento and Bento in
  turn, each its own client of one site) gets from the emulator's sliding window
  (target >= 0.95), and
* the busiest window the emulator saw in all those runs over the limit (target <= 1).

Quick runs: 300 acquisitions and one fleet of 2 processes for 2 s.
"""

from __future__ import annotations

import asyncio
import statistics
import time
import uuid

from bento_async import RateLimit, RateLimits, RedisStore
from bento_async._ratelimit import LimiterBackend, Limiters
from bento_async._redis_store import RedisLimiters

from ._fleet import FleetRun, run_fleet
from ._harness import Result, cli, summarise
from ._redis_server import RedisServer, find_redis_server

_HUGE = RateLimits.profile("seed", fetch=RateLimit(10**9, 1.0))


async def acquisition_costs(backend: LimiterBackend, count: int) -> list[float]:
    """Return the seconds each of ``count`` acquisitions (and settles) took."""
    costs = []
    try:
        for _ in range(count):
            start = time.perf_counter()
            permit = await backend.acquire("fetch")
            permit.settle(False)
            costs.append(time.perf_counter() - start)
    finally:
        await backend.aclose()
    return costs


def costs_per_backend(url: str, count: int) -> tuple[float, float]:
    """Return the median microseconds per acquisition: (Redis, in-process)."""
    store = RedisStore(url, prefix=f"bench-{uuid.uuid4().hex[:8]}")
    redis = asyncio.run(acquisition_costs(RedisLimiters(store, _HUGE, "bench"), count))
    local = asyncio.run(acquisition_costs(Limiters(_HUGE), count))
    return statistics.median(redis) * 1e6, statistics.median(local) * 1e6


def fleet_rows(runs: dict[int, FleetRun]) -> list[Result]:
    """Return one share row per fleet size and one busiest-window row for them all."""
    rows = []
    for size, run in runs.items():
        rows.append(
            summarise(
                f"shared quota, {size} process{'es' if size > 1 else ''}",
                "fleet share of the quota",
                [run.share],
                target=0.95,
                detail=f"{run.limit} per {run.period:g} s for {run.seconds:g} s; "
                f"{run.refused} answered 429; {len(run.errors)} errors",
            )
        )
    worst = max(run.busiest / run.limit for run in runs.values())
    rows.append(
        summarise(
            "shared quota, every fleet",
            "busiest server window / limit",
            [worst],
            target=1.0,
            below=True,
            detail="the most any window of the emulator held, in all the runs above",
        )
    )
    return rows


def run(quick: bool) -> list[Result]:
    """Measure the acquisition cost and the fleets; quick: 300 acquisitions, 2 processes."""
    binary = find_redis_server()
    if binary is None:
        raise RuntimeError("bench_fleet needs redis-server (apt-get install redis-server)")
    count, sizes, period, seconds = (
        (300, (2,), 2.0, 2.0) if quick else (3000, (1, 2, 4, 8), 3.0, 6.0)
    )
    server = RedisServer(binary)
    server.start()
    try:
        redis_us, local_us = costs_per_backend(server.url, count)
        runs = {
            size: run_fleet(
                size, server.url, limit=150, period=period, seconds=seconds, prefix=f"b{size}"
            )
            for size in sizes
        }
    finally:
        server.close()
    detail = f"{count} uncontended acquisitions, redis-server on loopback"
    return [
        summarise("limiter acquisition, Redis", "median us", [redis_us], detail=detail),
        summarise("limiter acquisition, in-process", "median us", [local_us], detail=detail),
        summarise(
            "limiter acquisition, Redis",
            "cost vs in-process",
            [redis_us / local_us],
            detail="one Lua script round trip per request",
        ),
        *fleet_rows(runs),
    ]


if __name__ == "__main__":
    cli(run)
