"""How precise is the client's rate limiter? Achieved rate and the busiest window, per family.

For the ``seed`` and ``docs`` profiles, every family's period is shortened (to 4 s, or 0.5 s
in quick runs) with its count kept, and enough callers wait on every family's limiter at
once, on one real event loop, for two periods that none is ever idle.
Two figures per family: the grants as a fraction of what the quota allows over that time
(target >= 0.97; a quota under 34 can do (limit - 1) / limit at most) and the most grants
in any closed window of the period, over the limit (target <= 1, the guarantee).

The shortening costs precision that real periods do not lose: a timer wakes up to a
millisecond late (epoll counts whole milliseconds), and a family whose burst is 1 (60 per
hour or per minute) loses that lateness times its rate: a few percent when 60 requests
share 0.5 s, 0.002% when they share an hour. The baseline, run beside it, is aiolimiter's
``AsyncLimiter(limit, period)`` on its own, which lets a whole quota out at once and two
quotas through the first window.
"""

from __future__ import annotations

import asyncio
import bisect
import functools
from collections.abc import Awaitable, Callable

from aiolimiter import AsyncLimiter

from bento_async import RateLimit, RateLimits
from bento_async._config import FAMILIES, Family
from bento_async._ratelimit import Limiters

from ._harness import Result, cli, summarise


def busiest_window(times: list[float], period: float) -> int:
    """Return the most times any closed window of ``period`` holds."""
    times = sorted(times)
    return max((bisect.bisect_right(times, t + period) - i for i, t in enumerate(times)), default=0)


async def saturate(
    acquire: Callable[[], Awaitable[object]], callers: int, horizon: float
) -> list[float]:
    """Keep ``callers`` tasks acquiring for ``horizon`` seconds; return the grant times."""
    loop = asyncio.get_running_loop()
    start = loop.time()
    granted: list[float] = []

    async def caller() -> None:
        while True:
            await acquire()
            granted.append(loop.time() - start)

    tasks = [asyncio.create_task(caller()) for _ in range(callers)]
    await asyncio.sleep(horizon)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    return [t for t in granted if t <= horizon]


def shortened(profile: str, period: float) -> dict[Family, RateLimit]:
    """Return the profile's quotas with every period set to ``period``."""
    limits = RateLimits.profile(profile)
    out = {}
    for family in FAMILIES:
        quota = limits.for_family(family)
        assert quota is not None
        out[family] = RateLimit(quota.limit, period, burst=quota.burst)
    return out


async def measure(
    quotas: dict[Family, RateLimit], periods: int
) -> dict[Family, tuple[float, float]]:
    """Saturate every family at once; return (achieved fraction, busiest / limit) per family."""
    limiters = Limiters(RateLimits(**quotas))
    # The email pace is spent by email sends: one email each, on a client whose batch
    # family is off so that only the pace holds them.
    pace = Limiters(
        RateLimits(fetch=None, batch=None, stats=None, experimental=None, emails=quotas["emails"])
    )
    horizon = periods * next(iter(quotas.values())).period
    runs = await asyncio.gather(
        *(
            saturate(
                functools.partial(pace.acquire, "batch", 1)
                if family == "emails"
                else functools.partial(limiters.acquire, family),
                q.burst + 20,
                horizon,
            )
            for family, q in quotas.items()
        )
    )
    return {
        family: (len(times) / (q.limit * periods), busiest_window(times, q.period) / q.limit)
        for (family, q), times in zip(quotas.items(), runs, strict=True)
    }


async def baseline(quota: RateLimit) -> float:
    """Return the busiest window over the limit with a bare AsyncLimiter(limit, period)."""
    bucket = AsyncLimiter(quota.limit, quota.period)
    times = await saturate(bucket.acquire, 20, 1.1 * quota.period)
    return busiest_window(times, quota.period) / quota.limit


def run(quick: bool) -> list[Result]:
    """Measure both profiles; quick: one run of two 0.5 s periods, else two of two 4 s."""
    period, periods, repeats = (0.5, 2, 1) if quick else (4.0, 2, 2)
    results: list[Result] = []
    for profile in ("seed", "docs"):
        quotas = shortened(profile, period)
        runs = [asyncio.run(measure(quotas, periods)) for _ in range(repeats)]
        for family, q in quotas.items():
            original = RateLimits.profile(profile).for_family(family)
            assert original is not None
            detail = (
                f"{q.limit} per {original.period:g} s shortened to {period:g} s, burst {q.burst}"
            )
            floor = 0.97 if q.limit >= 34 else (q.limit - 1) / q.limit
            question = f"limiter {profile} {family}"
            results.append(
                summarise(
                    question,
                    "achieved / limit",
                    [r[family][0] for r in runs],
                    target=floor,
                    detail=detail,
                )
            )
            results.append(
                summarise(
                    question,
                    "busiest window / limit",
                    [r[family][1] for r in runs],
                    target=1.0,
                    below=True,
                    detail=detail,
                )
            )
        fetch = quotas["fetch"]
        naive = [asyncio.run(baseline(fetch))]
        results.append(
            summarise(
                f"baseline {profile} fetch",
                "busiest window / limit",
                naive,
                detail=f"AsyncLimiter({fetch.limit}, {period:g}) alone, for comparison",
            )
        )
    return results


if __name__ == "__main__":
    cli(run)
