"""A call that waits long for a rate-limit slot says so once, at WARNING (request handlers
should cap waits); bulk calls, which report their waits in progress, do not."""

from __future__ import annotations

import logging

import pytest

from bento_async import AsyncBento, RateLimit, RateLimits, _ratelimit
from bento_emulator import BentoEmulator

pytestmark = pytest.mark.anyio


def _warnings(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.levelno >= logging.WARNING]


async def test_a_long_wait_logs_one_warning_with_family_and_seconds(
    emulator: BentoEmulator, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The second call waits ~0.5 s (past a threshold lowered to 0.2 s): one WARNING naming
    the family, the wait and max_wait; the first call, which did not wait, logs none."""
    monkeypatch.setattr(_ratelimit, "LONG_WAIT", 0.2)
    caplog.set_level(logging.INFO, logger="bento_async")
    limits = RateLimits.profile("seed", fetch=RateLimit(2, 0.5, burst=1))
    async with AsyncBento(**emulator.credentials, rate_limits=limits) as client:
        await client.tags.list()
        assert _warnings(caplog) == []
        await client.tags.list()
    (warning,) = _warnings(caplog)
    message = warning.getMessage()
    assert message.startswith("bento fetch: a call waited 0.")
    assert "max_wait" in message
    assert float(message.split("waited ")[1].split("s")[0]) >= 0.2


async def test_bulk_calls_report_waits_in_progress_not_warnings(
    emulator: BentoEmulator, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Chunks of an import wait as long, yet log no WARNING: the waits are in the progress."""
    monkeypatch.setattr(_ratelimit, "LONG_WAIT", 0.2)
    caplog.set_level(logging.INFO, logger="bento_async")
    limits = RateLimits.profile("seed", batch=RateLimit(2, 0.5, burst=1))
    async with AsyncBento(**emulator.credentials, rate_limits=limits) as client:
        records = [{"email": f"u{i}@example.com"} for i in range(3)]
        result = await client.subscribers.import_many(records, chunk_size=1, concurrency=1)
    assert result.accepted == 3
    assert _warnings(caplog) == []
