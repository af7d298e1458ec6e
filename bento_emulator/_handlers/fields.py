"""Custom fields: `GET fetch/fields` lists the definitions; `POST fetch/fields` creates one."""

from __future__ import annotations

from . import _render as render
from ._common import Call, Reply, Route, required_text, wrapped_object


def list_fields(call: Call) -> Reply:
    """List every field definition."""
    return Reply({"data": [render.field(field) for field in call.state.fields]})


def create_field(call: Call) -> Reply:
    """Create a field by (case-sensitive) key: 201 when created, 200 when it existed."""
    key = required_text(wrapped_object(call, "field").get("key"), "key")
    field, created = call.state.find_or_create_field(key)
    return Reply({"data": render.field(field)}, 201 if created else 200)


ROUTES = (
    Route("GET", "/fetch/fields", list_fields),
    Route("POST", "/fetch/fields", create_field),
)
