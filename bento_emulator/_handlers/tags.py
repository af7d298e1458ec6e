"""Tags: `GET fetch/tags` lists the live tags; `POST fetch/tags` finds or creates one;
`DELETE fetch/tags/{id}` with `{"tag": {"name"}}` soft-deletes one (also the docs'
`DELETE fetch/tags` with a name in the body or query). Deleting answers
`{"message": "Tag (<name>) deleted successfully"}`, again when repeated; memberships stay."""

from __future__ import annotations

from .._state import Tag
from . import _render as render
from ._common import Call, InvalidItem, Reply, Route, found, required_text, wrapped_object


def list_tags(call: Call) -> Reply:
    """List the tags that are not discarded."""
    return Reply({"data": [render.tag(tag) for tag in call.state.active_tags()]})


def create_tag(call: Call) -> Reply:
    """Create a tag by name: 201 when created, 200 when it existed (a discarded one is restored)."""
    name = required_text(wrapped_object(call, "tag").get("name"), "name").strip()
    tag, created = call.state.find_or_create_tag(name)
    return Reply({"data": render.tag(tag)}, 201 if created else 200)


def _discard(call: Call, tag: Tag | None) -> Reply:
    tag = found(tag, "Tag")
    call.state.discard_tag(tag.id)
    return Reply({"message": f"Tag ({tag.name}) deleted successfully"})


def delete_tag(call: Call) -> Reply:
    """Soft-delete the tag `{id}`; the body's name must be the tag's (else 422)."""
    name = required_text(wrapped_object(call, "tag").get("name"), "name").strip()
    tag = call.state.tag_by_id(call.params["id"])
    if tag is not None and tag.name != name:
        raise InvalidItem("name", "does not match the tag").as_failure()
    return _discard(call, tag)


def delete_tag_by_name(call: Call) -> Reply:
    """Soft-delete a tag named by `{"tag": {"name"}}`, `{"name"}` or `?name=` (the docs' form)."""
    body = call.body if isinstance(call.body, dict) else {}
    wrapped = body.get("tag")
    name = wrapped.get("name") if isinstance(wrapped, dict) else body.get("name")
    name = required_text(name or call.query.get("name"), "name").strip()
    return _discard(call, call.state.tag_by_name(name))


ROUTES = (
    Route("GET", "/fetch/tags", list_tags),
    Route("POST", "/fetch/tags", create_tag),
    Route("DELETE", "/fetch/tags/{id}", delete_tag),
    Route("DELETE", "/fetch/tags", delete_tag_by_name),
)
