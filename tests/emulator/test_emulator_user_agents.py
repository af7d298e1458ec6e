"""The User-Agent policy: bare library defaults are warned of once, blocked, or allowed."""

from __future__ import annotations

import logging

import aiohttp
import pytest
from conftest import Api
from hypothesis import given
from hypothesis import strategies as st

from bento_emulator import BentoEmulator
from bento_emulator._app import _GENERIC_PRODUCTS, is_generic_agent

pytestmark = pytest.mark.anyio

GENERIC = [
    "python-requests/2.31.0",
    "Ruby",
    "curl/8.4.0",
    "Python/3.11 aiohttp/3.9.1",
    "Python-urllib/3.11",
    "Go-http-client/1.1",
    "node",
    "axios/1.6.0",
    "Faraday v2.7.4",
    "Apache-HttpClient/4.5.14 (Java/17.0.2)",
    "okhttp/4.12.0",
    "GuzzleHttp/7",
]
SPECIFIC = [
    "AcmeCRM/1.0",
    "AcmeCRM/1.0 python-requests/2.31.0",
    "bento-node-0123456789abcdef",
    "bento-python-sdk/0.1.0",
    "bento-rails-site",
    "Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0",
]


@pytest.mark.parametrize("agent", GENERIC)
def test_library_defaults_are_generic(agent: str) -> None:
    """Agents made only of HTTP libraries' default products are generic."""
    assert is_generic_agent(agent)


@pytest.mark.parametrize("agent", SPECIFIC)
def test_an_app_name_makes_an_agent_specific(agent: str) -> None:
    """One product of the caller's own is enough, whatever library follows it."""
    assert not is_generic_agent(agent)


versions = st.from_regex(r"v?[0-9]{1,3}(\.[0-9]{1,3}){0,2}", fullmatch=True)
library = st.tuples(st.sampled_from(sorted(_GENERIC_PRODUCTS)), versions).map("/".join)
app_name = st.from_regex(r"[A-Z][a-z]{2,8}(CRM|App|Tool)", fullmatch=True)


@given(st.lists(library, min_size=1, max_size=3), app_name, st.integers(0, 3))
def test_any_app_name_among_library_products_makes_it_specific(
    products: list[str], app: str, where: int
) -> None:
    """Library products alone are generic; an app's product anywhere among them is not."""
    assert is_generic_agent(" ".join(products))
    products.insert(min(where, len(products)), f"{app}/1.0")
    assert not is_generic_agent(" ".join(products))


async def _tags(emu: BentoEmulator, agent: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as session:
        answer = await Api(session, emu).call("GET", "fetch/tags", headers={"User-Agent": agent})
    return answer.status, answer.content_type


async def test_warn_logs_each_generic_agent_once(caplog: pytest.LogCaptureFixture) -> None:
    """The default policy answers normally; the first request per agent carries a warning,
    also sent to the `bento_emulator` logger."""
    caplog.set_level(logging.WARNING, logger="bento_emulator")
    async with BentoEmulator() as emu:
        for agent in ("Ruby", "Ruby", "curl/8.4.0", "AcmeCRM/1.0"):
            assert await _tags(emu, agent) == (200, "application/json")
        warnings = [r.warnings for r in emu.requests]
        emu.reset()
        await _tags(emu, "Ruby")
        again = emu.requests[0].warnings
    assert [len(w) for w in warnings] == [1, 0, 1, 0]
    assert "generic User-Agent 'Ruby'" in warnings[0][0]
    assert [r.getMessage() for r in caplog.records] == [warnings[0][0], warnings[2][0], again[0]]


async def test_strict_blocks_generic_agents_with_the_edge_page() -> None:
    """`strict` answers a bare library agent the HTML 403, and logs why; an app name passes."""
    async with BentoEmulator(user_agent_policy="strict") as emu:
        assert await _tags(emu, "python-requests/2.31.0") == (403, "text/html")
        assert await _tags(emu, "AcmeCRM/1.0 python-requests/2.31.0") == (200, "application/json")
        blocked = emu.requests[0]
    assert [str(r) for r in blocked.refusals] == [
        "generic User-Agent 'python-requests/2.31.0' blocked (user agent policy: strict)"
    ]


async def test_allow_says_nothing() -> None:
    """`allow` accepts generic agents without a warning; an empty agent is still refused."""
    async with BentoEmulator(user_agent_policy="allow") as emu:
        assert await _tags(emu, "Ruby") == (200, "application/json")
        assert emu.requests[0].warnings == ()


def test_an_unknown_policy_is_refused() -> None:
    """The policy is checked when the emulator is built."""
    with pytest.raises(ValueError, match="user_agent_policy"):
        BentoEmulator(user_agent_policy="lenient")  # type: ignore[arg-type]
