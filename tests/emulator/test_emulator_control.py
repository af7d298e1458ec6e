"""The control API (`/_emulator`): state, request log with refusal reasons, reset, faults and
fixtures over HTTP, for code in any language."""

from __future__ import annotations

import json
from typing import Any

import aiohttp
import pytest
from conftest import Api

from bento_emulator import BentoEmulator

pytestmark = pytest.mark.anyio

FIXTURES = {
    "subscribers": [{"email": "ann@example.com", "tags": ["customer"], "fields": {"plan": "pro"}}],
    "segments": [{"id": "7", "name": "Customers", "tags": ["customer"]}],
    "reports": [{"id": "42", "data": 12}],
}


async def control(
    session: aiohttp.ClientSession,
    emu: BentoEmulator,
    method: str,
    path: str = "",
    body: Any = None,
) -> tuple[int, Any]:
    """Call the control API; return the status and the parsed JSON answer."""
    data = None if body is None else body if isinstance(body, str) else json.dumps(body)
    async with session.request(method, emu.control_url + path, data=data) as response:
        return response.status, await response.json()


async def test_index_describes_the_site_without_the_secret(api: Api, emu: BentoEmulator) -> None:
    """The index names the site, its authors and switches, never the secret key; control
    calls stay out of the request log."""
    status, index = await control(api.session, emu, "GET")
    assert status == 200
    assert index["site"]["site_uuid"] == emu.site_uuid
    assert index["site"]["authors"] == ["jesse@example.com"]
    assert index["site"]["user_agent_policy"] == "warn"
    assert "POST /_emulator/reset" in index["endpoints"]
    assert emu.secret_key not in json.dumps(index)
    assert emu.requests == []


async def test_state_areas_show_what_the_api_wrote(api: Api, emu: BentoEmulator) -> None:
    """Subscribers (with tag names), events, purchases, automations and the outbox read back."""
    event = {
        "email": "ann@example.com",
        "type": "$purchase",
        "date": "2023-11-29 19:31:49 +0000",
        "details": {"unique": {"key": "o-1"}, "value": {"currency": "USD", "amount": 500}},
    }
    await api.post("batch/events", {"events": [event]})
    await api.post(
        "fetch/commands",
        {"command": {"command": "add_tag", "email": "ann@example.com", "query": "vip"}},
    )
    email = {
        "to": "ann@example.com",
        "from": "jesse@example.com",
        "subject": "Hi",
        "html_body": "<p>Hi</p>",
        "transactional": True,
    }
    await api.post("batch/emails", {"emails": [email]})
    _, state = await control(api.session, emu, "GET", "/state")
    (ann,) = state["subscribers"]
    assert (ann["email"], ann["tags"], ann["unsubscribed_at"]) == ("ann@example.com", ["vip"], None)
    assert state["events"][0]["date"] == "2023-11-29T19:31:49Z"
    assert [(p["key"], p["amount"], p["currency"]) for p in state["purchases"]] == [
        ("o-1", 500, "USD")
    ]
    assert [a["trigger"] for a in state["automations"]] == ["$purchase"]
    (sent,) = state["outbox"]
    assert (sent["to"], sent["from"], sent["transactional"]) == (
        "ann@example.com",
        "jesse@example.com",
        True,
    )
    status, tags = await control(api.session, emu, "GET", "/state/tags")
    assert (status, [t["name"] for t in tags]) == (200, ["vip"])
    status, problem = await control(api.session, emu, "GET", "/state/nothing")
    assert status == 404
    assert "subscribers" in problem["error"]


