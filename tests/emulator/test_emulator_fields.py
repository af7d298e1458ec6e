"""Fields, over raw HTTP: create (a name derived from the key), case-sensitive keys, fields
that appear when a value is first written."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.anyio


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
