"""The emulator's fault script: failures, latency, stalls, resets, bad bodies; seeded."""

from __future__ import annotations

import asyncio
import time

import aiohttp
import pytest
from conftest import Api
from test_emulator_lifecycle import sync_request

from bento_async import RateLimit, RateLimits
from bento_emulator import BentoEmulator, FaultRule

pytestmark = pytest.mark.anyio

TAG = {"tag": {"name": "vip"}}


async def test_fail_next_answers_json_errors_then_recovers(api: Api, emu: BentoEmulator) -> None:
    """fail_next(2, 503) fails exactly the next two requests, without doing their work."""
    emu.faults.fail_next(2, status=503, retry_after=3)
    first = await api.post("fetch/tags", TAG)
    second = await api.get("fetch/tags")
    third = await api.post("fetch/tags", TAG)
    assert (first.status, second.status, third.status) == (503, 503, 201)
    assert first.body == {"error": "Service Unavailable"}
    assert [t.name for t in emu.state.tags] == ["vip"]  # only the third created it
    assert [r.fault for r in emu.requests] == ["status", "status", None]
    assert emu.faults.rules == []  # used up


async def test_retry_after_header_on_injected_errors(emu: BentoEmulator) -> None:
    """An injected 429 carries the Retry-After it was given."""
    emu.faults.fail_next(1, status=429, retry_after=0.25)
    async with aiohttp.ClientSession() as session:
        api = Api(session, emu)
        url = f"{emu.base_url}/fetch/tags"
        headers = {
            "Authorization": api.basic_auth(emu.publishable_key, emu.secret_key),
            "User-Agent": "tests/1.0",
        }
        async with session.get(url, params={"site_uuid": emu.site_uuid}, headers=headers) as r:
            assert r.status == 429
            assert r.headers["Retry-After"] == "0.25"
            assert await r.json() == {"error": "Too Many Requests"}


async def statuses(api: Api, n: int) -> list[int]:
    """Send `n` tag listings one after another; return their statuses."""
    return [(await api.get("fetch/tags")).status for _ in range(n)]


async def test_fail_fraction_is_deterministic_from_its_seed(api: Api, emu: BentoEmulator) -> None:
    """The same seed fails the same requests; another seed fails others; about the fraction."""
    emu.faults.fail_fraction(0.3, status=500, seed=7)
    first = await statuses(api, 60)
    emu.faults.clear()
    emu.faults.fail_fraction(0.3, status=500, seed=7)
    again = await statuses(api, 60)
    emu.faults.clear()
    emu.faults.fail_fraction(0.3, status=500, seed=8)
    other = await statuses(api, 60)
    assert first == again
    assert first != other
    assert set(first) == {200, 500}
    assert 5 <= first.count(500) <= 35


async def test_faults_scoped_to_family_or_path(api: Api, emu: BentoEmulator) -> None:
    """A rule for the batch family or for one path leaves other requests alone."""
    emu.faults.fail_fraction(1.0, status=502, family="batch")
    emu.faults.fail_next(5, status=500, path="fetch/fields")
    assert (await api.get("fetch/tags")).status == 200
    assert (await api.get("fetch/fields")).status == 500
    imported = await api.post("batch/subscribers", {"subscribers": [{"email": "a@x.io"}]})
    assert imported.status == 502
    assert [r.times for r in emu.faults.rules] == [None, 4]


async def test_latency_delays_and_adds_up(api: Api, emu: BentoEmulator) -> None:
    """Latency rules delay the answer and combine with a failure."""
    emu.faults.latency(0.15, times=1)
    emu.faults.latency(0.1, times=1)
    emu.faults.fail_next(1, status=503)
    start = time.monotonic()
    answer = await api.get("fetch/tags")
    assert time.monotonic() - start >= 0.25
    assert answer.status == 503
    assert emu.faults.rules == []


async def test_stall_does_the_work_but_outlasts_the_timeout(emu: BentoEmulator) -> None:
    """A stalled request is processed, but its answer comes too late for the client."""
    emu.faults.stall(0.5)
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=0.2)) as session:
        with pytest.raises(asyncio.TimeoutError):
            await Api(session, emu).post("fetch/tags", TAG)
    assert [t.name for t in emu.state.tags] == ["vip"]


async def test_reset_connection_does_no_work(api: Api, emu: BentoEmulator) -> None:
    """A reset drops the connection before anything is done; the log shows status 0."""
    emu.faults.reset_connection(path="fetch/tags")
    with pytest.raises(aiohttp.ClientError):
        await api.post("fetch/tags", TAG)
    assert emu.state.tags == []
    assert (emu.requests[-1].status, emu.requests[-1].fault) == (0, "reset")
    assert (await api.post("fetch/tags", TAG)).status == 201


async def test_invalid_json_after_doing_the_work(api: Api, emu: BentoEmulator) -> None:
    """invalid_json answers success with a body that is not JSON, after the work is done."""
    emu.faults.invalid_json()
    answer = await api.post("fetch/tags", TAG)
    assert answer.status == 201
    assert answer.content_type == "application/json"
    assert isinstance(answer.body, str)  # did not parse
    assert [t.name for t in emu.state.tags] == ["vip"]


async def test_html_403_is_the_cloudflare_page(api: Api, emu: BentoEmulator) -> None:
    """html_403 answers like Bento's edge does to a request without a User-Agent."""
    emu.faults.html_403()
    answer = await api.post("fetch/tags", TAG)
    assert (answer.status, answer.content_type) == (403, "text/html")
    assert "Attention Required" in answer.body
    assert emu.state.tags == []


async def test_faulty_requests_still_count_against_the_window() -> None:
    """Rate limits see every request before faults do, as Bento's edge would."""
    limits = RateLimits.profile("seed", fetch=RateLimit(2, 60))
    async with BentoEmulator(rate_limits=limits) as emu, aiohttp.ClientSession() as session:
        api = Api(session, emu)
        emu.faults.fail_next(2, status=500)
        assert await statuses(api, 3) == [500, 500, 429]


def test_rules_are_validated() -> None:
    """A rule with a bad fraction, count or duration is refused."""
    with pytest.raises(ValueError, match="fraction"):
        FaultRule(kind="status", fraction=1.5)
    with pytest.raises(ValueError, match="times"):
        FaultRule(kind="status", times=-1)
    with pytest.raises(ValueError, match="seconds"):
        FaultRule(kind="latency", seconds=-1)


def test_rules_take_keywords_only() -> None:
    """A rule built from positional arguments is refused (their order is not an API)."""
    with pytest.raises(TypeError):
        FaultRule("status", 503)  # type: ignore[misc]


def test_faults_work_from_another_thread() -> None:
    """Faults set from the test thread apply to an emulator serving from its own thread."""
    with BentoEmulator() as emu:
        emu.faults.fail_next(1, status=502)
        emu.faults.html_403()
        first = sync_request(emu, "GET", "fetch/tags")
        second = sync_request(emu, "GET", "fetch/tags")
        third = sync_request(emu, "GET", "fetch/tags")
    assert [first[0], second[0], third[0]] == [502, 403, 200]
    assert second[1] == "text/html"
