"""Does ``subscribers.get_many`` keep its pace and its memory as the key count grows?

Two sizes, 1,000 and 100,000 keys, alternate; each run is a fresh process (so one run's
garbage never weighs on the next) looking the keys up on ``_bulk_server`` (answers at once,
its own process) with limits off and 64 lookups in flight. The small size runs ten times
per process (median taken), so its figure is not one short burst. Per run: the client's CPU
time per key (this process, every thread: on a shared machine wall time per key varies
more between runs than the effect measured; wall time is in the detail), and the memory
each kept result holds (RSS growth with the list of results alive, over the keys).
Targets: time per key at 100,000 within 10% of the 1,000 figure; memory per result at most
0.35 KB (half the 0.7 KB measured before the model and decode work).
"""

from __future__ import annotations

import asyncio
import gc
import multiprocessing
import statistics
import time
from concurrent.futures import ProcessPoolExecutor

from bento_async import AsyncBento, Lookup, RateLimits

from ._bulk_server import CREDENTIALS, serve
from ._harness import Result, cli, summarise
from .bench_import import _status

__all__ = ["run"]

CONCURRENCY = 64
SMALL, LARGE = 1_000, 100_000
MEMORY_TARGET_KB = 0.35


class _Collections:
    """Counts the cyclic GC's collections, by generation, while it is installed."""

    def __init__(self) -> None:
        self.counts = [0, 0, 0]

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if phase == "stop":
            self.counts[info["generation"]] += 1


Measure = tuple[float, float, float, float, float]


async def _lookups(url: str, n: int, repeat: int) -> Measure:
    async with AsyncBento(**CREDENTIALS, base_url=url, rate_limits=RateLimits.off()) as bento:
        await bento.subscribers.get_many(
            (f"warm{i}@example.com" for i in range(CONCURRENCY * 4)), concurrency=CONCURRENCY
        )
        cpu, wall, memory, young, full = [], [], [], [], []
        for _ in range(repeat):
            gc.collect()
            before = _status("VmRSS")
            collections = _Collections()
            gc.callbacks.append(collections)
            start, start_cpu = time.perf_counter(), time.process_time()
            try:
                found = await bento.subscribers.get_many(
                    (f"user{i}@example.com" for i in range(n)), concurrency=CONCURRENCY
                )
            finally:
                gc.callbacks.remove(collections)
            cpu.append((time.process_time() - start_cpu) / n * 1e6)
            wall.append((time.perf_counter() - start) / n * 1e6)
            young.append(collections.counts[0] / n * 1000)
            full.append(collections.counts[2])
            gc.collect()
            memory.append((_status("VmRSS") - before) / n / 1024)
            if len(found) != n or not all(_answered(lookup) for lookup in found):
                raise RuntimeError("a lookup failed, or found another subscriber than its key")
            del found
    return tuple(statistics.median(v) for v in (cpu, wall, memory, young, full))  # type: ignore[return-value]


def _answered(lookup: Lookup) -> bool:
    return lookup.subscriber is not None and lookup.subscriber.email == lookup.key


def measure(url: str, n: int, repeat: int = 1) -> Measure:
    """Look ``n`` keys up ``repeat`` times; return medians of (CPU µs per key, wall µs per
    key, KB of memory per kept result, young GC collections per 1,000 keys, full GC
    collections per run)."""
    return asyncio.run(_lookups(url, n, repeat))


def _in_fresh_process(url: str, n: int, repeat: int) -> Measure:
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(1, mp_context=context) as pool:
        return pool.submit(measure, url, n, repeat).result()


def run(quick: bool) -> list[Result]:
    """Alternate the two sizes; return the time ratio and the memory per result."""
    runs, small, large = (1, 200, 2_000) if quick else (9, SMALL, LARGE)
    cpu: dict[int, list[float]] = {small: [], large: []}
    wall: dict[int, list[float]] = {small: [], large: []}
    young: dict[int, list[float]] = {small: [], large: []}
    full: list[float] = []
    memory: list[float] = []
    with serve() as url:
        for i in range(runs):
            for n in (small, large) if i % 2 == 0 else (large, small):
                per_key, per_key_wall, per_result, young_rate, full_count = _in_fresh_process(
                    url, n, 10 if n == small else 1
                )
                cpu[n].append(per_key)
                wall[n].append(per_key_wall)
                young[n].append(young_rate)
                if n == large:
                    memory.append(per_result)
                    full.append(full_count)
    setting = (
        f"{small:,} vs {large:,} keys, concurrency {CONCURRENCY}, limits off, {runs} runs; "
        f"young GC collections per 1,000 keys {statistics.median(young[small]):.1f} vs "
        f"{statistics.median(young[large]):.1f}, full ones at {large:,} keys "
        f"{statistics.median(full):.0f}"
    )
    return _rows(cpu, wall, memory, small, large, setting, quick)


def _rows(
    cpu: dict[int, list[float]],
    wall: dict[int, list[float]],
    memory: list[float],
    small: int,
    large: int,
    setting: str,
    quick: bool,
) -> list[Result]:
    ratios = [b / a for a, b in zip(cpu[small], cpu[large], strict=True)]
    speeds = (
        f"CPU {statistics.median(cpu[small]):.0f} vs {statistics.median(cpu[large]):.0f} µs "
        f"per key, wall {statistics.median(wall[small]):.0f} vs "
        f"{statistics.median(wall[large]):.0f} µs"
    )
    return [
        summarise(
            "get_many at scale",
            f"client CPU per key, {large:,} keys / {small:,} keys",
            ratios,
            target=None if quick else 1.10,
            below=True,
            detail=f"{speeds}; {setting}",
        ),
        summarise(
            "get_many at scale",
            "memory per kept result, KB",
            memory,
            target=None if quick else MEMORY_TARGET_KB,
            below=True,
            detail=f"RSS growth with the {large:,} results alive, over the keys",
        ),
    ]


if __name__ == "__main__":
    cli(run)
