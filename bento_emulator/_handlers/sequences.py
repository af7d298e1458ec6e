"""Sequences: `GET fetch/sequences` and `POST fetch/sequences/{id}/emails/templates`.

The list has 25 to a page (`page`) and no `meta`, so a client pages until it meets an empty
page. The create takes `{"email_template": {"subject", "html", ...}}` and adds an email to
the sequence whose id or prefix id is `{id}` (404 `{"error": "Sequence not found"}`); rule
failures answer 422, e.g. `{"errors": {"delay_interval_count": ["must be a positive integer"]}}`.
"""

from __future__ import annotations

from .._state import EmailSequence, JSONValue
from .._state.email_templates import TemplateState
from ._common import ApiFailure, Call, Reply, Route, found, wrapped_object
from ._pages import page_reply
from .email_templates import render_template, render_with_templates, rule_errors

PER_PAGE = 25
_OPTIONS = (
    "delay_interval",
    "delay_interval_count",
    "inbox_snippet",
    "editor_choice",
    "cc",
    "bcc",
    "to",
)


def render_sequence(value: EmailSequence, state: TemplateState) -> dict[str, JSONValue]:
    """Render a sequence as a `sequences` resource with its template summaries."""
    return render_with_templates("sequences", value, state, prefix_id=value.prefix_id)


def list_sequences(call: Call) -> Reply:
    """List one page of sequences."""
    return page_reply(
        call, call.state.sequences, PER_PAGE, lambda s: render_sequence(s, call.state)
    )


def create_sequence_email(call: Call) -> Reply:
    """Add an email to a sequence: 404 for an unknown sequence, 422 for broken rules."""
    item = wrapped_object(call, "email_template")
    ref = call.params["id"]
    found(call.state.sequence_by_ref(ref), "Sequence")
    errors = rule_errors(item, ("subject", "html"))
    if errors:
        raise ApiFailure(422, {"errors": errors})
    options = {key: item[key] for key in _OPTIONS if key in item}
    template = call.state.add_sequence_email(
        ref, subject=str(item["subject"]), html=str(item["html"]), options=options
    )
    assert template is not None  # the sequence exists: checked above
    return Reply({"data": render_template(template)}, 201)


ROUTES = (
    Route("GET", "/fetch/sequences", list_sequences),
    Route("POST", "/fetch/sequences/{id}/emails/templates", create_sequence_email),
)
