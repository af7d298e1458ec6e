"""Question 1: what does AsyncBento cost over raw aiohttp at concurrency 64?

Both look the same subscriber up on the minimal server (in its own process): AsyncBento
with limits off returns a model; the baseline is one aiohttp session sending the same
request and decoding the JSON. Target: at least 0.90 of raw aiohttp's rate.
"""

from __future__ import annotations

import statistics

from ._baselines import RawAiohttp, check_subscriber, our_async_client
from ._harness import Result, cli, summarise
from ._server import ServerInfo, ServerProcess
from ._timing import EventLoop, async_rate, interleave, ratios

__all__ = ["run"]

CONCURRENCY = 64
TARGET = 0.90


def run(quick: bool) -> list[Result]:
    """Measure both clients, interleaved, and return the ratio row."""
    runs, total = (2, 256) if quick else (7, 4096)
    with ServerProcess("minimal") as info:
        rates = _measure(info, runs, total)
    ours, raw = (statistics.median(rates[k]) for k in ("ours", "aiohttp"))
    return [
        summarise(
            "1. async overhead",
            f"AsyncBento / raw aiohttp, subscriber lookups at concurrency {CONCURRENCY}",
            ratios(rates["ours"], rates["aiohttp"]),
            target=TARGET,
            detail=f"AsyncBento {ours:,.0f}/s, aiohttp {raw:,.0f}/s",
        )
    ]


def _measure(info: ServerInfo, runs: int, total: int) -> dict[str, list[float]]:
    with EventLoop() as loop:
        ours = our_async_client(info)
        raw = loop.run(_open_raw(info))
        email = info["email"]

        async def ours_get() -> object:
            return await ours.subscribers.get(email=email)

        try:
            check_subscriber(loop.run(ours_get()), email)
            # Warm up: open every connection both clients will use.
            loop.run(async_rate(ours_get, CONCURRENCY * 2, CONCURRENCY))
            loop.run(async_rate(raw.get, CONCURRENCY * 2, CONCURRENCY))
            return interleave(
                runs,
                {
                    "ours": lambda: loop.run(async_rate(ours_get, total, CONCURRENCY)),
                    "aiohttp": lambda: loop.run(async_rate(raw.get, total, CONCURRENCY)),
                },
            )
        finally:
            loop.run(ours.aclose())
            loop.run(raw.aclose())


async def _open_raw(info: ServerInfo) -> RawAiohttp:
    return RawAiohttp(info)


if __name__ == "__main__":
    cli(run)
