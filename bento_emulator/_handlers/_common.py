"""The handler contract and the request rules every API area shares.

A handler is a plain function from a `Call` (state, settings, query, parsed JSON body, path
parameters) to a `Reply`; it raises `ApiFailure` to answer an error and `InvalidItem` for a
single object that breaks a rule. No aiohttp here: `_app` adapts handlers to the server.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, TypeGuard, TypeVar

import attrs

from bento_async import parse_datetime

from .._state import EmulatorSettings, EmulatorState, JSONValue

T = TypeVar("T")

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


@attrs.frozen
class Call:
    """What a handler sees of one request."""

    state: EmulatorState
    settings: EmulatorSettings
    query: Mapping[str, str]
    body: JSONValue  # the parsed JSON body; None when the body was empty
    params: Mapping[str, str] = attrs.field(factory=dict)  # path parameters such as {id}


@attrs.frozen
class Refusal:
    """Why one item (or the whole request) was refused; `index` is its place in a batch."""

    field: str | None
    message: str
    index: int | None = None

    def __str__(self) -> str:
        where = "" if self.index is None else f"item {self.index}: "
        return f"{where}{self.field} {self.message}" if self.field else f"{where}{self.message}"


@attrs.frozen
class Reply:
    """A JSON answer; `refusals` say why items were refused (logged, never sent)."""

    payload: JSONValue
    status: int = 200
    refusals: tuple[Refusal, ...] = ()


Handler = Callable[[Call], Reply]


@attrs.frozen
class Route:
    """One endpoint: method, path under /api/v1 (aiohttp syntax, e.g. `/fetch/tags/{id}`)."""

    method: str
    path: str
    handler: Handler


class ApiFailure(Exception):
    """An error answer; raised by handlers and rendered by the app."""

    def __init__(self, status: int, payload: JSONValue, refusal: Refusal | None = None) -> None:
        super().__init__(status, payload)
        if refusal is None:
            error = payload.get("error") if isinstance(payload, dict) else None
            refusal = Refusal(None, str(error if error is not None else payload))
        self.reply = Reply(payload, status, (refusal,))


def bad_request(message: str) -> ApiFailure:
    """Return the 400 failure with an `{"error": message}` body."""
    return ApiFailure(400, {"error": message})


def found(value: T | None, what: str) -> T:
    """Return ``value``; None fails with 404 `{"error": "<what> not found"}`."""
    if value is None:
        raise ApiFailure(404, {"error": f"{what} not found"})
    return value


class InvalidItem(Exception):
    """One object (a subscriber, an event, a command) breaks a rule on one of its fields.

    Inside a batch it counts as failed; alone it is answered with `status` (400 for a missing
    or mistyped value, 422 for a well-typed value the rules refuse).
    """

    def __init__(self, field: str, message: str, status: int = 422) -> None:
        super().__init__(field, message, status)
        self.field = field
        self.message = message
        self.status = status

    def as_failure(self, status: int | None = None) -> ApiFailure:
        """Return the `{"errors": [...]}` answer for this problem."""
        errors = [{"field": self.field, "message": self.message}]
        return ApiFailure(status or self.status, {"errors": errors}, self.refusal())

    def refusal(self, index: int | None = None) -> Refusal:
        """Return the log entry for this problem."""
        return Refusal(self.field, self.message, index)


# -- envelopes --------------------------------------------------------------------------


def wrapped_object(call: Call, key: str) -> Mapping[str, JSONValue]:
    """Return `body[key]`, which must be a JSON object, or fail with 400."""
    value = body_object(call).get(key)
    if not isinstance(value, dict):
        raise bad_request(f"Missing or invalid '{key}' object in request body")
    return value


def wrapped_items(call: Call, key: str, limit: int) -> list[JSONValue]:
    """Return `body[key]`, which must be an array of 1..limit items, or fail with 400."""
    value = body_object(call).get(key)
    if not isinstance(value, list):
        raise bad_request(f"Missing or invalid '{key}' array in request body")
    check_count(key, len(value), limit)
    return value


def check_count(key: str, count: int, limit: int) -> None:
    """Fail with 400 unless 1 <= count <= limit."""
    if not 1 <= count <= limit:
        raise bad_request(f"'{key}' must contain between 1 and {limit} items, got {count}")


def body_object(call: Call) -> Mapping[str, JSONValue]:
    """Return the body if it is a JSON object, or fail with 400."""
    if not isinstance(call.body, dict):
        raise bad_request("Request body must be a JSON object")
    return call.body


# -- per-item rules ---------------------------------------------------------------------


def is_valid_email(value: object) -> TypeGuard[str]:
    """Tell whether a value looks like an email address."""
    return isinstance(value, str) and _EMAIL.fullmatch(value) is not None


def required_email(item: Mapping[str, JSONValue], key: str = "email") -> str:
    """Return `item[key]` if it is a well-formed email address, else raise InvalidItem."""
    value = item.get(key)
    if value is None or value == "":
        raise InvalidItem(key, "can't be blank", status=400)
    if not isinstance(value, str):
        raise InvalidItem(key, "must be a string", status=400)
    if not is_valid_email(value):
        raise InvalidItem(key, "is invalid")
    return value


def required_text(value: JSONValue, field: str) -> str:
    """Return the value of `field` if it is a non-blank string, else raise InvalidItem."""
    if not isinstance(value, str):
        raise InvalidItem(field, "can't be blank" if value is None else "must be a string", 400)
    if not value.strip():
        raise InvalidItem(field, "can't be blank")
    return value


def optional_object(item: Mapping[str, JSONValue], key: str) -> Mapping[str, JSONValue]:
    """Return `item[key]` as an object ({} when absent or null), else raise InvalidItem."""
    value = item.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise InvalidItem(key, "must be an object", status=400)
    return value


def is_flat(value: JSONValue) -> bool:
    """Tell whether a field value is flat: a scalar, or an array of scalars."""
    if isinstance(value, list):
        return not any(isinstance(item, (dict, list)) for item in value)
    return not isinstance(value, dict)


def flat_fields(values: Mapping[str, JSONValue], key: str = "fields") -> dict[str, JSONValue]:
    """Return field values after checking that none is nested, else raise InvalidItem."""
    nested = sorted(name for name, value in values.items() if not is_flat(value))
    if nested:
        raise InvalidItem(key, f"must be flat; nested value for {', '.join(nested)}")
    return dict(values)


def parse_tag_list(value: JSONValue, key: str = "tags") -> list[str]:
    """Return tag names from a comma string ("lead,mql") or an array of strings.

    Blank names are dropped and names are stripped. Raises InvalidItem for other types.
    """
    if value is None:
        return []
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, list) or not all(isinstance(name, str) for name in value):
        raise InvalidItem(key, "must be a comma-separated string or an array of strings", 400)
    return [name.strip() for name in value if name.strip()]


def parse_date(value: JSONValue, key: str = "date") -> datetime | None:
    """Return a timestamp as an aware datetime; None when absent.

    Read as leniently as Bento does, by the SDK's own parser (`bento_async.parse_datetime`).
    """
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidItem(key, "must be a timestamp string", status=400)
    try:
        return parse_datetime(value)
    except ValueError as problem:
        raise InvalidItem(key, f"is invalid: {problem}") from None


def is_truthy(value: JSONValue) -> bool:
    """Tell whether a flag is set the way Bento reads it: `true` or the string "true"."""
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def get_any(item: Mapping[str, JSONValue], *path: str) -> Any:
    """Return the value at a path of object keys, or None when any step is missing."""
    value: Any = item
    for key in path:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


# -- batches ----------------------------------------------------------------------------


@attrs.frozen
class BatchOutcome:
    """How a batch went: items accepted, why the others failed, what the last accepted gave."""

    results: int
    refusals: tuple[Refusal, ...] = ()
    last: Any = None

    @property
    def failed(self) -> int:
        """Return how many items were refused."""
        return len(self.refusals)


def run_batch(items: list[JSONValue], apply: Callable[[JSONValue], Any]) -> BatchOutcome:
    """Apply each item in turn; an item raising InvalidItem counts as failed, not fatal."""
    refusals: list[Refusal] = []
    last = None
    for index, item in enumerate(items):
        try:
            last = apply(item)
        except InvalidItem as problem:
            refusals.append(problem.refusal(index))
    return BatchOutcome(len(items) - len(refusals), tuple(refusals), last)


def counts(outcome: BatchOutcome) -> Reply:
    """Answer a batch with `{"results": accepted, "failed": rejected}` (reasons logged)."""
    return Reply({"results": outcome.results, "failed": outcome.failed}, refusals=outcome.refusals)


def require_object(item: JSONValue, name: str) -> Mapping[str, JSONValue]:
    """Return a batch item if it is a JSON object, else raise InvalidItem."""
    if not isinstance(item, dict):
        raise InvalidItem(name, "must be an object", status=400)
    return item


def param(call: Call, name: str) -> JSONValue:
    """Return a parameter from the JSON body, else from the query; None when in neither.

    Clients disagree on where parameters go (Node and Ruby: body; Go and Python: query).
    """
    if isinstance(call.body, dict) and call.body.get(name) is not None:
        return call.body[name]
    return call.query.get(name)
