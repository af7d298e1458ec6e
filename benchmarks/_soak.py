"""A soak workload: thousands of mixed calls from many tasks and threads, against an emulator
with its rate limits on and about 10% injected faults.

Shared by the short soak in the test suite (``tests/api/test_soak.py``) and the long one in
``bench_soak.py``. Every call must end in a value or a typed ``BentoError``, within a bound.
"""

from __future__ import annotations

import asyncio
import functools
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any

from bento_async import (
    AsyncBento,
    BentoError,
    Hooks,
    RateLimit,
    RateLimits,
    RequestEvent,
    RetryPolicy,
)
from bento_emulator import Faults
from bento_sync import Bento

__all__ = [
    "CLIENT_SHARE",
    "SERVER_LIMITS",
    "SoakLog",
    "client_limits",
    "install_faults",
    "run_async_calls",
    "run_sync_calls",
    "soak_options",
]

PERIOD = 1.0  # the shortened window of every family, in seconds
SERVER_LIMITS = RateLimits.profile(
    "seed", fetch=RateLimit(600, PERIOD), batch=RateLimit(300, PERIOD)
)
# Each of the two clients (async and sync) takes this share of the server's quota: together
# 90%, which leaves room for the jitter between a send and its arrival at the server.
CLIENT_SHARE = 0.45


def client_limits() -> RateLimits:
    """Return one client's limits: its share of the server's fetch and batch quotas."""
    fetch, batch = SERVER_LIMITS.fetch, SERVER_LIMITS.batch
    assert fetch is not None
    assert batch is not None
    return RateLimits.profile(
        "seed",
        fetch=RateLimit(int(fetch.limit * CLIENT_SHARE), fetch.period),
        batch=RateLimit(int(batch.limit * CLIENT_SHARE), batch.period),
    )


def install_faults(faults: Faults, seed: int = 0) -> None:
    """Script about 10% faulty answers, each kind from its own seed, plus some latency."""
    faults.fail_fraction(0.04, status=503, seed=seed + 1)
    faults.fail_fraction(0.01, status=429, retry_after=0.05, seed=seed + 2)
    faults.reset_connection(None, fraction=0.02, seed=seed + 3)
    faults.stall(0.4, times=None, fraction=0.01, seed=seed + 4)
    faults.invalid_json(None, fraction=0.01, seed=seed + 5)
    faults.html_403(None, fraction=0.005, seed=seed + 6)
    faults.latency(0.02, fraction=0.05, seed=seed + 7)


@dataclass
class SoakLog:
    """What one client did: outcome counts, and its send times per family."""

    outcomes: Counter[str] = field(default_factory=Counter)
    sends: dict[str, list[float]] = field(default_factory=dict)
    untyped: list[BaseException] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def hooks(self) -> Hooks:
        """Return hooks that record each send's time and family."""

        def on_request(event: RequestEvent) -> None:
            self.sends.setdefault(event.family, []).append(time.monotonic())

        return Hooks(on_request=on_request)

    def file(self, outcome: BaseException | None) -> None:
        """File one call's outcome: None for a value, else what it raised (thread-safe)."""
        with self._lock:
            if outcome is None:
                self.outcomes["ok"] += 1
            elif isinstance(outcome, BentoError):
                self.outcomes[type(outcome).__name__] += 1
            else:
                self.untyped.append(outcome)

    def record(self, call: Callable[[], Any]) -> None:
        """Run a sync call and file its outcome."""
        try:
            call()
        except Exception as exc:
            self.file(exc)
        else:
            self.file(None)


def soak_options(log: SoakLog) -> dict[str, Any]:
    """Return the client options of a soak run (short timeouts and backoffs)."""
    return {
        "rate_limits": client_limits(),
        "retry": RetryPolicy(attempts=4, backoff_initial=0.01, backoff_max=0.1, deadline=20),
        "timeout": 0.25,
        "hooks": log.hooks(),
    }


def _call(client: Any, i: int) -> Any:
    """Return call number ``i`` of the mix (70% fetch, 30% batch), unawaited."""
    email = f"soak{i % 97}@example.com"
    kind = i % 10
    if kind == 0:
        return client.subscribers.get(email=email)
    if kind == 1:
        return client.subscribers.create(email)
    if kind == 2:
        return client.tags.list()
    if kind == 3:
        return client.commands.add_tag(email, f"t{i % 7}")
    if kind == 4:
        return client.fields.list()
    if kind == 5:
        return client.subscribers.import_many([{"email": email, "plan": "pro"}])
    if kind == 6:
        return client.events.track(email, "soaked")
    if kind == 7:
        return client.events.track_purchase(email, key=f"order-{i}", amount=100)
    if kind == 8:
        return client.tags.create(f"t{i % 7}")
    return client.commands.remove_tag(email, f"t{i % 5}")


async def run_async_calls(client: AsyncBento, calls: int, tasks: int, log: SoakLog) -> None:
    """Make ``calls`` mixed calls from ``tasks`` tasks sharing ``client``."""

    async def worker(first: int) -> None:
        for i in range(first, calls, tasks):
            try:
                await _call(client, i)
            except Exception as exc:
                log.file(exc)
            else:
                log.file(None)

    await asyncio.gather(*(worker(k) for k in range(tasks)))


def run_sync_calls(client: Bento, calls: int, threads: int, log: SoakLog, timeout: float) -> int:
    """Make ``calls`` mixed calls from ``threads`` threads sharing ``client``.

    Returns how many threads were still running after ``timeout`` seconds (hung).
    """

    def worker(first: int) -> None:
        for i in range(first, calls, threads):
            log.record(functools.partial(_call, client, i))

    pool = ThreadPoolExecutor(threads, thread_name_prefix="soak")
    futures = [pool.submit(worker, k) for k in range(threads)]
    _, hung = wait(futures, timeout=timeout)
    pool.shutdown(wait=not hung, cancel_futures=True)
    for future in futures:
        if future.done() and (problem := future.exception()) is not None:
            log.file(problem)
    return len(hung)
