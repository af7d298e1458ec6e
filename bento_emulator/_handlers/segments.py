"""Segments: `GET fetch/segments` (all live ones, by name), `GET fetch/segments/{id}`, and
`POST fetch/segments/{id}/match`.

Bento does not describe the match endpoint. The emulator takes `{"email": ...}` (or
`{"subscriber": {"email": ...}}`) and answers
`{"data": {"segment_id", "email", "matched": bool}}`; an unknown person does not match.
An unknown segment answers 404 `{"error": "Segment not found"}`.
"""

from __future__ import annotations

from .._state import JSONValue, Segment
from ._common import Call, InvalidItem, Reply, Route, body_object, found, required_email
from ._render import iso


def render_segment(value: Segment) -> dict[str, JSONValue]:
    """Render a segment as a `segments` resource."""
    attributes = {
        "name": value.name,
        "description": value.description,
        "visitor_event_query": dict(value.visitor_event_query),
        "created_at": iso(value.created_at),
        "updated_at": iso(value.updated_at),
    }
    return {"id": value.id, "type": "segments", "attributes": attributes}


def _segment(call: Call) -> Segment:
    return found(call.state.segment_by_id(call.params["id"]), "Segment")


def list_segments(call: Call) -> Reply:
    """List the segments that are not deleted, ordered by name."""
    return Reply({"data": [render_segment(s) for s in call.state.segments]})


def get_segment(call: Call) -> Reply:
    """Return one segment with its `visitor_event_query`."""
    return Reply({"data": render_segment(_segment(call))})


def match_segment(call: Call) -> Reply:
    """Tell whether the person with the given email is a member of the segment."""
    segment = _segment(call)
    body = body_object(call)
    wrapped = body.get("subscriber")
    item = wrapped if isinstance(wrapped, dict) else body
    try:
        email = required_email(item)
    except InvalidItem as problem:
        raise problem.as_failure(400) from None
    subscriber = call.state.subscriber_by_email(email)
    matched = subscriber is not None and call.state.in_segment(segment, subscriber)
    return Reply({"data": {"segment_id": segment.id, "email": email, "matched": matched}})


ROUTES = (
    Route("GET", "/fetch/segments", list_segments),
    Route("GET", "/fetch/segments/{id}", get_segment),
    Route("POST", "/fetch/segments/{id}/match", match_segment),
)
