"""Streaming import: speed and memory of ``subscribers.import_many`` on generated rows.

300,000 CSV-like rows (8 columns) come from a generator, so nothing holds them
all. The SDK checks each row, chunks them by 1000 and keeps 4 chunks in flight;
the baseline, side by side in the same run, is raw aiohttp posting the same
1000-row chunks with 4 in flight, encoded by ``json.dumps``, and no checks.
Limits are off and the server (``_bulk_server``, its own process) only counts
rows. Each measurement runs in a fresh process: peak RSS growth is its VmHWM
(peak reset after a warm-up) minus its VmRSS before the import. Client CPU
seconds per row are reported too: on a shared machine they vary less than
wall-clock rates.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import multiprocessing
import resource
import statistics
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import aiohttp

from bento_async import AsyncBento, RateLimits

from ._bulk_server import CREDENTIALS, serve
from ._harness import Result, cli, summarise

CHUNK = 1000
IN_FLIGHT = 4
_PLANS = ("free", "pro", "team")
_CITIES = ("Paris", "Lagos", "Osaka", "Lima", "Oslo")


def rows(n: int) -> Iterator[dict[str, Any]]:
    """Yield ``n`` generated subscriber rows, as a CSV reader would."""
    for i in range(n):
        yield {
            "email": f"user{i}@example.com",
            "first_name": "Ada",
            "last_name": f"Lovelace{i % 97}",
            "company": f"Company {i % 1013}",
            "plan": _PLANS[i % 3],
            "city": _CITIES[i % 5],
            "signed_up": "2024-05-01",
            "orders": i % 17,
        }


async def _sdk(url: str, n: int) -> int:
    async with AsyncBento(**CREDENTIALS, base_url=url, rate_limits=RateLimits.off()) as bento:
        result = await bento.subscribers.import_many(
            rows(n), chunk_size=CHUNK, concurrency=IN_FLIGHT
        )
    assert result.ok
    return result.accepted


async def _raw(url: str, n: int) -> int:
    source = rows(n)
    accepted = 0
    auth = aiohttp.BasicAuth(CREDENTIALS["publishable_key"], CREDENTIALS["secret_key"])
    async with aiohttp.ClientSession(auth=auth) as session:

        async def worker() -> None:
            nonlocal accepted
            while chunk := list(itertools.islice(source, CHUNK)):
                async with session.post(
                    f"{url}/batch/subscribers",
                    params={"site_uuid": CREDENTIALS["site_uuid"]},
                    json={"subscribers": chunk},
                ) as response:
                    accepted += (await response.json())["results"]

        await asyncio.gather(*(worker() for _ in range(IN_FLIGHT)))
    return accepted


def _status(field: str) -> int:
    """Return a VmRSS/VmHWM figure of this process, in bytes."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    raise RuntimeError(f"{field} not in /proc/self/status")


def _reset_peak() -> None:
    with contextlib.suppress(OSError), open("/proc/self/clear_refs", "w") as refs:
        refs.write("5")  # resets VmHWM to the current RSS (Linux >= 4.0)


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def measure(kind: str, url: str, n: int) -> tuple[float, float, float]:
    """Import ``n`` rows one way; return (rows/s, peak RSS growth in MB, CPU s per row)."""
    run = _sdk if kind == "sdk" else _raw
    asyncio.run(run(url, 5_000))  # warm up: imports, first connections
    baseline = _status("VmRSS")
    _reset_peak()
    cpu, start = _cpu(), time.perf_counter()
    accepted = asyncio.run(run(url, n))
    elapsed, cpu = time.perf_counter() - start, _cpu() - cpu
    assert accepted == n
    return n / elapsed, (_status("VmHWM") - baseline) / 2**20, cpu / n


def _in_fresh_process(kind: str, url: str, n: int) -> tuple[float, float, float]:
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(1, mp_context=context) as pool:
        return pool.submit(measure, kind, url, n).result()


def run(quick: bool) -> list[Result]:
    """Measure import_many against raw aiohttp: rate ratio and peak memory growth."""
    n, runs = (20_000, 1) if quick else (300_000, 9)
    ratios, growth, raw_growth, sdk_rates, raw_rates, cpu = [], [], [], [], [], []
    with serve() as url:
        for i in range(runs):
            order = ("sdk", "raw") if i % 2 == 0 else ("raw", "sdk")
            figures = {kind: _in_fresh_process(kind, url, n) for kind in order}
            sdk_rates.append(figures["sdk"][0])
            raw_rates.append(figures["raw"][0])
            ratios.append(figures["sdk"][0] / figures["raw"][0])
            growth.append(figures["sdk"][1])
            raw_growth.append(figures["raw"][1])
            cpu.append(figures["raw"][2] / figures["sdk"][2])
    setting = f"{n:,} rows, chunks of {CHUNK}, {IN_FLIGHT} in flight, limits off, {runs} runs"
    return [
        summarise(
            "streaming import (import_many)",
            "records/s vs raw aiohttp posting the same chunks",
            ratios,
            target=None if quick else 1.0,
            detail=(
                f"SDK {statistics.median(sdk_rates):,.0f}/s, raw "
                f"{statistics.median(raw_rates):,.0f}/s; {setting}"
            ),
        ),
        summarise(
            "streaming import (import_many)",
            "client CPU per row, raw aiohttp / SDK",
            cpu,
            detail="1.0 would mean the SDK's checks and chunking cost nothing",
        ),
        summarise(
            "streaming import (import_many)",
            "peak RSS growth, MB",
            growth,
            target=None if quick else 60,
            below=True,
            detail=f"raw aiohttp: {statistics.median(raw_growth):.1f} MB; {setting}",
        ),
    ]


if __name__ == "__main__":
    cli(run)
