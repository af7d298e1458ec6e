"""Tags and fields: list and find-or-create."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.anyio


async def test_create_tag_answers_201_then_200(api, emu):
    """POST fetch/tags creates a tag (201) and returns the same one again (200)."""
    first = await api.post("fetch/tags", {"tag": {"name": "customer"}})
    again = await api.post("fetch/tags", {"tag": {"name": "customer"}})
    assert (first.status, again.status) == (201, 200)
    assert first.body == again.body
    tag = first.body["data"]
    assert (tag["id"], tag["type"]) == ("1", "tags")
    attributes = tag["attributes"]
    assert attributes["name"] == "customer"
    assert attributes["discarded_at"] is None
    assert attributes["site_id"] == emu.state.site_id
    assert attributes["created_at"].endswith("Z")


async def test_list_tags_hides_discarded_ones(api, emu):
    """GET fetch/tags lists live tags only; creating a discarded tag restores it."""
    for name in ("a", "b"):
        await api.post("fetch/tags", {"tag": {"name": name}})
    emu.state.discard_tag(emu.state.tag_by_name("a").id)
    listed = await api.get("fetch/tags")
    assert [t["attributes"]["name"] for t in listed.body["data"]] == ["b"]
    restored = await api.post("fetch/tags", {"tag": {"name": "a"}})
    assert restored.status == 200
    assert restored.body["data"]["attributes"]["discarded_at"] is None
    listed = await api.get("fetch/tags")
    assert [t["id"] for t in listed.body["data"]] == ["1", "2"]


async def test_list_tags_when_empty(api):
    """A new site has no tags: `{"data": []}`."""
    answer = await api.get("fetch/tags")
    assert (answer.status, answer.body) == (200, {"data": []})


@pytest.mark.parametrize(
    ("body", "status"),
    [({}, 400), ({"tag": "vip"}, 400), ({"tag": {}}, 400), ({"tag": {"name": " "}}, 422)],
)
async def test_create_tag_validation(api, emu, body, status):
    """A missing wrapper or name gives 400, a blank name 422."""
    answer = await api.post("fetch/tags", body)
    assert answer.status == status
    assert emu.state.tags == []


async def test_create_field_derives_its_name(api):
    """POST fetch/fields creates a visitors-fields entity with a Title Case name."""
    first = await api.post("fetch/fields", {"field": {"key": "favouriteFood"}})
    again = await api.post("fetch/fields", {"field": {"key": "favouriteFood"}})
    assert (first.status, again.status) == (201, 200)
    field = first.body["data"]
    assert (field["id"], field["type"]) == ("1", "visitors-fields")
    attributes = field["attributes"]
    assert attributes["key"] == "favouriteFood"
    assert attributes["name"] == "Favourite Food"
    assert attributes["whitelisted"] is None


async def test_field_keys_are_case_sensitive(api, emu):
    """`Company` and `company` are two fields."""
    await api.post("fetch/fields", {"field": {"key": "company"}})
    answer = await api.post("fetch/fields", {"field": {"key": "Company"}})
    assert answer.status == 201
    listed = await api.get("fetch/fields")
    assert [f["attributes"]["key"] for f in listed.body["data"]] == ["company", "Company"]


async def test_fields_appear_when_a_value_is_first_written(api, emu):
    """Writing a field value through a command creates its definition."""
    query = {"key": "last_name", "value": "Hanley"}
    await api.post(
        "fetch/commands",
        {"command": {"command": "add_field", "email": "j@example.com", "query": query}},
    )
    listed = await api.get("fetch/fields")
    assert [f["attributes"]["name"] for f in listed.body["data"]] == ["Last Name"]


@pytest.mark.parametrize("body", [{}, {"field": {}}, {"field": {"key": 3}}])
async def test_create_field_validation(api, body):
    """A missing wrapper or key gives 400."""
    answer = await api.post("fetch/fields", body)
    assert answer.status == 400
