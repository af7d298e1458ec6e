"""Sans-I/O HTTP: request and response values, building requests, classifying errors.

Nothing here does I/O, so every rule is testable without a server.
"""

from __future__ import annotations

import base64
import json
import math
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

import attrs
import orjson

from ._config import Family
from ._errors import (
    ApiError,
    AuthenticationError,
    AuthorNotAuthorizedError,
    BadRequestError,
    DecodeError,
    InputIssue,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    UnprocessableEntityError,
    ValidationError,
)

__all__ = [
    "Request",
    "Response",
    "basic_auth_header",
    "decode_json",
    "encode_body",
    "encode_fast",
    "loads",
    "error_for",
]

AUTHOR_NOT_AUTHORIZED = "Author not authorized to send on this account"

_STATUS_CLASSES: dict[int, type[ApiError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}


def basic_auth_header(publishable_key: str, secret_key: str) -> str:
    """Return the value of the HTTP Basic ``Authorization`` header."""
    token = base64.b64encode(f"{publishable_key}:{secret_key}".encode()).decode("ascii")
    return f"Basic {token}"


def _json_default(value: object) -> object:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def encode_body(payload: object) -> bytes:
    """Serialise a JSON body, turning datetimes into ISO 8601.

    Raises ValidationError for values JSON cannot carry (objects, NaN, infinity).
    """
    body = encode_fast(payload)
    return body if body is not None else _encode_strict(payload)


def encode_fast(payload: object) -> bytes | None:
    """Serialise a JSON body with orjson; None when only the standard library can say.

    None for what orjson does not take and ``json`` may (an integer past 64
    bits, a non-string key, a type it does not know). orjson writes NaN and
    infinity as ``null``, so a body holding ``null`` is searched for them.

    Raises ValidationError for NaN or infinity.
    """
    try:
        body = orjson.dumps(payload, option=orjson.OPT_PASSTHROUGH_DATACLASS)
    except TypeError:
        return None
    if b"null" in body and _has_non_finite(payload):
        return _encode_strict(payload)  # raises ValidationError, as json.dumps refuses NaN
    return body


def _has_non_finite(value: object) -> bool:
    if type(value) is float:
        return not math.isfinite(value)
    if isinstance(value, dict):
        return any(map(_has_non_finite, value.values()))
    if isinstance(value, (list, tuple)):
        return any(map(_has_non_finite, value))
    return isinstance(value, float) and not math.isfinite(value)


def _encode_strict(payload: object) -> bytes:
    try:
        return json.dumps(
            payload, default=_json_default, allow_nan=False, separators=(",", ":")
        ).encode()
    except (TypeError, ValueError) as exc:
        raise ValidationError([InputIssue("body", f"not JSON serialisable: {exc}")]) from exc


def loads(body: bytes) -> Any:
    """Decode a JSON body: orjson, or the standard library for what orjson refuses
    (NaN and Infinity literals, UTF-16/32 bodies).

    Raises ValueError for a body that is not JSON.
    """
    try:
        return orjson.loads(body)
    except ValueError:
        return json.loads(body)


def _params_tuple(params: Mapping[str, object] | None) -> tuple[tuple[str, str], ...]:
    if not params:
        return ()
    out = []
    for key, value in params.items():
        if value is None:
            continue
        if type(value) is str:  # nearly every parameter: no further checks
            text = value
        elif isinstance(value, bool):
            text = "true" if value else "false"
        elif isinstance(value, (datetime, date)):
            text = value.isoformat()
        else:
            text = str(value)
        out.append((key, text))
    return tuple(out)


@attrs.frozen
class Request:
    """One API call: what to send and how it may be retried.

    ``idempotent`` says whether the request may be repeated after an ambiguous
    failure (5xx, timeout, dropped connection). ``cost`` is how many units the
    call takes from its family's limiter (1 request; for emails, also the
    number of emails sent).
    """

    method: str
    path: str
    family: Family
    params: tuple[tuple[str, str], ...] = ()
    body: bytes | None = None
    idempotent: bool = True
    emails: int = 0

    @classmethod
    def build(
        cls,
        method: str,
        path: str,
        *,
        params: Mapping[str, object] | None = None,
        json_body: object = None,
        idempotent: bool = True,
        emails: int = 0,
    ) -> Request:
        """Build a request; the family comes from the first path segment."""
        family = family_of(path)
        body = None if json_body is None else encode_body(json_body)
        return cls(method, path, family, _params_tuple(params), body, idempotent, emails)


def family_of(path: str) -> Family:
    """Return the rate-limit family of an API path such as ``fetch/subscribers``."""
    head = path.lstrip("/").split("/", 1)[0]
    if head in _FAMILIES:
        return head  # type: ignore[return-value]
    raise ValueError(f"path {path!r} is outside the known API families")


_FAMILIES = frozenset(("fetch", "batch", "stats", "experimental"))


@attrs.frozen
class Response:
    """What came back: status, headers (read by lower-case name), raw body."""

    status: int
    headers: Mapping[str, str]
    body: bytes

    @property
    def is_html(self) -> bool:
        """Whether the body is an HTML page (Bento's edge answers blocked requests so)."""
        ctype = self.headers.get("content-type", "")
        return "html" in ctype or self.body.lstrip()[:15].lower().startswith(b"<!doctype html")

    def text(self, limit: int = 500) -> str:
        """Return the body as text, cut to ``limit`` characters."""
        text = self.body.decode("utf-8", errors="replace")
        return text if len(text) <= limit else text[:limit] + "..."


def _message_from(body: Any) -> str | None:
    if not isinstance(body, Mapping):
        return None
    error = body.get("error")
    if isinstance(error, str) and error:
        return error
    errors = body.get("errors")
    if isinstance(errors, list):
        parts = []
        for item in errors:
            if isinstance(item, Mapping):
                field, msg = item.get("field"), item.get("message")
                parts.append(f"{field} {msg}" if field else str(msg))
            else:
                parts.append(str(item))
        return "; ".join(parts) or None
    if isinstance(errors, Mapping):
        return "; ".join(
            f"{key} {', '.join(map(str, v)) if isinstance(v, list) else v}"
            for key, v in errors.items()
        )
    message = body.get("message")
    return message if isinstance(message, str) and message else None


def _parse_body(response: Response) -> Any:
    try:
        return loads(response.body)
    except ValueError:
        return response.text()


def error_for(
    request: Request, response: Response, *, retry_after: float | None = None
) -> ApiError | None:
    """Map a response to its error, or None for a success (200 or 201)."""
    if response.status in (200, 201):
        return None
    body = _parse_body(response) if response.body else None
    message = _message_from(body)
    if message is None:
        if response.is_html:
            message = (
                "HTML page instead of JSON: the request was blocked before reaching the "
                "API (a missing or generic User-Agent is the usual cause)"
            )
        elif isinstance(body, str) and body.strip():
            message = " ".join(body.split())[:200]
        else:
            message = f"HTTP {response.status}"
    cls: type[ApiError]
    if message == AUTHOR_NOT_AUTHORIZED:
        cls = AuthorNotAuthorizedError
    elif response.status >= 500:
        cls = ServerError
    else:
        cls = _STATUS_CLASSES.get(response.status, ApiError)
    return cls(
        message,
        status=response.status,
        method=request.method,
        path=request.path,
        body=body,
        retry_after=retry_after,
    )


def decode_json(request: Request, response: Response) -> Any:
    """Decode a success body as JSON, raising DecodeError when it is not JSON."""
    try:
        return loads(response.body)
    except ValueError:
        what = "an HTML page" if response.is_html else "a body that is not JSON"
        raise DecodeError(
            f"expected JSON, got {what}",
            method=request.method,
            path=request.path,
            status=response.status,
            body=response.text(200),
        ) from None
