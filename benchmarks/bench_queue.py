"""Question: what does the background event queue cost the caller, and what does it deliver?

Two rows, both with one ``bento_sync.Bento`` against the emulator (limits off) in its own
process:

- ``track()`` cost: seconds per ``queue.track()`` call in the caller's thread, against a
  direct ``bento.events.track()`` call (one request each). Target: at most 1/100.
- delivery: events per second from the first ``queue.track()`` until ``flush()`` returns,
  against ``bento.events.track_many()`` of the same events (the bulk path). Target: at
  least 0.5 of the bulk rate.
"""

from __future__ import annotations

import statistics
import time

from bento_async import RateLimits
from bento_sync import Bento

from ._emulator_proc import EmulatorProcess
from ._harness import Result, cli, summarise
from ._timing import interleave, ratios, sync_rate

__all__ = ["run"]


def run(quick: bool) -> list[Result]:
    """Measure both pairs, interleaved, and return the two rows."""
    runs, direct_calls, events = (2, 30, 2_000) if quick else (7, 300, 20_000)
    with (
        EmulatorProcess(limits="none") as server,
        Bento(**server.credentials, rate_limits=RateLimits.off()) as bento,
    ):
        costs = _costs(bento, runs, direct_calls, events)
        rates = _delivery(bento, runs, events)
    queue_us, direct_us = (statistics.median(costs[k]) * 1e6 for k in ("queue", "direct"))
    queue_rate, bulk_rate = (statistics.median(rates[k]) for k in ("queue", "bulk"))
    return [
        summarise(
            "event queue, track() cost",
            "seconds per queue.track() / per direct events.track() (sync)",
            ratios(costs["queue"], costs["direct"]),
            target=0.01,
            below=True,
            detail=f"queue {queue_us:.1f} us, direct {direct_us:,.0f} us",
        ),
        summarise(
            "event queue, delivery",
            f"events/s, track() to flush() / events.track_many ({events:,} events)",
            ratios(rates["queue"], rates["bulk"]),
            target=0.5,
            detail=f"queue {queue_rate:,.0f}/s, track_many {bulk_rate:,.0f}/s",
        ),
    ]


def _costs(bento: Bento, runs: int, direct_calls: int, events: int) -> dict[str, list[float]]:
    counter = iter(range(10**9))

    def direct() -> float:
        return 1 / sync_rate(
            lambda: bento.events.track(f"d{next(counter)}@example.com", "x"), direct_calls
        )

    def queued() -> float:
        with bento.events.queue(max_queue=events, interval=60) as queue:
            start = time.perf_counter()
            for i in range(events):
                queue.track(f"q{i}@example.com", "x")
            return (time.perf_counter() - start) / events

    return interleave(runs, {"queue": queued, "direct": direct})


def _delivery(bento: Bento, runs: int, events: int) -> dict[str, list[float]]:
    def queued() -> float:
        with bento.events.queue(max_queue=events) as queue:
            start = time.perf_counter()
            for i in range(events):
                queue.track(f"q{i}@example.com", "x")
            queue.flush()
            elapsed = time.perf_counter() - start
        assert queue.stats.sent == events, queue.stats
        return events / elapsed

    def bulk() -> float:
        start = time.perf_counter()
        result = bento.events.track_many(
            {"email": f"b{i}@example.com", "type": "x"} for i in range(events)
        )
        assert result.accepted == events, result
        return events / (time.perf_counter() - start)

    return interleave(runs, {"queue": queued, "bulk": bulk})


if __name__ == "__main__":
    cli(run)
