"""Workflows: `GET fetch/workflows`, 25 to a page (`page`), no `meta` (read-only)."""

from __future__ import annotations

from .._state import JSONValue
from .._state_content import ContentState, Workflow
from ._common import Call, Reply, Route
from ._pages import int_param, page_of
from ._render import iso
from .email_templates import template_summaries

PER_PAGE = 25


def render_workflow(value: Workflow, state: ContentState) -> dict[str, JSONValue]:
    """Render a workflow as a `workflows` resource with its template summaries."""
    attributes = {
        "name": value.name,
        "status": value.status,
        "created_at": iso(value.created_at),
        "email_templates": template_summaries(state, value.template_ids),
    }
    return {"id": value.id, "type": "workflows", "attributes": attributes}


def list_workflows(call: Call) -> Reply:
    """List one page of workflows."""
    chunk = page_of(call.state.workflows, int_param(call, "page", 1), PER_PAGE)
    return Reply({"data": [render_workflow(w, call.state) for w in chunk]})


ROUTES = (Route("GET", "/fetch/workflows", list_workflows),)
