"""The checks every request passes, in Bento's order: User-Agent, auth, site_uuid, route, JSON."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.anyio


async def test_missing_user_agent_gets_cloudflare_html(api):
    """A request without a User-Agent is refused with 403 and an HTML page, not JSON."""
    answer = await api.call("GET", "fetch/tags", headers={"User-Agent": None})
    assert answer.status == 403
    assert answer.content_type == "text/html"
    assert "Attention Required" in answer.body
    assert answer.body.lstrip().lower().startswith("<!doctype html>\n<html")


async def test_blank_user_agent_gets_403(api):
    """A User-Agent made of blanks counts as missing."""
    answer = await api.call("GET", "fetch/tags", headers={"User-Agent": "  "})
    assert answer.status == 403


async def test_user_agent_is_checked_before_auth(api):
    """Without User-Agent and without credentials the answer is still the 403 page."""
    headers = {"User-Agent": None, "Authorization": None}
    answer = await api.call("GET", "fetch/nowhere", headers=headers)
    assert answer.status == 403


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "",
        "Basic",
        "Basic !!!not-base64!!!",
        "Basic " + "bm8tY29sb24=",  # "no-colon"
        "Bearer abc",
    ],
)
async def test_missing_or_malformed_auth_gets_401(api, authorization):
    """No Authorization header, or one that is not Basic user:password, gives 401 JSON."""
    answer = await api.call("GET", "fetch/tags", headers={"Authorization": authorization})
    assert (answer.status, answer.body) == (401, {"error": "Unauthorized"})
    assert answer.content_type == "application/json"


async def test_wrong_keys_get_401(api, emu):
    """A swapped or wrong key pair gives 401."""
    for user, password in [
        (emu.secret_key, emu.publishable_key),
        (emu.publishable_key, "sk_wrong"),
        ("pk_wrong", emu.secret_key),
    ]:
        headers = {"Authorization": api.basic_auth(user, password)}
        answer = await api.call("GET", "fetch/tags", headers=headers)
        assert answer.status == 401


async def test_auth_is_checked_before_routing(api):
    """An unknown path with bad credentials gives 401, not 404."""
    answer = await api.call("GET", "fetch/nowhere", headers={"Authorization": None})
    assert answer.status == 401


async def test_site_uuid_in_query_or_body_is_accepted(api):
    """site_uuid may travel in the query string or in the JSON body."""
    body = {"tag": {"name": "lead"}}
    in_query = await api.call("POST", "fetch/tags", body, site_uuid_in="query")
    in_body = await api.call("POST", "fetch/tags", body, site_uuid_in="body")
    assert (in_query.status, in_body.status) == (201, 200)


async def test_missing_site_uuid_gets_401(api):
    """A request with site_uuid in neither query nor body gives 401."""
    get = await api.call("GET", "fetch/tags", site_uuid_in=None)
    post = await api.call("POST", "fetch/tags", {"tag": {"name": "x"}}, site_uuid_in=None)
    assert (get.status, get.body) == (401, {"error": "Unauthorized"})
    assert post.status == 401


async def test_wrong_site_uuid_gets_401(api):
    """A site_uuid the keys cannot reach gives 401, in the query or in the body."""
    query = await api.call("GET", "fetch/tags", query={"site_uuid": "0" * 32}, site_uuid_in=None)
    body = {"tag": {"name": "x"}, "site_uuid": "0" * 32}
    in_body = await api.call("POST", "fetch/tags", body, site_uuid_in=None)
    assert (query.status, in_body.status) == (401, 401)


async def test_site_uuid_is_checked_before_routing(api):
    """An unknown path without site_uuid gives 401, not 404."""
    answer = await api.call("GET", "fetch/nowhere", site_uuid_in=None)
    assert answer.status == 401


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "fetch/nowhere"),
        ("GET", "nowhere"),
        ("DELETE", "fetch/subscribers"),
        ("GET", "batch/events"),
        ("PUT", "fetch/tags"),
    ],
)
async def test_unknown_path_or_method_gets_404(api, method, path):
    """An unknown path, or a method the path does not take, gives 404 JSON."""
    answer = await api.call(method, path)
    assert (answer.status, answer.body) == (404, {"error": "Not Found"})
    assert answer.content_type == "application/json"


async def test_invalid_json_gets_400(api):
    """A body that is not JSON gives 400 with an error message."""
    answer = await api.call("POST", "batch/events", data="{not json")
    assert answer.status == 400
    assert answer.body["error"].startswith("Invalid JSON")


async def test_invalid_json_without_query_site_uuid_gets_401(api):
    """When the body cannot be read, a site_uuid can only come from the query: 401 first."""
    answer = await api.call("POST", "batch/events", data="{not json", site_uuid_in=None)
    assert answer.status == 401


async def test_unknown_path_wins_over_invalid_json(api):
    """Routing is checked before the body, so an unknown path with bad JSON gives 404."""
    answer = await api.call("POST", "fetch/nowhere", data="{not json")
    assert answer.status == 404


@pytest.mark.parametrize("body", [[1, 2], "text", 3, None])
async def test_body_that_is_not_an_object_gets_400(api, body):
    """A JSON body that is not an object cannot carry a wrapper key: 400."""
    answer = await api.call("POST", "batch/subscribers", body)
    assert answer.status == 400
    assert "error" in answer.body


async def test_requests_are_logged_with_status_and_redacted_auth(api, emu):
    """Every request, refused ones included, is logged without the Authorization value."""
    await api.call("GET", "fetch/tags", headers={"User-Agent": None})
    await api.call("POST", "fetch/tags", {"tag": {"name": "vip"}}, query={"x": "1"})
    refused, created = emu.requests
    assert (refused.method, refused.path, refused.status) == ("GET", "/api/v1/fetch/tags", 403)
    assert created.status == 201
    assert created.json == {"tag": {"name": "vip"}}
    assert created.query == {"x": "1", "site_uuid": emu.site_uuid}
    assert created.headers["authorization"] == "[redacted]"
    assert created.headers["user-agent"] == "bento-emulator-tests/1.0"
    assert emu.secret_key not in repr(emu.requests)


async def test_invalid_json_is_logged_with_no_body(api, emu):
    """A body that is not JSON is logged as json=None."""
    await api.call("POST", "batch/events", data="{oops")
    (logged,) = emu.requests
    assert (logged.json, logged.status) == (None, 400)
