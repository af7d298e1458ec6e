"""Subscribers: GET/POST fetch/subscribers and the batch/subscribers import."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.anyio


async def test_create_subscriber_answers_201_then_200(api, emu):
    """POST fetch/subscribers creates (201) and then finds (200) the same visitor."""
    first = await api.post("fetch/subscribers", {"subscriber": {"email": "jesse@example.com"}})
    again = await api.post("fetch/subscribers", {"subscriber": {"email": "JESSE@example.com"}})
    assert (first.status, again.status) == (201, 200)
    assert first.content_type == "application/json"
    data = first.body["data"]
    assert data["id"] == "1"
    assert data["type"] == "visitors"
    attributes = data["attributes"]
    assert len(attributes["uuid"]) == 32
    assert int(attributes["uuid"], 16) >= 0
    assert attributes == {
        "uuid": attributes["uuid"],
        "email": "jesse@example.com",
        "fields": None,
        "cached_tag_ids": [],
        "unsubscribed_at": None,
    }
    assert again.body == first.body
    assert len(emu.state.subscribers) == 1


async def test_create_subscriber_accepts_the_seed_top_level_email(api, emu):
    """The seed guide's body `{"email": ...}` without the wrapper is tolerated."""
    answer = await api.call(
        "POST", "fetch/subscribers", {"email": "a@example.com"}, site_uuid_in="body"
    )
    assert answer.status == 201
    assert emu.state.subscriber_by_email("a@example.com") is not None


async def test_create_subscriber_ids_are_sequential(api):
    """Subscriber ids are sequential integers rendered as strings."""
    ids = []
    for n in range(3):
        answer = await api.post("fetch/subscribers", {"subscriber": {"email": f"{n}@example.com"}})
        ids.append(answer.body["data"]["id"])
    assert ids == ["1", "2", "3"]


@pytest.mark.parametrize(
    ("subscriber", "status", "message"),
    [
        ({}, 400, "can't be blank"),
        ({"email": ""}, 400, "can't be blank"),
        ({"email": 42}, 400, "must be a string"),
        ({"email": "not-an-email"}, 422, "is invalid"),
        ({"email": "a b@example.com"}, 422, "is invalid"),
    ],
)
async def test_create_subscriber_validates_email(api, emu, subscriber, status, message):
    """A missing or mistyped email gives 400, a malformed one 422, with an errors list."""
    answer = await api.post("fetch/subscribers", {"subscriber": subscriber})
    assert answer.status == status
    assert answer.body == {"errors": [{"field": "email", "message": message}]}
    assert emu.state.subscribers == []


async def test_create_subscriber_without_wrapper_gets_400(api):
    """A body with neither `subscriber` nor `email` gives 400."""
    answer = await api.post("fetch/subscribers", {"person": {"email": "a@example.com"}})
    assert answer.status == 400
    assert "subscriber" in answer.body["error"]


async def test_get_subscriber_by_email_and_uuid(api, emu):
    """GET fetch/subscribers finds by email (any case) or by uuid."""
    created = await api.post("fetch/subscribers", {"subscriber": {"email": "Jo@Example.com"}})
    by_email = await api.get("fetch/subscribers", email="jo@example.com")
    uuid = created.body["data"]["attributes"]["uuid"]
    by_uuid = await api.get("fetch/subscribers", uuid=uuid)
    assert by_email.status == by_uuid.status == 200
    assert by_email.body == by_uuid.body == {"data": created.body["data"]}


async def test_get_missing_subscriber_is_data_null(api):
    """An unknown email or uuid gives 200 with `{"data": null}`."""
    by_email = await api.get("fetch/subscribers", email="ghost@example.com")
    by_uuid = await api.get("fetch/subscribers", uuid="f" * 32)
    assert (by_email.status, by_email.body) == (200, {"data": None})
    assert (by_uuid.status, by_uuid.body) == (200, {"data": None})


@pytest.mark.parametrize("query", [{}, {"email": "a@example.com", "uuid": "f" * 32}, {"email": ""}])
async def test_get_subscriber_needs_exactly_one_key(api, query):
    """GET fetch/subscribers needs exactly one of email and uuid, else 400."""
    answer = await api.call("GET", "fetch/subscribers", query=query)
    assert answer.status == 400
    assert "error" in answer.body


async def test_import_upserts_fields_and_tags(api, emu):
    """batch/subscribers writes named and custom fields and adds and removes tags."""
    emu.state.add_tags("old@example.com", ["customer"])
    subscribers = [
        {"email": "new@example.com", "first_name": "Jesse", "tags": "lead, mql", "food": "onigiri"},
        {
            "email": "old@example.com",
            "tags": ["lead"],
            "remove_tags": "customer",
            "fields": {"plan": "pro", "seats": 3},
        },
    ]
    answer = await api.post("batch/subscribers", {"subscribers": subscribers})
    assert (answer.status, answer.body) == (200, {"results": 2, "failed": 0})
    new = emu.state.subscriber_by_email("new@example.com")
    assert new.fields == {"first_name": "Jesse", "food": "onigiri"}
    assert emu.state.tag_names_of(new) == ["lead", "mql"]
    old = emu.state.subscriber_by_email("old@example.com")
    assert old.fields == {"plan": "pro", "seats": 3}
    assert emu.state.tag_names_of(old) == ["lead"]
    assert [f.key for f in emu.state.fields] == ["first_name", "food", "plan", "seats"]
    assert emu.state.automations == []


async def test_import_counts_invalid_items_as_failed(api, emu):
    """Bad emails, nested fields and malformed tag lists fail one item, not the request."""
    subscribers = [
        {"email": "ok@example.com"},
        {"name": "no email"},
        {"email": "broken"},
        {"email": "nested@example.com", "address": {"city": "Paris"}},
        {"email": "nested2@example.com", "fields": {"deep": [{"x": 1}]}},
        {"email": "tags@example.com", "tags": 5},
        "not an object",
    ]
    answer = await api.post("batch/subscribers", {"subscribers": subscribers})
    assert answer.body == {"results": 1, "failed": 6}
    assert [s.email for s in emu.state.subscribers] == ["ok@example.com"]


@pytest.mark.parametrize("count", [0, 1001])
async def test_import_item_count_limits(api, count):
    """batch/subscribers takes 1 to 1000 items; outside that the request gets 400."""
    subscribers = [{"email": f"{n}@example.com"} for n in range(count)]
    answer = await api.post("batch/subscribers", {"subscribers": subscribers})
    assert answer.status == 400
    assert "between 1 and 1000" in answer.body["error"]


async def test_import_accepts_a_full_batch(api, emu):
    """Exactly 1000 subscribers are accepted."""
    subscribers = [{"email": f"{n}@example.com"} for n in range(1000)]
    answer = await api.post("batch/subscribers", {"subscribers": subscribers})
    assert answer.body == {"results": 1000, "failed": 0}
    assert len(emu.state.subscribers) == 1000


@pytest.mark.parametrize("body", [{}, {"subscribers": {"email": "a@example.com"}}])
async def test_import_without_an_array_gets_400(api, body):
    """A missing or non-array `subscribers` wrapper gives 400."""
    answer = await api.post("batch/subscribers", body)
    assert answer.status == 400
