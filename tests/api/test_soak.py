"""A short soak: thousands of mixed calls from tasks and threads, limits on, 10% faults.

Every call ends in a value or a typed BentoError, none hangs, each client stays within its
share of the quota, and the emulator never sees a window over its limit. The workload is
`benchmarks._soak`; `python -m benchmarks bench_soak` runs a longer one.
"""

from __future__ import annotations

import asyncio
import os

import pytest

from benchmarks._soak import (
    SERVER_LIMITS,
    SoakLog,
    client_limits,
    install_faults,
    run_async_calls,
    run_sync_calls,
    soak_options,
)
from bento_async import AsyncBento
from bento_emulator import BentoEmulator
from bento_emulator._limits import peak_in_window
from bento_sync import Bento

pytestmark = [pytest.mark.anyio, pytest.mark.soak]

CALLS = int(os.environ.get("BENTO_SOAK_CALLS", "2000"))
BOUND = 60.0  # seconds; a run that takes longer has hung


async def test_soak_mixed_calls_under_limits_and_faults() -> None:
    """Half the calls from 40 tasks on an AsyncBento, half from 8 threads on a Bento."""
    async_log, sync_log = SoakLog(), SoakLog()
    with BentoEmulator(rate_limits=SERVER_LIMITS) as emulator:
        install_faults(emulator.faults, seed=11)
        async with AsyncBento(**emulator.credentials, **soak_options(async_log)) as aclient:
            with Bento(**emulator.credentials, **soak_options(sync_log)) as sclient:
                hung_threads = asyncio.to_thread(
                    run_sync_calls, sclient, CALLS // 2, 8, sync_log, BOUND
                )
                _, hung = await asyncio.wait_for(
                    asyncio.gather(
                        run_async_calls(aclient, CALLS - CALLS // 2, 40, async_log), hung_threads
                    ),
                    BOUND,
                )
        log = emulator.requests
    assert hung == 0
    for client_log in (async_log, sync_log):
        assert client_log.untyped == []
        assert sum(client_log.outcomes.values()) in (CALLS // 2, CALLS - CALLS // 2)
        assert client_log.outcomes["ok"] >= 0.85 * sum(client_log.outcomes.values())
        for family, times in client_log.sends.items():
            quota = client_limits().for_family(family)  # type: ignore[arg-type]
            assert quota is not None
            assert peak_in_window(times, quota.period) <= quota.limit
    refused = [r for r in log if r.status == 429 and r.fault is None]
    assert refused == []
    for family in ("fetch", "batch"):
        quota = SERVER_LIMITS.for_family(family)
        assert quota is not None
        times = [r.received_at for r in log if r.family == family]
        assert peak_in_window(times, quota.period) <= quota.limit
    assert sum(1 for r in log if r.fault) >= 0.05 * len(log)  # the faults did happen
