"""Experimental stubs: deterministic answers, parameters from query or body, errors."""

from __future__ import annotations

import pytest

from bento_emulator import ExperimentalStubs

pytestmark = pytest.mark.anyio


async def _ask(api, method, path, params, placement):
    """Send params in the query with no body (Go, Python) or in the JSON body (Node, Ruby)."""
    if placement == "query":
        return await api.call(method, path, query=params)
    return await api.call(method, path, params)


PLACEMENTS = pytest.mark.parametrize("placement", ["query", "body"])


@PLACEMENTS
@pytest.mark.parametrize(
    ("params", "valid"),
    [
        ({"email": "jesse@example.com"}, True),
        ({"email": "jesse@example.com", "name": "Jesse", "ip": "1.2.3.4"}, True),
        ({"email": "jesse@mailinator.com"}, False),
        ({"email": "not-an-email"}, False),
        ({"email": "jesse@example.com", "name": "visit www.spam.example"}, False),
    ],
)
async def test_validation(api, placement, params, valid):
    """Malformed, disposable or link-bearing input is invalid, wherever the parameters are."""
    answer = await _ask(api, "POST", "experimental/validation", params, placement)
    assert (answer.status, answer.body) == (200, {"valid": valid})


@PLACEMENTS
async def test_validation_errors(api, placement):
    """No email gives 400; a malformed ip gives 400 Invalid IP."""
    missing = await _ask(api, "POST", "experimental/validation", {"name": "x"}, placement)
    assert (missing.status, missing.body) == (400, {"error": "Email is required"})
    bad_ip = {"email": "a@example.com", "ip": "300.1.1.1"}
    answer = await _ask(api, "POST", "experimental/validation", bad_ip, placement)
    assert (answer.status, answer.body) == (400, {"error": "Invalid IP"})


async def test_validation_with_site_uuid_in_the_body(api):
    """The Node SDK puts site_uuid and the parameters in the body; that works too."""
    answer = await api.call(
        "POST", "experimental/validation", {"email": "a@example.com"}, site_uuid_in="body"
    )
    assert (answer.status, answer.body) == (200, {"valid": True})


@PLACEMENTS
@pytest.mark.parametrize(
    ("params", "reasons"),
    [
        ({"email": "jesse@example.com"}, []),
        ({"email": "bad"}, ["Email is invalid"]),
        ({"email": "x@yopmail.com"}, ["Email provider is disposable"]),
        ({"email": "jesse@gmail.com"}, []),
        ({"email": "jesse@gmail.com", "block_free_providers": "true"}, ["Email provider is free"]),
        ({"email": "info+x@example.com"}, ["Email is a role account", "Email uses a plus alias"]),
        ({"email": "info+x@example.com", "wiggleroom": "true"}, []),
    ],
)
async def test_jesses_ruleset(api, placement, params, reasons):
    """Each broken rule gives its reason; flags work as strings in the query too."""
    answer = await _ask(api, "POST", "experimental/jesses_ruleset", params, placement)
    assert answer.body == {"valid": not reasons, "reasons": reasons}


async def test_jesses_ruleset_flags_as_json_booleans(api):
    """JSON booleans in the body are understood; false and null leave the rules on."""
    body = {"email": "admin@gmail.com", "block_free_providers": True, "wiggleroom": None}
    answer = await api.post("experimental/jesses_ruleset", body)
    assert answer.body["reasons"] == ["Email provider is free", "Email is a role account"]
    body = {"email": "admin@gmail.com", "block_free_providers": False, "wiggleroom": True}
    assert (await api.post("experimental/jesses_ruleset", body)).body["valid"] is True


async def test_jesses_ruleset_needs_an_email(api):
    """No email gives 400."""
    answer = await api.post("experimental/jesses_ruleset", {})
    assert answer.status == 400


@PLACEMENTS
async def test_gender(api, emu, placement):
    """Known first names get a gender; unknown ones nulls; the table can be changed."""
    known = await _ask(api, "POST", "experimental/gender", {"name": "Mary Smith"}, placement)
    assert known.body == {"gender": "female", "confidence": 0.99}
    unknown = await _ask(api, "POST", "experimental/gender", {"name": "Qx"}, placement)
    assert unknown.body == {"gender": None, "confidence": None}
    emu.state.experimental.genders["qx"] = ("female", 0.5)
    taught = await _ask(api, "POST", "experimental/gender", {"name": "Qx"}, placement)
    assert taught.body == {"gender": "female", "confidence": 0.5}


