"""The emulator's rate limits: a sliding window per family, 429 with JSON and Retry-After."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import aiohttp
import pytest
from conftest import Api
from hypothesis import given
from hypothesis import strategies as st

from bento_async import RateLimit, RateLimits
from bento_emulator import BentoEmulator
from bento_emulator._limits import SlidingWindow, peak_in_window

pytestmark = pytest.mark.anyio


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    """A raw HTTP session that sends only the headers it is given."""
    async with aiohttp.ClientSession(skip_auto_headers=["User-Agent"]) as client:
        yield client


hits = st.lists(st.tuples(st.floats(0, 2.0), st.integers(1, 4)), max_size=60)


@given(st.integers(1, 10), st.floats(0.5, 5.0), hits)
def test_window_never_admits_past_its_limit(limit: int, period: float, steps: list) -> None:
    """Admitted arrivals never exceed the limit in any window, and a refusal's wait is exact:
    the same request fits right after it and not a moment before."""
    window = SlidingWindow(limit, period)
    admitted: list[float] = []
    now = 0.0
    for gap, amount in steps:
        now += gap
        wait = window.hit(now, amount, count_refused=False)
        if wait is None:
            admitted += [now] * amount
            continue
        assert amount > limit or 0 < wait <= period + 1e-6
        if amount <= limit:
            probe = SlidingWindow(limit, period)
            probe._times = window._times.copy()
            assert probe.hit(now + wait, amount, count_refused=False) is None
            probe._times = window._times.copy()
            assert probe.hit(now + wait - 1e-6, amount, count_refused=False) is not None
    assert peak_in_window(admitted, period) <= limit


def test_refused_requests_count_by_default() -> None:
    """A refused request counts too, so hammering pushes the next free slot further away."""
    window = SlidingWindow(2, 10.0)
    assert window.hit(0.0) is None
    assert window.hit(1.0) is None
    # Refused, and counted: both the arrival at 0 and the one at 1 must leave first.
    assert window.hit(2.0) == pytest.approx(9.0)
    assert window.hit(10.5) == pytest.approx(1.5)  # 1.0 left; 2.0 (refused) is still in
    assert window.hit(12.0) is None


def test_peak_in_window_uses_half_open_windows() -> None:
    """Two arrivals exactly a period apart are never in the same window."""
    assert peak_in_window([0.0, 1.0, 1.0, 2.0], 1.0) == 2
    assert peak_in_window([], 1.0) == 0


def test_seed_is_the_default_and_none_switches_limits_off() -> None:
    """The emulator enforces the seed profile unless told otherwise."""
    assert BentoEmulator().rate_limits == RateLimits.profile("seed")
    assert BentoEmulator(rate_limits="docs").rate_limits == RateLimits.profile("docs")
    assert BentoEmulator(rate_limits=None).rate_limits is None


@pytest.mark.parametrize(("profile", "refused"), [("seed", True), (None, False)])
async def test_stats_family_gets_60_per_hour(
    session: aiohttp.ClientSession, profile: str | None, refused: bool
) -> None:
    """Under the seed profile the 61st stats request within the hour is refused with 429."""
    async with BentoEmulator(rate_limits=profile) as emu:
        api = Api(session, emu)
        statuses = [(await api.get("stats/site")).status for _ in range(61)]
        answer = await api.get("stats/site")
    assert set(statuses[:60]) == {200}
    if refused:
        assert statuses[60] == 429
        assert answer.status == 429
        assert answer.body == {"error": "Too Many Requests"}
        assert answer.content_type == "application/json"
    else:
        assert statuses[60] == 200


async def test_429_has_retry_after_and_other_families_are_unaffected(
    session: aiohttp.ClientSession,
) -> None:
    """Past the fetch limit fetch gets 429 with Retry-After, while batch still works; and
    the log's busiest window shows the refused request too."""
    limits = RateLimits.profile("seed", fetch=RateLimit(3, 30.0))
    async with BentoEmulator(rate_limits=limits) as emu:
        api = Api(session, emu)
        assert [(await api.get("fetch/tags")).status for _ in range(3)] == [200] * 3
        url = f"{emu.base_url}/fetch/tags"
        headers = {
            "Authorization": api.basic_auth(emu.publishable_key, emu.secret_key),
            "User-Agent": "tests/1.0",
        }
        async with session.get(url, params={"site_uuid": emu.site_uuid}, headers=headers) as r:
            assert r.status == 429
            assert int(r.headers["Retry-After"]) in range(29, 31)
        imported = await api.post("batch/subscribers", {"subscribers": [{"email": "a@x.io"}]})
        assert imported.status == 200
        assert emu.peak_window("fetch") == 4
        assert emu.peak_window("batch") == 1
        with pytest.raises(ValueError, match="no rate limit"):
            BentoEmulator(rate_limits=None).peak_window("fetch")


async def test_window_slides_and_counts_refused_requests(session: aiohttp.ClientSession) -> None:
    """Requests leave the window one period after they arrived; refused ones count."""
    limits = RateLimits.profile("seed", fetch=RateLimit(2, 0.6))
    async with BentoEmulator(rate_limits=limits) as emu:
        api = Api(session, emu)
        assert (await api.get("fetch/tags")).status == 200  # t = 0
        await asyncio.sleep(0.3)
        assert (await api.get("fetch/tags")).status == 200  # t = 0.3
        assert (await api.get("fetch/tags")).status == 429  # t = 0.3, counted
        await asyncio.sleep(0.4)  # t = 0.7: the first left; both at 0.3 are still in
        assert (await api.get("fetch/tags")).status == 429
        await asyncio.sleep(0.7)  # t = 1.4: all gone
        assert (await api.get("fetch/tags")).status == 200


async def test_email_pace_counts_emails_not_requests(session: aiohttp.ClientSession) -> None:
    """batch/emails counts its emails against the 60-per-minute pace; a refused batch's
    emails are not counted."""
    async with BentoEmulator() as emu:
        api = Api(session, emu)
        emails = [{"to": f"u{i}@example.com"} for i in range(40)]
        first = await api.post("batch/emails", {"emails": emails})
        second = await api.post("batch/emails", {"emails": emails})
        third = await api.post("batch/emails", {"emails": emails[:20]})
    assert first.status != 429
    assert second.status == 429
    assert third.status != 429  # 40 + 20 fit the 60


async def test_limits_can_change_while_serving(session: aiohttp.ClientSession) -> None:
    """Setting rate_limits applies from the next request, with fresh windows."""
    async with BentoEmulator(rate_limits=None) as emu:
        api = Api(session, emu)
        assert (await api.get("fetch/tags")).status == 200
        emu.rate_limits = RateLimits.profile("docs", fetch=RateLimit(1, 60))
        assert (await api.get("fetch/tags")).status == 200
        assert (await api.get("fetch/tags")).status == 429
        emu.rate_limits = None
        assert (await api.get("fetch/tags")).status == 200
