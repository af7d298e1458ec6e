"""Tags: list, find-or-create and deletion, over raw HTTP."""

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


async def test_delete_tag_docs_form(api, emu):
    """The docs' `DELETE fetch/tags` takes the name in the body, wrapped or not, or the query."""
    for name in ("a", "b", "c"):
        emu.state.find_or_create_tag(name)
    wrapped = await api.call("DELETE", "fetch/tags", {"tag": {"name": "a"}})
    bare = await api.call("DELETE", "fetch/tags", {"name": "b"})
    query = await api.call("DELETE", "fetch/tags", query={"name": "c"})
    assert [a.body for a in (wrapped, bare, query)] == [
        {"message": f"Tag ({n}) deleted successfully"} for n in "abc"
    ]
    assert all(t.discarded_at is not None for t in emu.state.tags)


async def test_delete_tag_errors(api, emu):
    """No wrapper is 400, an unknown id or name 404, a mismatched name 422."""
    tag, _ = emu.state.find_or_create_tag("vip")
    assert (await api.call("DELETE", f"fetch/tags/{tag.id}", {})).status == 400
    unknown = await api.call("DELETE", "fetch/tags/99", {"tag": {"name": "vip"}})
    assert (unknown.status, unknown.body) == (404, {"error": "Tag not found"})
    assert (await api.call("DELETE", "fetch/tags", {"name": "nope"})).status == 404
    wrong = await api.call("DELETE", f"fetch/tags/{tag.id}", {"tag": {"name": "other"}})
    assert wrong.status == 422
    assert emu.state.tag_by_id(tag.id).discarded_at is None
