"""Broadcasts: `GET fetch/broadcasts` lists one status a page at a time; `POST batch/broadcasts`
creates up to 100 drafts.

The list takes `status` (default `sent`; `cancelled` is an alias of `canceled`; unknown values
fall back to `sent`), `page` and `per_page` (25 by default, at most 100, as Bento's CLI
assumes) and answers `meta {page, per_page, total, count}`. Drafts show only
`template.template_id`. A create answers `{"results", "failed", "broadcasts", "failures"}`;
a refused item (missing field, sender who is not an author, `batch_size_per_hour` outside
10..250000) is listed in `failures` with its index.
"""

from __future__ import annotations

from collections.abc import Mapping

from .._state import Broadcast, JSONValue
from .._state.email_templates import TemplateState
from ._common import (
    Call,
    InvalidItem,
    Refusal,
    Reply,
    Route,
    is_valid_email,
    parse_date,
    parse_tag_list,
    require_object,
    required_text,
    wrapped_items,
)
from ._pages import int_param, page_of
from ._render import iso

MAX_BROADCASTS = 100
PER_PAGE = 25
MAX_PER_PAGE = 100
BATCH_SIZE_PER_HOUR = (10, 250_000)
STATUSES = frozenset({"sent", "draft", "sending", "scheduled", "paused", "canceled"})
DASHBOARD = "https://app.bentonow.com/account/emails/broadcasts/{}/edit"


def status_filter(value: str | None) -> str:
    """Read the `status` filter as Bento does: alias `cancelled`, fallback `sent`."""
    value = (value or "").strip().lower()
    if value == "cancelled":
        return "canceled"
    return value if value in STATUSES else "sent"


def render_broadcast(value: Broadcast, state: TemplateState) -> dict[str, JSONValue]:
    """Render a broadcast as a `broadcasts` resource (a draft shows only its template id)."""
    template: dict[str, JSONValue] = {"template_id": int(value.template_id)}
    found = state.email_template_by_id(value.template_id)
    if value.status != "draft" and found is not None:
        template.update(subject=found.subject, html=found.html, to=value.segment_id)
    attributes = {
        "name": value.name,
        "subject": value.subject,
        "content": value.content,
        "type": value.type,
        "status": value.status,
        "from": {"email": value.from_email, "name": value.from_name},
        "inclusive_tags": value.inclusive_tags,
        "exclusive_tags": value.exclusive_tags,
        "segment_id": value.segment_id,
        "batch_size_per_hour": value.batch_size_per_hour,
        "template": template,
        "stats": value.stats,
        "share_url": None if value.status == "draft" else f"https://bentonow.com/b/{value.id}",
        "created_at": iso(value.created_at),
        "send_at": iso(value.send_at),
    }
    return {"id": value.id, "type": "broadcasts", "attributes": attributes}


def list_broadcasts(call: Call) -> Reply:
    """List one page of the broadcasts with the requested status, oldest first."""
    status = status_filter(call.query.get("status"))
    page = int_param(call, "page", 1)
    per_page = int_param(call, "per_page", PER_PAGE, MAX_PER_PAGE)
    matching = [b for b in call.state.broadcasts if b.status == status]
    chunk = page_of(matching, page, per_page)
    meta = {"page": page, "per_page": per_page, "total": len(matching), "count": len(chunk)}
    return Reply({"data": [render_broadcast(b, call.state) for b in chunk], "meta": meta})


def _sender(item: Mapping[str, JSONValue], authors: frozenset[str]) -> tuple[str, str | None]:
    sender = item.get("from")
    if isinstance(sender, str):
        sender = {"email": sender}
    if not isinstance(sender, dict) or not is_valid_email(sender.get("email")):
        raise InvalidItem("from", "must have a valid email")
    email, name = sender["email"], sender.get("name")
    if email.lower() not in authors:
        raise InvalidItem("from", "is not an author of this account")
    return email, name if isinstance(name, str) else None


def _batch_size(value: JSONValue) -> int:
    low, high = BATCH_SIZE_PER_HOUR
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InvalidItem("batch_size_per_hour", f"must be between {low} and {high}")
    return value


def create_broadcast(call: Call, item: JSONValue) -> Broadcast:
    """Validate one broadcast and store it as a draft; raise InvalidItem if it breaks a rule."""
    item = require_object(item, "broadcast")
    fields = {key: required_text(item.get(key), key) for key in ("name", "subject", "content")}
    kind = required_text(item.get("type"), "type")  # any type: Node sends html and markdown
    authors = frozenset(a.lower() for a in call.settings.authors)
    email, name = _sender(item, authors)
    size = _batch_size(item.get("batch_size_per_hour"))
    tags = {
        key: ",".join(parse_tag_list(item.get(key), key)) or None
        for key in ("inclusive_tags", "exclusive_tags")
    }
    segment = item.get("segment_id")
    return call.state.add_broadcast(
        fields["name"],
        subject=fields["subject"],
        content=fields["content"],
        status="draft",
        type=kind,
        from_email=email,
        from_name=name,
        batch_size_per_hour=size,
        segment_id=None if segment is None else str(segment),
        send_at=parse_date(item.get("send_at"), "send_at"),
        approved=item.get("approved") in (True, 1, "1", "true"),
        **tags,
    )


def create_broadcasts(call: Call) -> Reply:
    """Create 1..100 drafts; refused items are reported in `failures`."""
    items = wrapped_items(call, "broadcasts", MAX_BROADCASTS)
    created: list[JSONValue] = []
    failures: list[JSONValue] = []
    refusals: list[Refusal] = []
    for index, item in enumerate(items):
        try:
            broadcast = create_broadcast(call, item)
        except InvalidItem as problem:
            name = item.get("name") if isinstance(item, dict) else None
            error = f"{problem.field} {problem.message}"
            failures.append({"index": index, "name": name, "error": error})
            refusals.append(problem.refusal(index))
            continue
        created.append(
            {
                "id": int(broadcast.id),
                "template_id": int(broadcast.template_id),
                "name": broadcast.name,
                "dashboard_url": DASHBOARD.format(broadcast.id),
            }
        )
    payload = {
        "results": len(created),
        "failed": len(failures),
        "broadcasts": created,
        "failures": failures,
    }
    return Reply(payload, refusals=tuple(refusals))


ROUTES = (
    Route("GET", "/fetch/broadcasts", list_broadcasts),
    Route("POST", "/batch/broadcasts", create_broadcasts),
)
