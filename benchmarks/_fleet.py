"""A fleet of OS processes sharing one Bento quota through Redis, against one emulator.

    run = run_fleet(8, store_url, limit=200, period=4.0, seconds=8.0)
    run.refused, run.busiest / limit, run.share

The parent serves a :class:`~bento_emulator.BentoEmulator` from a thread with the fleet's
fetch quota enforced as a sliding window, and starts the processes: odd ones an
``AsyncBento`` calling from several tasks, even ones a ``Bento`` calling from several
threads, every one its own client of the same site and Redis store. Each child prints
``{"ready": true}`` once its client is built; the parent then sends ``go <stop>`` to all
(``time.monotonic()`` is one clock for every process on the machine), and each calls
``tags.list()`` until then and prints its counts as one JSON line.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from bento_async import AsyncBento, BentoError, RateLimit, RateLimits, RedisStore
from bento_emulator import BentoEmulator
from bento_sync import Bento

from ._server import ChildProcess

__all__ = ["FleetRun", "run_fleet"]

_START_LEAD = 0.3  # seconds between "go" and the stop time's start, for the lines to arrive


@dataclass(frozen=True)
class FleetRun:
    """What the emulator saw while the fleet ran, and what the processes reported."""

    limit: int
    period: float
    seconds: float
    ok: int  # 200 answers that arrived within ``seconds`` of the first one
    refused: int  # 429 answers, any time
    busiest: int  # most arrivals in any window of the period
    calls: int  # calls the processes counted as done
    errors: list[str]

    @property
    def share(self) -> float:
        """The arrivals over what the quota allows in the run's time."""
        return self.ok / (self.limit * self.seconds / self.period)


class _Member(ChildProcess):
    name = "fleet member"

    def __init__(self, kind: str, env: dict[str, str], *args: str) -> None:
        super().__init__("benchmarks._fleet", kind, *args, env=env)


def run_fleet(
    processes: int,
    store_url: str,
    *,
    limit: int,
    period: float,
    seconds: float,
    tasks: int = 4,
    prefix: str = "fleet",
) -> FleetRun:
    """Run ``processes`` clients for ``seconds`` on one quota; return what the server saw."""
    quota = RateLimits.profile("seed", fetch=RateLimit(limit, period))
    with BentoEmulator(rate_limits=quota) as emulator:
        # The children get the credentials from their environment, never from argv.
        env = dict(os.environ)
        env.update({"BENTO_" + k.upper(): str(v) for k, v in emulator.credentials.items()})
        args = (store_url, prefix, str(limit), str(period), str(tasks))
        kinds = ["async" if i % 2 == 0 else "sync" for i in range(processes)]
        members = [_Member(kind, env, *args) for kind in kinds]
        try:
            reports = _race(members, seconds)
        finally:
            for member in members:
                member.stop()
        log = [r for r in emulator.requests if r.family == "fetch"]
        busiest = emulator.peak_window("fetch")
    first = min((r.received_at for r in log), default=0.0)
    return FleetRun(
        limit=limit,
        period=period,
        seconds=seconds,
        ok=sum(1 for r in log if r.status == 200 and r.received_at <= first + seconds),
        refused=sum(1 for r in log if r.status == 429),
        busiest=busiest,
        calls=sum(r["calls"] for r in reports),
        errors=[e for r in reports for e in r["errors"]],
    )


def _race(members: list[_Member], seconds: float) -> list[dict[str, Any]]:
    """Start the members side by side, let them go at once, and return their reports."""
    with ThreadPoolExecutor(len(members)) as pool:
        list(pool.map(_Member.spawn, members))
    start = time.monotonic() + _START_LEAD
    for member in members:
        member.send(f"go {start} {start + seconds}")
    return [json.loads(m.readline(timeout=seconds + 60)) for m in members]


# -- the child --------------------------------------------------------------------------


def _wait_for_go() -> tuple[float, float]:
    _, start, stop = sys.stdin.readline().split()
    return float(start), float(stop)


async def _run_async(store: RedisStore, quota: RateLimits, tasks: int) -> dict[str, Any]:
    calls, errors = 0, []
    async with AsyncBento(rate_limits=quota, rate_limit_store=store) as bento:
        print(json.dumps({"ready": True}), flush=True)
        start, stop = await asyncio.to_thread(_wait_for_go)
        await asyncio.sleep(max(0.0, start - time.monotonic()))

        async def worker() -> None:
            nonlocal calls
            while time.monotonic() < stop:
                try:
                    await bento.tags.list()
                    calls += 1
                except BentoError as exc:
                    errors.append(repr(exc))

        await asyncio.gather(*(worker() for _ in range(tasks)))
    return {"calls": calls, "errors": errors}


def _run_sync(store: RedisStore, quota: RateLimits, tasks: int) -> dict[str, Any]:
    done: list[int] = []
    errors: list[str] = []
    with Bento(rate_limits=quota, rate_limit_store=store) as bento:
        print(json.dumps({"ready": True}), flush=True)
        start, stop = _wait_for_go()
        time.sleep(max(0.0, start - time.monotonic()))

        def worker() -> None:
            while time.monotonic() < stop:
                try:
                    bento.tags.list()
                    done.append(1)
                except BentoError as exc:
                    errors.append(repr(exc))

        threads = [threading.Thread(target=worker) for _ in range(tasks)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    return {"calls": len(done), "errors": errors}


def main() -> None:
    """Run one fleet member: ``python -m benchmarks._fleet async|sync URL PREFIX N P TASKS``."""
    kind, url, prefix, limit, period, tasks = sys.argv[1:7]
    store = RedisStore(url, prefix=prefix)
    quota = RateLimits.profile("seed", fetch=RateLimit(int(limit), float(period)))
    if kind == "async":
        report = asyncio.run(_run_async(store, quota, int(tasks)))
    else:
        report = _run_sync(store, quota, int(tasks))
    print(json.dumps(report), flush=True)


if __name__ == "__main__":
    main()
