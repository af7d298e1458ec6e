"""Does the client hold up under load and faults? A long soak against an emulator process.

The emulator runs in a child process with its rate limits on (fetch 600/s, batch 300/s;
the other families keep the seed profile) and about 10% faulty answers (5xx, 429, resets,
stalls past the timeout, invalid JSON, HTML 403, plus latency). Half the calls come from 40
tasks sharing an AsyncBento, half from 8 threads sharing a bento_sync.Bento; each client
takes 45% of the quota. Figures: the share of calls ending in a value or a typed BentoError
(target 1), calls still running at the bound (target 0), the busiest window the server saw
over its limit (target <= 1; it refuses past it), and the share of calls that succeeded.
"""

from __future__ import annotations

import asyncio
import time

from bento_async import AsyncBento
from bento_emulator._limits import peak_in_window
from bento_sync import Bento

from ._emulator_proc import EmulatorProcess
from ._harness import Result, cli, summarise
from ._soak import SERVER_LIMITS, SoakLog, run_async_calls, run_sync_calls, soak_options

BOUND = 600.0  # seconds before a run counts as hung


async def soak(calls: int, seed: int) -> dict[str, float]:
    """Run one soak of ``calls`` calls; return its figures."""
    async_log, sync_log = SoakLog(), SoakLog()
    start = time.monotonic()
    with EmulatorProcess(limits="soak", faults_seed=seed) as server:
        async with AsyncBento(**server.credentials, **soak_options(async_log)) as aclient:
            with Bento(**server.credentials, **soak_options(sync_log)) as sclient:
                threads = asyncio.to_thread(run_sync_calls, sclient, calls // 2, 8, sync_log, BOUND)
                tasks = run_async_calls(aclient, calls - calls // 2, 40, async_log)
                try:
                    _, hung_threads = await asyncio.wait_for(asyncio.gather(tasks, threads), BOUND)
                except asyncio.TimeoutError:
                    hung_threads = -1
        log = server.request_log()
    elapsed = time.monotonic() - start
    logs = (async_log, sync_log)
    typed = sum(sum(lg.outcomes.values()) for lg in logs)  # values and typed errors
    ended = typed + sum(len(lg.untyped) for lg in logs)
    ok = async_log.outcomes["ok"] + sync_log.outcomes["ok"]
    figures = {
        "typed": typed / calls,
        "hung": float(calls - ended if hung_threads >= 0 else calls),
        "ok": ok / calls,
        "rate": calls / elapsed,
    }
    for family in ("fetch", "batch"):
        quota = SERVER_LIMITS.for_family(family)
        assert quota is not None
        times = [at for at, fam, _, _ in log if fam == family]
        figures[family] = peak_in_window(times, quota.period) / quota.limit
    return figures


def run(quick: bool) -> list[Result]:
    """Soak: quick, one run of 1,000 calls; else two of 5,000 (the full run stays short)."""
    calls, repeats = (1_000, 1) if quick else (5_000, 2)
    runs = [asyncio.run(soak(calls, seed)) for seed in range(repeats)]
    question = f"soak {calls} calls, 10% faults"
    return [
        summarise(question, "typed outcome share", [r["typed"] for r in runs], target=1.0),
        summarise(question, "calls hung", [r["hung"] for r in runs], target=0, below=True),
        summarise(
            question,
            "server fetch busiest / limit",
            [r["fetch"] for r in runs],
            target=1.0,
            below=True,
        ),
        summarise(
            question,
            "server batch busiest / limit",
            [r["batch"] for r in runs],
            target=1.0,
            below=True,
        ),
        summarise(question, "success share", [r["ok"] for r in runs]),
        summarise(question, "calls per second", [r["rate"] for r in runs]),
    ]


if __name__ == "__main__":
    cli(run)
