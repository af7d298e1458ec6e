"""Question 2: how fast is the sync facade called sequentially?

One caller makes sequential subscriber lookups on the minimal server (in its own process)
through ``bento_sync.Bento``, through one ``requests.Session`` (the transport of the
official Bento Python SDK, decoding ``.json()``), and through sequential awaits of
AsyncBento. Targets: at least 2x ``requests.Session`` and at least 0.85x sequential async.
"""

from __future__ import annotations

import statistics

from bento_async import RateLimits
from bento_sync import Bento

from ._baselines import RawRequests, check_subscriber, our_async_client
from ._harness import Result, cli, summarise
from ._server import ServerInfo, ServerProcess
from ._timing import EventLoop, async_rate, counting_cpu, interleave, ratios, sync_rate

__all__ = ["run"]

QUESTION = "sync facade"
NAMES = ("sync", "requests", "async")


def run(quick: bool) -> list[Result]:
    """Measure the three callers, interleaved, and return the two ratio rows."""
    runs, total = (2, 100) if quick else (15, 500)
    cpu: dict[str, list[float]] = {name: [] for name in NAMES}
    with ServerProcess("minimal") as info:
        rates = _measure(info, runs, total, cpu)
    sync, req, aio = (statistics.median(rates[k]) for k in NAMES)
    sync_cpu, req_cpu, aio_cpu = (statistics.median(cpu[k]) for k in NAMES)
    detail = (
        f"Bento {sync:,.0f}/s, requests {req:,.0f}/s, sequential AsyncBento {aio:,.0f}/s; "
        f"client CPU per call {sync_cpu:.0f}, {req_cpu:.0f}, {aio_cpu:.0f} µs"
    )
    return [
        summarise(
            QUESTION,
            "bento_sync.Bento / requests.Session, sequential lookups",
            ratios(rates["sync"], rates["requests"]),
            target=2.0,
            detail=detail,
        ),
        summarise(
            QUESTION,
            "bento_sync.Bento / sequential AsyncBento awaits",
            ratios(rates["sync"], rates["async"]),
            target=0.85,
            detail=detail,
        ),
    ]


def _measure(
    info: ServerInfo, runs: int, total: int, cpu: dict[str, list[float]]
) -> dict[str, list[float]]:
    email = info["email"]
    with EventLoop() as loop, Bento(**info["credentials"], rate_limits=RateLimits.off()) as bento:
        ours = our_async_client(info)
        raw = RawRequests(info)

        async def async_get() -> object:
            return await ours.subscribers.get(email=email)

        def sync_get() -> object:
            return bento.subscribers.get(email=email)

        try:
            check_subscriber(sync_get(), email)
            for _ in range(20):  # warm up: connections open, code paths hot
                sync_get()
                raw.get()
                loop.run(async_get())
            contenders = {
                "sync": lambda: sync_rate(sync_get, total),
                "requests": lambda: sync_rate(raw.get, total),
                "async": lambda: loop.run(async_rate(async_get, total, 1)),
            }
            return interleave(
                runs,
                {name: counting_cpu(fn, total, cpu[name]) for name, fn in contenders.items()},
            )
        finally:
            loop.run(ours.aclose())
            raw.close()


if __name__ == "__main__":
    cli(run)
