"""Workflows: `GET fetch/workflows`, 25 to a page (`page`), no `meta` (read-only)."""

from __future__ import annotations

from .._state import JSONValue, Workflow
from .._state.email_templates import TemplateState
from ._common import Call, Reply, Route
from ._pages import page_reply
from .email_templates import render_with_templates

PER_PAGE = 25


def render_workflow(value: Workflow, state: TemplateState) -> dict[str, JSONValue]:
    """Render a workflow as a `workflows` resource with its template summaries."""
    return render_with_templates("workflows", value, state, status=value.status)


def list_workflows(call: Call) -> Reply:
    """List one page of workflows."""
    return page_reply(
        call, call.state.workflows, PER_PAGE, lambda w: render_workflow(w, call.state)
    )


ROUTES = (Route("GET", "/fetch/workflows", list_workflows),)
