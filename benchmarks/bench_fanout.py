"""Fan-out lookups: how close does ``subscribers.get_many`` come to the ideal rate?

With ``concurrency`` lookups in flight and every lookup taking ``latency`` seconds
on the server, no client can exceed ``concurrency / latency`` lookups per second.
The server runs in its own process (``_bulk_server``); limits are off so only the
client's own overhead separates it from the ideal. Baselines, side by side in the
same run: the same lookups made one after another with ``subscribers.get``, and
raw aiohttp with a semaphore (what the SDK's overhead is measured against).
"""

from __future__ import annotations

import asyncio
import time

import aiohttp

from bento_async import AsyncBento, RateLimits

from ._bulk_server import CREDENTIALS, serve
from ._harness import Result, cli, summarise


async def _fan_out(base_url: str, n: int, concurrency: int) -> float:
    async with AsyncBento(**CREDENTIALS, base_url=base_url, rate_limits=RateLimits.off()) as b:
        await b.subscribers.get(email="warm@example.com")
        emails = (f"user{i}@example.com" for i in range(n))
        start = time.perf_counter()
        lookups = await b.subscribers.get_many(emails, concurrency=concurrency)
        elapsed = time.perf_counter() - start
    assert len(lookups) == n
    assert all(lk.found for lk in lookups)
    return n / elapsed


async def _sequential(base_url: str, n: int) -> float:
    async with AsyncBento(**CREDENTIALS, base_url=base_url, rate_limits=RateLimits.off()) as b:
        await b.subscribers.get(email="warm@example.com")
        start = time.perf_counter()
        for i in range(n):
            await b.subscribers.get(email=f"user{i}@example.com")
        return n / (time.perf_counter() - start)


async def _raw(base_url: str, n: int, concurrency: int) -> float:
    gate = asyncio.Semaphore(concurrency)
    async with aiohttp.ClientSession() as session:

        async def one(i: int) -> object:
            async with (
                gate,
                session.get(
                    f"{base_url}/fetch/subscribers",
                    params={"email": f"user{i}@example.com", "site_uuid": "bench"},
                ) as response,
            ):
                return await response.json()

        await one(-1)
        start = time.perf_counter()
        await asyncio.gather(*(one(i) for i in range(n)))
        return n / (time.perf_counter() - start)


def run(quick: bool) -> list[Result]:
    """Measure get_many against the ideal rate and against sequential calls."""
    n, latency, concurrency, runs, sequential_n = (
        (200, 0.01, 32, 1, 20) if quick else (2_000, 0.05, 64, 5, 40)
    )
    ideal = concurrency / latency
    fractions, raw_fractions, versus_raw, speedups = [], [], [], []
    with serve(latency) as url:
        for _ in range(runs):
            rate = asyncio.run(_fan_out(url, n, concurrency))
            raw = asyncio.run(_raw(url, n, concurrency))
            base = asyncio.run(_sequential(url, sequential_n))
            fractions.append(rate / ideal)
            raw_fractions.append(raw / ideal)
            versus_raw.append(rate / raw)
            speedups.append(rate / base)
    setting = f"{n:,} lookups, {latency * 1000:g} ms latency, concurrency {concurrency}"
    return [
        summarise(
            "fan-out lookups (get_many)",
            "fraction of ideal rate (concurrency / latency)",
            fractions,
            target=None if quick else 0.9,
            detail=f"{setting}; ideal {ideal:,.0f}/s; {runs} runs",
        ),
        summarise(
            "fan-out lookups (get_many)",
            "rate vs raw aiohttp + semaphore",
            versus_raw,
            detail=f"raw aiohttp alone: {_median(raw_fractions):.3f} of ideal",
        ),
        summarise(
            "fan-out lookups (get_many)",
            "speed-up over sequential get() calls",
            speedups,
            detail=f"sequential baseline: {sequential_n} calls per run",
        ),
    ]


def _median(values: list[float]) -> float:
    return sorted(values)[len(values) // 2]


if __name__ == "__main__":
    cli(run)
