"""Email templates: `GET` and `PATCH fetch/emails/templates/{id}`.

PATCH takes `{"email_template": {"subject"?, "html"?}}`, at least one; what is left out
stays. An unknown id answers 404; rule failures answer 422 in Rails' shape
(`{"errors": {"subject": ["can't be blank"]}}`). Sequences and workflows render their
templates with the helpers here.
"""

from __future__ import annotations

from collections.abc import Mapping

from .._state import EmailSequence, EmailTemplate, JSONValue, Workflow
from .._state.email_templates import TemplateState
from ._common import ApiFailure, Call, Reply, Route, found, wrapped_object
from ._render import iso

DELAY_INTERVALS = ("minutes", "hours", "days", "months")


def render_template(value: EmailTemplate) -> dict[str, JSONValue]:
    """Render an email template as an `email_templates` resource."""
    attributes = {
        "name": value.name,
        "subject": value.subject,
        "html": value.html,
        "created_at": iso(value.created_at),
        "stats": value.stats,
    }
    return {"id": value.id, "type": "email_templates", "attributes": attributes}


def template_summaries(state: TemplateState, ids: tuple[str, ...]) -> list[JSONValue]:
    """Render templates as sequences and workflows list them: id, subject, stats."""
    found = [state.email_template_by_id(i) for i in ids]
    return [{"id": int(t.id), "subject": t.subject, "stats": t.stats} for t in found if t]


def render_with_templates(
    kind: str, value: EmailSequence | Workflow, state: TemplateState, **attributes: JSONValue
) -> dict[str, JSONValue]:
    """Render a sequence or workflow as a `kind` resource: its name, `attributes`, creation
    time and template summaries."""
    rendered = {
        "name": value.name,
        **attributes,
        "created_at": iso(value.created_at),
        "email_templates": template_summaries(state, value.template_ids),
    }
    return {"id": value.id, "type": kind, "attributes": rendered}


def rule_errors(item: Mapping[str, JSONValue], required: tuple[str, ...]) -> dict[str, list[str]]:
    """Return Rails-style errors: blank required texts, a bad delay interval or count."""
    errors: dict[str, list[str]] = {}
    for key in required:
        value = item.get(key)
        if not isinstance(value, str) or not value.strip():
            errors[key] = ["can't be blank"]
    interval = item.get("delay_interval")
    if interval is not None and interval not in DELAY_INTERVALS:
        errors["delay_interval"] = ["is not included in the list"]
    count = item.get("delay_interval_count")
    if count is not None and (isinstance(count, bool) or not isinstance(count, int) or count < 1):
        errors["delay_interval_count"] = ["must be a positive integer"]
    return errors


def _template(call: Call) -> EmailTemplate:
    return found(call.state.email_template_by_id(call.params["id"]), "Email template")


def get_template(call: Call) -> Reply:
    """Return one email template."""
    return Reply({"data": render_template(_template(call))})


def update_template(call: Call) -> Reply:
    """Change `subject` and/or `html`; at least one is required."""
    item = wrapped_object(call, "email_template")
    found = _template(call)
    given = tuple(k for k in ("subject", "html") if k in item)
    if not given:
        raise ApiFailure(422, {"errors": {"email_template": ["must include subject or html"]}})
    errors = rule_errors(item, given)
    if errors:
        raise ApiFailure(422, {"errors": errors})
    subject, html = item.get("subject"), item.get("html")
    updated = call.state.update_email_template(
        found.id,
        subject=subject if isinstance(subject, str) else None,
        html=html if isinstance(html, str) else None,
    )
    assert updated is not None  # found above, under the same id
    return Reply({"data": render_template(updated)})


ROUTES = (
    Route("GET", "/fetch/emails/templates/{id}", get_template),
    Route("PATCH", "/fetch/emails/templates/{id}", update_template),
)