async def test_gender_needs_a_name(api):
    """A blank name gives 400."""
    answer = await api.post("experimental/gender", {"name": " "})
    assert (answer.status, answer.body) == (400, {"error": "Name is required"})


async def test_geolocation_is_empty_by_default(api, emu):
    """Geolocation answers {} as Bento does today, and the documented object when on."""
    answer = await api.get("experimental/geolocation", ip="8.8.8.8")
    assert (answer.status, answer.body) == (200, {})
    emu.state.experimental.geolocation_enabled = True
    answer = await api.get("experimental/geolocation", ip="8.8.8.8")
    assert answer.body["ip"] == answer.body["request"] == "8.8.8.8"
    assert answer.body["country_name"] == "United States"
    emu.reset()
    assert (await api.get("experimental/geolocation", ip="8.8.8.8")).body == {}


@pytest.mark.parametrize("query", [{}, {"ip": "8.8.8"}, {"ip": "example.com"}])
async def test_geolocation_bad_ip_is_400(api, query):
    """No or a malformed ip gives 400 Invalid IP."""
    answer = await api.get("experimental/geolocation", **query)
    assert (answer.status, answer.body) == (400, {"error": "Invalid IP"})


@pytest.mark.parametrize("path", ["experimental/blacklist", "experimental/blacklist.json"])
@pytest.mark.parametrize("key", ["domain", "ip", "ip_address"])
async def test_blacklist_routes_and_parameters(api, emu, path, key):
    """Both paths answer; domain, ip and the docs' ip_address are understood."""
    query = "spam.example" if key == "domain" else "192.0.2.1"
    emu.state.experimental.add_to_blacklist(query, "nordspam")
    answer = await api.get(path, **{key: query})
    assert answer.status == 200
    assert answer.body["query"] == query
    assert answer.body["description"].startswith("If any of the following")
    assert [name for name, hit in answer.body["results"].items() if hit] == ["nordspam"]
    clean = await api.get(path, **{key: "ok.example" if key == "domain" else "192.0.2.2"})
    assert not any(clean.body["results"].values())


@pytest.mark.parametrize(
    ("query", "error"),
    [
        ({}, "Give exactly one of domain and ip"),
        ({"domain": "a.example", "ip": "1.1.1.1"}, "Give exactly one of domain and ip"),
        ({"domain": "http://a.example/"}, "Invalid domain"),
        ({"ip": "1.1.1.1.1"}, "Invalid IP"),
    ],
)
async def test_blacklist_errors(api, query, error):
    """Neither or both parameters, or a malformed one, gives 400."""
    answer = await api.get("experimental/blacklist", **query)
    assert (answer.status, answer.body) == (400, {"error": error})


def test_blacklist_seeding():
    """Listing defaults to spamhaus, lower-cases the query, refuses unknown providers."""
    stubs = ExperimentalStubs()
    stubs.add_to_blacklist("Bad.Example")
    assert stubs.blacklisted == {"bad.example": ("spamhaus",)}
    with pytest.raises(ValueError, match="unknown blacklist providers"):
        stubs.add_to_blacklist("a.example", "madeup")
    stubs.reset()
    assert stubs.blacklisted == {}


@PLACEMENTS
async def test_content_moderation(api, emu, placement):
    """Configured words and link spam give reasons; the safe copy is HTML-escaped."""
    params = {"content": "Free VIAGRA at <a href=x>our casino</a>"}
    answer = await _ask(api, "POST", "experimental/content_moderation", params, placement)
    assert answer.body == {
        "valid": False,
        "reasons": ["Spam", "Gambling"],
        "safe_original_content": "Free VIAGRA at &lt;a href=x&gt;our casino&lt;/a&gt;",
    }
    emu.state.experimental.flagged_words = {}
    cleared = await _ask(api, "POST", "experimental/content_moderation", params, placement)
    assert cleared.body["valid"] is True


async def test_content_moderation_link_spam(api):
    """More than two links is link spam; two is fine."""
    two = await api.post("experimental/content_moderation", {"content": "http://a www.b"})
    assert two.body["reasons"] == []
    three = await api.post(
        "experimental/content_moderation", {"content": "http://a www.b https://c"}
    )
    assert three.body["reasons"] == ["Link spam"]


@pytest.mark.parametrize("body", [{}, {"content": ""}, {"content": "  \n"}, {"content": 5}])
async def test_blank_content_is_answered_not_refused(api, body):
    """Blank content gets 200 with Bento's documented answer."""
    answer = await api.post("experimental/content_moderation", body)
    assert (answer.status, answer.body) == (
        200,
        {"valid": False, "reasons": ["Content is required"]},
    )
