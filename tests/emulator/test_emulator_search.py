"""Search (Enterprise only): filters from query and body, over raw HTTP."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from bento_emulator import BentoEmulator

pytestmark = pytest.mark.anyio


async def test_search_refused_without_enterprise(api):
    """Search answers 403 with a JSON error on a site that is not Enterprise."""
    answer = await api.get("fetch/search")
    assert answer.status == 403
    assert "Enterprise" in answer.body["error"]


@pytest.fixture
async def enterprise_api(api):
    """A raw caller like `api` (same session), pointed at an Enterprise emulator."""
    async with BentoEmulator(enterprise=True) as emulator:
        yield type(api)(api.session, emulator)


async def test_search_reads_query_and_body_filters(enterprise_api):
    """Rails-style query filters and JSON-body filters select the same people."""
    state = enterprise_api.emulator.state
    now = datetime(2024, 6, 1, tzinfo=timezone.utc)
    state.clock = lambda: now
    state.add_tags("a@example.com", ["vip"])
    state.find_or_create_subscriber("b@example.com")
    by_query = await enterprise_api.get(
        "fetch/search", **{"created_at[lt]": "2024-07-01T00:00:00Z", "tags": "vip"}
    )
    by_body = await enterprise_api.call(
        "GET", "fetch/search", {"created_at": {"lt": "2024-07-01T00:00:00Z"}, "tag_names": ["vip"]}
    )
    by_ids = await enterprise_api.get("fetch/search", tag_ids=state.tag_by_name("vip").id)
    for answer in (by_query, by_body, by_ids):
        assert [s["attributes"]["email"] for s in answer.body["data"]] == ["a@example.com"]
    assert by_body.body["meta"]["page"] == 1
    assert by_body.body["meta"]["query"]["email"] == {"not": None}
    navigation = by_query.body["data"][0]["attributes"]["navigation_url"]
    assert navigation.endswith(state.subscriber_by_email("a@example.com").uuid)


@pytest.mark.parametrize("query", [{"created_at[gt]": "yesterday"}, {"page": "0"}, {"tags": ""}])
async def test_search_bad_filters(enterprise_api, query):
    """An unreadable date or page is 400; an empty tag filter is no filter."""
    answer = await enterprise_api.get("fetch/search", **query)
    assert answer.status == (200 if query == {"tags": ""} else 400)
