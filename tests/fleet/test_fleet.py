"""Eight OS processes, half AsyncBento and half Bento, each its own client of one site,
share one quota through a real redis-server against the emulator's sliding windows."""

from __future__ import annotations

from benchmarks._fleet import run_fleet
from benchmarks._redis_server import RedisServer


def test_eight_processes_keep_one_quota_and_use_it(redis_server: RedisServer) -> None:
    """150 requests per 3 s shared by 8 processes for 6 s: the emulator answers no 429, its
    busiest 3 s window holds at most 150, and the fleet gets at least 95% of the quota."""
    run = run_fleet(8, redis_server.url, limit=150, period=3.0, seconds=6.0, prefix="fleet8")
    assert run.errors == []
    assert run.refused == 0
    assert run.busiest <= 150
    assert run.share >= 0.95, f"the fleet used {run.share:.1%} of the quota"
