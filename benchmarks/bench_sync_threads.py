"""Question 3: how does the sync facade hold up when many threads share it?

Eight threads share one ``bento_sync.Bento`` and make subscriber lookups on the minimal
server (in its own process); the baseline is AsyncBento with eight concurrent tasks on
one loop. Target: at least 0.75 of the async rate (this 2-core machine).

A reference row measures the other design the issue weighed: each thread runs its calls on
an event loop of its own, with a client of its own. Nothing is shared there (not even the
quota, so it is a ceiling for that design rather than something the facade could ship),
and each call still crosses the GIL at every wait; it shows what that design costs.
"""

from __future__ import annotations

import asyncio
import queue
import statistics
import threading

from bento_async import AsyncBento, RateLimits
from bento_sync import Bento

from ._baselines import check_subscriber, our_async_client
from ._harness import Result, cli, summarise
from ._server import ServerInfo, ServerProcess
from ._timing import EventLoop, async_rate, counting_cpu, interleave, ratios, threaded_rate

__all__ = ["run"]

THREADS = 8


def run(quick: bool) -> list[Result]:
    """Measure the three, interleaved; return the facade's row and the private-loop row."""
    runs, total = (2, 200) if quick else (15, 1600)
    cpu: dict[str, list[float]] = {"sync": [], "async": [], "own loops": []}
    with ServerProcess("minimal") as info:
        rates = _measure(info, runs, total, cpu)
    sync, aio, own = (statistics.median(rates[k]) for k in ("sync", "async", "own loops"))
    sync_cpu, aio_cpu, own_cpu = (statistics.median(cpu[k]) for k in ("sync", "async", "own loops"))
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
        ),
        summarise(
            "sync facade, threads",
            f"{THREADS} threads, each with its own event loop and AsyncBento / AsyncBento at "
            f"concurrency {THREADS}",
            ratios(rates["own loops"], rates["async"]),
            detail=(
                f"{own:,.0f}/s vs {aio:,.0f}/s; client CPU per call {own_cpu:.0f} vs "
                f"{aio_cpu:.0f} µs: the private-loop design, with nothing shared"
            ),
        ),
    ]


class _OwnLoops:
    """A private event loop and AsyncBento per thread; each call runs to completion there."""

    def __init__(self, info: ServerInfo) -> None:
        self._email = info["email"]
        self._pairs: list[tuple[asyncio.AbstractEventLoop, AsyncBento]] = []
        for _ in range(THREADS):
            self._pairs.append((asyncio.new_event_loop(), our_async_client(info)))
        self._free: queue.SimpleQueue[tuple[asyncio.AbstractEventLoop, AsyncBento]]
        self._free = queue.SimpleQueue()
        self._local = threading.local()

    def get(self) -> object:
        """Look the subscriber up on this thread's loop (taking a free loop at first use)."""
        pair = getattr(self._local, "pair", None)
        if pair is None:
            pair = self._local.pair = self._free.get_nowait()
        loop, client = pair
        return loop.run_until_complete(client.subscribers.get(email=self._email))

    def rate(self, total: int) -> float:
        """Calls per second of ``total`` calls by ``THREADS`` new threads, a loop each."""
        for pair in self._pairs:
            self._free.put(pair)
        try:
            return threaded_rate(self.get, total, THREADS)
        finally:
            while not self._free.empty():
                self._free.get_nowait()

    def close(self) -> None:
        """Close every client on its own loop, then the loops."""
        for loop, client in self._pairs:
            loop.run_until_complete(client.aclose())
            loop.close()


def _measure(
    info: ServerInfo, runs: int, total: int, cpu: dict[str, list[float]]
) -> dict[str, list[float]]:
    email = info["email"]
    with EventLoop() as loop, Bento(**info["credentials"], rate_limits=RateLimits.off()) as bento:
        ours = our_async_client(info)
        own_loops = _OwnLoops(info)

        async def async_get() -> object:
            return await ours.subscribers.get(email=email)

        def sync_get() -> object:
            return bento.subscribers.get(email=email)

        try:
            check_subscriber(sync_get(), email)
            threaded_rate(sync_get, THREADS * 4, THREADS)  # warm up: one connection per thread
            own_loops.rate(THREADS * 4)
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
                    "own loops": counting_cpu(
                        lambda: own_loops.rate(total), total, cpu["own loops"]
                    ),
                },
            )
        finally:
            loop.run(ours.aclose())
            own_loops.close()


if __name__ == "__main__":
    cli(run)
