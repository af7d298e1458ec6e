"""Form responses: `GET fetch/responses?id=<form id>` lists a form's submissions.

Seed them with `emulator.state.add_form_response(form_id, email=..., fields=...)`. A form
with no responses (or an unknown form) answers `{"data": []}`; a missing `id` answers 400.
"""

from __future__ import annotations

from .._state import FormResponse, JSONValue
from ._common import Call, Reply, Route, bad_request


def render_response(value: FormResponse) -> dict[str, JSONValue]:
    """Render a form response as a `form_responses` resource."""
    attributes = {"uuid": value.uuid, "data": dict(value.data)}
    return {"id": value.id, "type": "form_responses", "attributes": attributes}


def list_responses(call: Call) -> Reply:
    """List the responses to the form named by the `id` query parameter."""
    form_id = (call.query.get("id") or "").strip()
    if not form_id:
        raise bad_request("Missing required query parameter 'id'")
    return Reply({"data": [render_response(r) for r in call.state.form_responses(form_id)]})


ROUTES = (Route("GET", "/fetch/responses", list_responses),)
