"""The wire contract of the stats and experimental endpoints, through both facades.

For every method: HTTP method, path, `site_uuid` in the query, the other query parameters
and the JSON body, as the emulator recorded them.
"""

from __future__ import annotations

from typing import Any

import attrs
import pytest

from bento_async import AsyncBento
from bento_emulator import BentoEmulator, RecordedRequest
from bento_sync import Bento


@attrs.frozen
class Case:
    """One SDK call and the request it must make."""

    area: str
    method: str
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    http: str
    path: str
    query: dict[str, str]
    body: dict[str, Any] | None = None

    def __str__(self) -> str:
        return f"{self.area}.{self.method}"


CASES = [
    Case("stats", "site", (), {}, "GET", "stats/site", {}),
    Case("stats", "segment", ("1",), {}, "GET", "stats/segment", {"segment_id": "1"}),
    Case("stats", "report", (1,), {}, "GET", "stats/report", {"report_id": "1"}),
    Case(
        "stats",
        "ads",
        (),
        {
            "dimension": "ad",
            "value": "spring",
            "start_date": "2024-01-01",
            "end_date": "2024-02-01",
            "revenue_mode": "subscriptions",
        },
        "GET",
        "stats/ads",
        {
            "dimension": "ad",
            "value": "spring",
            "start_date": "2024-01-01",
            "end_date": "2024-02-01",
            "revenue_mode": "subscriptions",
        },
    ),
    Case(
        "experimental",
        "validate_email",
        ("a@example.com",),
        {"name": "Ann", "ip": "192.0.2.1", "user_agent": "Mozilla/5.0"},
        "POST",
        "experimental/validation",
        {},
        {"email": "a@example.com", "name": "Ann", "ip": "192.0.2.1", "user_agent": "Mozilla/5.0"},
    ),
    Case(
        "experimental",
        "jesses_ruleset",
        ("a@example.com",),
        {"block_free_providers": True, "wiggleroom": False},
        "POST",
        "experimental/jesses_ruleset",
        {},
        {"email": "a@example.com", "block_free_providers": True, "wiggleroom": False},
    ),
    Case(
        "experimental",
        "guess_gender",
        ("Jane",),
        {},
        "POST",
        "experimental/gender",
        {},
        {"name": "Jane"},
    ),
    Case(
        "experimental",
        "geolocate",
        ("192.0.2.1",),
        {},
        "GET",
        "experimental/geolocation",
        {"ip": "192.0.2.1"},
    ),
    Case(
        "experimental",
        "blacklist",
        (),
        {"domain": "a.example"},
        "GET",
        "experimental/blacklist",
        {"domain": "a.example"},
    ),
    Case(
        "experimental",
        "blacklist",
        (),
        {"ip": "192.0.2.1"},
        "GET",
        "experimental/blacklist",
        {"ip": "192.0.2.1"},
    ),
    Case(
        "experimental",
        "moderate_content",
        ("hello",),
        {},
        "POST",
        "experimental/content_moderation",
        {},
        {"content": "hello"},
    ),
]


def _seed(emulator: BentoEmulator) -> None:
    emulator.state.add_segment("one", segment_id="1")
    emulator.state.stats.add_report("1", 3)


def _check(emulator: BentoEmulator, case: Case) -> None:
    [sent] = emulator.requests
    assert isinstance(sent, RecordedRequest)
    assert (sent.method, sent.path, sent.status) == (case.http, f"/api/v1/{case.path}", 200)
    assert sent.query == {**case.query, "site_uuid": emulator.site_uuid}
    assert sent.json == case.body
    assert sent.headers["user-agent"]
    if case.body is not None:
        assert sent.headers["content-type"].startswith("application/json")


@pytest.mark.anyio
@pytest.mark.parametrize("case", CASES, ids=str)
async def test_async_contract(bento: AsyncBento, emulator: BentoEmulator, case: Case) -> None:
    """The async client makes exactly the documented request."""
    _seed(emulator)
    await getattr(getattr(bento, case.area), case.method)(*case.args, **case.kwargs)
    _check(emulator, case)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_sync_contract(sync_bento: Bento, threaded_emulator: BentoEmulator, case: Case) -> None:
    """The sync facade makes the very same request."""
    _seed(threaded_emulator)
    getattr(getattr(sync_bento, case.area), case.method)(*case.args, **case.kwargs)
    _check(threaded_emulator, case)
