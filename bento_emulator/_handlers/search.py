"""Search: `GET fetch/search`, Enterprise only (`BentoEmulator(enterprise=True)`; else 403).

Filters come from the JSON body (as the OpenAPI file shows) or the query string
(Rails-style `created_at[gt]=...`): `created_at`, `updated_at`, `last_event_at` and
`unsubscribed_at`, each `{gt, lt}` (a person without that date does not match), and
`tags` (alias `tag_names`; names as an array or a comma string; a person must carry all
of them) or `tag_ids`. Results are ordered by id, 100 to a page (`page`), with
`meta {page, query}`; each carries `navigation_url`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime

from .._state import EmulatorState, JSONValue, Subscriber
from . import _render as render
from ._common import ApiFailure, Call, InvalidItem, Reply, Route, parse_date, parse_tag_list
from ._pages import int_param, page_of

PER_PAGE = 100
DATE_FILTERS = ("created_at", "updated_at", "last_event_at", "unsubscribed_at")
NAVIGATION_URL = "https://app.bentonow.com/account/visitors/{}"

Check = Callable[[Subscriber], bool]


def _param(call: Call, key: str) -> JSONValue:
    body = call.body if isinstance(call.body, dict) else {}
    if key in body:
        return body[key]
    return call.query.get(key)


def _range(call: Call, name: str) -> Check | None:
    given = _param(call, name)
    if given is None:
        given = {
            b: call.query[f"{name}[{b}]"] for b in ("gt", "lt") if f"{name}[{b}]" in call.query
        }
    if not given:
        return None
    if not isinstance(given, dict) or not set(given) <= {"gt", "lt"}:
        raise InvalidItem(name, "must be an object with gt and/or lt", 400)
    after = parse_date(given.get("gt"), f"{name}.gt")
    before = parse_date(given.get("lt"), f"{name}.lt")

    def check(subscriber: Subscriber) -> bool:
        moment: datetime | None = getattr(subscriber, name)
        if moment is None:
            return False
        return (after is None or moment > after) and (before is None or moment < before)

    return check


def _tags(call: Call, state: EmulatorState) -> Check | None:
    names = parse_tag_list(_param(call, "tags") or _param(call, "tag_names"), "tags")
    ids = set(parse_tag_list(_param(call, "tag_ids"), "tag_ids"))
    for name in names:
        tag = state.tag_by_name(name)
        ids.add(tag.id if tag is not None else f"missing:{name}")
    if not ids:
        return None
    return lambda subscriber: ids <= subscriber.tag_ids


def _query(call: Call, state: EmulatorState) -> list[Check]:
    checks = [_range(call, name) for name in DATE_FILTERS] + [_tags(call, state)]
    return [check for check in checks if check is not None]


def _echo(call: Call) -> Mapping[str, JSONValue]:
    echoed: dict[str, JSONValue] = {"email": {"not": None}}
    for key in (*DATE_FILTERS, "tags", "tag_names", "tag_ids"):
        value = _param(call, key)
        if value is not None:
            echoed[key] = value
    return echoed


def search(call: Call) -> Reply:
    """Return one page of the subscribers matching every filter."""
    if not call.settings.enterprise:
        raise ApiFailure(403, {"error": "Search is only available on Enterprise plans"})
    try:
        checks = _query(call, call.state)
    except InvalidItem as problem:
        raise problem.as_failure(400) from None
    page = int_param(call, "page", 1)
    found = [s for s in call.state.subscribers if all(check(s) for check in checks)]
    found.sort(key=lambda s: int(s.id))
    data = []
    for subscriber in page_of(found, page, PER_PAGE):
        item = render.subscriber(subscriber)
        item["attributes"]["navigation_url"] = NAVIGATION_URL.format(subscriber.uuid)
        data.append(item)
    return Reply({"data": data, "meta": {"page": page, "query": _echo(call)}})


ROUTES = (Route("GET", "/fetch/search", search),)