async def test_request_log_says_why_requests_and_items_were_refused(
    api: Api, emu: BentoEmulator
) -> None:
    """Wrong keys, unknown paths and bad batch items are logged with a reason; `since` pages."""
    await api.call(
        "GET", "fetch/tags", headers={"Authorization": api.basic_auth(emu.publishable_key, "nope")}
    )
    await api.call("GET", "fetch/tags", site_uuid_in=None)
    await api.get("fetch/nothing")
    events = [
        {"email": "ann@example.com", "type": "ok"},
        {"email": "not-an-email", "type": "x"},
        {"email": "ann@example.com", "type": "x", "date": "yesterday"},
    ]
    answer = await api.post("batch/events", {"events": events})
    assert answer.body == {"results": 1, "failed": 2}
    _, log = await control(api.session, emu, "GET", "/requests")
    reasons = [[r["message"] for r in entry["refusals"]] for entry in log]
    assert reasons[:3] == [
        ["wrong secret key (Basic auth password)"],
        ["site_uuid missing from the query and the JSON body"],
        ["no such endpoint or method"],
    ]
    assert [(r["index"], r["field"]) for r in log[3]["refusals"]] == [(1, "email"), (2, "date")]
    assert "'yesterday' is not a timestamp" in log[3]["refusals"][1]["message"]
    assert emu.requests[3].refusals[1].index == 2
    assert emu.secret_key not in json.dumps(log)
    _, tail = await control(api.session, emu, "GET", "/requests?since=3")
    assert [entry["index"] for entry in tail] == [3]
    status, _ = await control(api.session, emu, "GET", "/requests?since=-1")
    assert status == 400


async def test_faults_are_scripted_listed_and_cleared() -> None:
    """A spec (or an array of them) adds rules that apply to the API; DELETE drops them."""
    async with (
        BentoEmulator() as emu,
        aiohttp.ClientSession(headers={"User-Agent": "t/1"}) as session,
    ):
        api = Api(session, emu)
        status, added = await control(
            session,
            emu,
            "POST",
            "/faults",
            [{"next": 1, "status": 502}, {"kind": "latency", "seconds": 0}],
        )
        assert status == 200
        assert [rule["kind"] for rule in added] == ["status", "latency"]
        assert (await api.get("fetch/tags")).status == 502
        _, rules = await control(session, emu, "GET", "/faults")
        assert [rule["kind"] for rule in rules] == ["latency"]
        assert (await control(session, emu, "DELETE", "/faults"))[0] == 200
        assert emu.faults.rules == []
        status, problem = await control(session, emu, "POST", "/faults", {"kind": "explode"})
        assert status == 400
        assert "fail_next" in problem["error"]
        status, problem = await control(
            session, emu, "POST", "/faults", {"kind": "stall", "bogus": 1}
        )
        assert (status, problem["error"].startswith("stall:")) == (400, True)
        status, problem = await control(session, emu, "POST", "/faults", "{not json")
        assert (status, problem["error"].startswith("Invalid JSON")) == (400, True)


async def test_fixtures_load_and_reset_restores_the_startup_ones() -> None:
    """Startup fixtures seed the site and come back after reset; more can be posted."""
    async with (
        BentoEmulator(fixtures=FIXTURES) as emu,
        aiohttp.ClientSession(headers={"User-Agent": "t/1"}) as session,
    ):
        api = Api(session, emu)
        assert (await api.get("stats/segment", segment_id="7")).body["user_count"] == 1
        assert (await api.get("stats/report", report_id="42")).body["data"] == 12
        status, loaded = await control(
            session,
            emu,
            "POST",
            "/fixtures",
            {"tags": ["lead"], "workflows": [{"name": "Win-back", "emails": ["Hi"]}]},
        )
        assert (status, loaded) == (200, {"loaded": {"tags": 1, "workflows": 1}})
        assert [t["name"] for t in (await control(session, emu, "GET", "/state/tags"))[1]] == [
            "customer",
            "lead",
        ]
        await api.post("batch/subscribers", {"subscribers": [{"email": "bo@example.com"}]})
        assert (await control(session, emu, "POST", "/reset"))[0] == 200
        _, state = await control(session, emu, "GET", "/state")
        assert [s["email"] for s in state["subscribers"]] == ["ann@example.com"]
        assert [t["name"] for t in state["tags"]] == ["customer"]
        assert state["workflows"] == []
        assert emu.requests == []
        status, problem = await control(session, emu, "POST", "/fixtures", {"people": []})
        assert status == 400
        assert "unknown areas ['people']" in problem["error"]
