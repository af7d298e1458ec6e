"""Question 3: how does the sync facade hold up when many threads share it?

Eight threads share one ``bento_sync.Bento`` and make subscriber lookups on the minimal
server (in its own process); the baseline is AsyncBento with eight concurrent tasks on
one loop. Target: at least 0.75 of the async rate (this 2-core machine).
"""

from __future__ import annotations

import statistics

from bento_async import RateLimits
from bento_sync import Bento

from ._baselines import check_subscriber, our_async_client
from ._harness import Result, cli, summarise
from ._server import ServerInfo, ServerProcess
from ._timing import EventLoop, async_rate, counting_cpu, interleave, ratios, threaded_rate

__all__ = ["run"]

THREADS = 8


def run(quick: bool) -> list[Result]:
    """Measure both, interleaved, and return the ratio row."""
    runs, total = (2, 200) if quick else (15, 1600)
    cpu: dict[str, list[float]] = {"sync": [], "async": []}
    with ServerProcess("minimal") as info:
        rates = _measure(info, runs, total, cpu)
    sync, aio = (statistics.median(rates[k]) for k in ("sync", "async"))
    sync_cpu, aio_cpu = (statistics.median(cpu[k]) for k in ("sync", "async"))
    return [
        summarise(
            "sync facade, threads",
            f"{THREADS} threads on one bento_sync.Bento / AsyncBento at concurrency {THREADS}",
            ratios(rates["sync"], rates["async"]),
            target=0.75,
            detail=(
                f"Bento {sync:,.0f}/s, AsyncBento {aio:,.0f}/s; "
                f"client CPU per call {sync_cpu:.0f} vs {aio_cpu:.0f} µs"
            ),
        )
    ]


def _measure(
    info: ServerInfo, runs: int, total: int, cpu: dict[str, list[float]]
) -> dict[str, list[float]]:
    email = info["email"]
    with EventLoop() as loop, Bento(**info["credentials"], rate_limits=RateLimits.off()) as bento:
        ours = our_async_client(info)

        async def async_get() -> object:
            return await ours.subscribers.get(email=email)

        def sync_get() -> object:
            return bento.subscribers.get(email=email)

        try:
            check_subscriber(sync_get(), email)
            threaded_rate(sync_get, THREADS * 4, THREADS)  # warm up: one connection per thread
            loop.run(async_rate(async_get, THREADS * 4, THREADS))
            return interleave(
                runs,
                {
                    "sync": counting_cpu(
                        lambda: threaded_rate(sync_get, total, THREADS), total, cpu["sync"]
                    ),
                    "async": counting_cpu(
                        lambda: loop.run(async_rate(async_get, total, THREADS)),
                        total,
                        cpu["async"],
                    ),
                },
            )
        finally:
            loop.run(ours.aclose())


if __name__ == "__main__":
    cli(run)
