"""Tags: `GET fetch/tags` lists the live tags; `POST fetch/tags` finds or creates one."""

from __future__ import annotations

from . import _render as render
from ._common import Call, Reply, Route, required_text, wrapped_object


def list_tags(call: Call) -> Reply:
    """List the tags that are not discarded."""
    return Reply({"data": [render.tag(tag) for tag in call.state.active_tags()]})


def create_tag(call: Call) -> Reply:
    """Create a tag by name: 201 when created, 200 when it existed (a discarded one is restored)."""
    name = required_text(wrapped_object(call, "tag").get("name"), "name").strip()
    tag, created = call.state.find_or_create_tag(name)
    return Reply({"data": render.tag(tag)}, 201 if created else 200)


ROUTES = (
    Route("GET", "/fetch/tags", list_tags),
    Route("POST", "/fetch/tags", create_tag),
)
