"""Every benchmark runs in its quick form, so none of them rots."""

from __future__ import annotations

import importlib
import math

import pytest

from benchmarks.__main__ import modules
from benchmarks._harness import Result
from benchmarks._redis_server import find_redis_server


@pytest.mark.parametrize("name", modules())
def test_benchmark_quick_run(name: str) -> None:
    """The benchmark's quick run returns well-formed rows with finite figures."""
    if name == "bench_fleet" and find_redis_server() is None:
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    module = importlib.import_module(f"benchmarks.{name}")
    results = module.run(True)
    assert results
    for row in results:
        assert isinstance(row, Result)
        assert math.isfinite(row.value)
        assert row.low <= row.value <= row.high
