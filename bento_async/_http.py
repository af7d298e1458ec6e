"""Sans-I/O HTTP: request and response values, building requests, classifying errors.

Nothing here does I/O, so every rule is testable without a server.
"""

from __future__ import annotations

import base64
import json
import math
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any, NoReturn

import attrs
import orjson

from ._config import Family, Secret
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


def basic_auth_header(publishable_key: Secret, secret_key: Secret) -> Secret:
    """Return the value of the HTTP Basic ``Authorization`` header, kept in a Secret."""
    pair = f"{publishable_key.reveal()}:{secret_key.reveal()}".encode()
    return Secret("Basic " + base64.b64encode(pair).decode("ascii"))


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

    ``path`` is relative to the API root (``fetch/subscribers``) and ``params`` are
    the query pairs without ``site_uuid``, which the transport adds with the
    credentials. ``body`` is JSON bytes, or None. ``idempotent`` says whether the
    request may be repeated after an ambiguous failure (5xx, timeout, dropped
    connection). ``emails`` is how many emails the call sends (they count
    against the send quota as well as the request).
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
        """Build a request; the family comes from the first path segment.

        Raises ValidationError for a path with an empty, ``.`` or ``..`` segment: a
        URL would resolve it to another endpoint (resources check their ids first;
        this is the last guard).
        """
        if "." in path or "//" in path or path.endswith("/"):
            _check_segments(path)
        family = family_of(path)
        body = None if json_body is None else encode_body(json_body)
        return cls(method, path, family, _params_tuple(params), body, idempotent, emails)

    def json(self) -> Any:
        """Return the body decoded from JSON (None when there is none)."""
        return None if self.body is None else json.loads(self.body)


def _check_segments(path: str) -> None:
    if any(part in ("", ".", "..") for part in path.split("/")):
        raise ValidationError([InputIssue("path", f"{path!r} has an empty or dot segment")])


def family_of(path: str) -> Family:
    """Return the rate-limit family of an API path such as ``fetch/subscribers``."""
    head = path.lstrip("/").split("/", 1)[0]
    if head in _FAMILIES:
        return head  # type: ignore[return-value]
    raise ValueError(f"path {path!r} is outside the known API families")


# Error bodies longer than this are shown as text from their first bytes, never decoded.
ERROR_BODY_LIMIT = 64 * 1024
# A success body over DENSE_CHECK_BYTES holding more than MAX_JSON_VALUES values (counted
# as commas and opening brackets) is refused undecoded: each tiny value ("[]," "{},")
# takes about 25 times its size once decoded, so 16 MiB of them would take 400 MiB.
DENSE_CHECK_BYTES = 1024 * 1024
MAX_JSON_VALUES = 150_000
_FAMILIES = frozenset(("fetch", "batch", "stats", "experimental"))


@attrs.frozen
class Response:
    """What came back: status, headers (read by lower-case name), raw body.

    ``truncated`` says the body went on past what was read (the client's
    ``max_response_bytes``, or ERROR_BODY_LIMIT for an error status): ``body``
    holds its first bytes only.
    """

    status: int
    headers: Mapping[str, str]
    body: bytes
    truncated: bool = False

    @property
    def is_html(self) -> bool:
        """Whether the body is an HTML page (Bento's edge answers blocked requests so)."""
        ctype = self.headers.get("content-type", "")
        return "html" in ctype or self.body[:1024].lstrip()[:15].lower().startswith(
            b"<!doctype html"
        )

    @classmethod
    def from_json(
        cls, payload: object, *, status: int = 200, headers: Mapping[str, str] | None = None
    ) -> Response:
        """Return a response carrying ``payload`` as JSON (for a MockTransport handler)."""
        lowered = {k.lower(): v for k, v in (headers or {}).items()}
        lowered.setdefault("content-type", "application/json")
        return cls(status, lowered, json.dumps(payload).encode())

    def text(self, limit: int = 500) -> str:
        """Return the body as text, cut to ``limit`` characters (decoding only its first bytes)."""
        text = self.body[: limit * 4].decode("utf-8", errors="replace")
        cut = len(text) > limit or len(self.body) > limit * 4 or self.truncated
        return text[:limit] + "..." if cut else text


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
    """Decode an error body: JSON when it is short, complete JSON; else its first bytes as text."""
    if response.truncated or len(response.body) > ERROR_BODY_LIMIT:
        return response.text()
    try:
        return loads(response.body)
    except (ValueError, RecursionError):
        return response.text()


def _html_message(status: int) -> str:
    if status == 403:
        # Bento's edge answers a blocked request (no or a generic User-Agent) so.
        return (
            "HTML page instead of JSON: the request was blocked before reaching the "
            "API (a missing or generic User-Agent is the usual cause)"
        )
    return f"HTML page instead of JSON (HTTP {status}): an error page from a proxy or the edge"


def error_for(
    request: Request, response: Response, *, retry_after: float | None = None
) -> ApiError | None:
    """Map a response to its error, or None for any 2xx (a body that does not fit a 2xx
    is a DecodeError, raised when it is decoded)."""
    if 200 <= response.status < 300:
        return None
    body = _parse_body(response) if response.body else None
    message = _message_from(body)
    if message is None:
        if response.is_html:
            message = _html_message(response.status)
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
    """Decode a success body as JSON.

    Raises DecodeError when it is not JSON, is empty (a 202 or 204), nests too deeply
    to decode, holds more than MAX_JSON_VALUES values, or was cut at ``max_response_bytes``.
    """
    if response.truncated:
        _undecodable(
            request,
            response,
            f"the body is larger than {len(response.body)} bytes "
            "(max_response_bytes); stopped reading there",
        )
    body = response.body
    if len(body) > DENSE_CHECK_BYTES:
        values = body.count(b",") + body.count(b"[") + body.count(b"{")
        if values > MAX_JSON_VALUES:
            _undecodable(
                request,
                response,
                f"the JSON body holds about {values} values, more than {MAX_JSON_VALUES}; "
                "not decoded, to keep memory bounded",
            )
    try:
        return loads(body)
    except RecursionError:
        _undecodable(request, response, "the JSON body nests too deeply to decode")
    except ValueError:
        if not response.body or response.body.isspace():
            _undecodable(request, response, "expected JSON, got an empty body")
        what = "an HTML page" if response.is_html else "a body that is not JSON"
        _undecodable(request, response, f"expected JSON, got {what}")


def _undecodable(request: Request, response: Response, message: str) -> NoReturn:
    raise DecodeError(
        message,
        method=request.method,
        path=request.path,
        status=response.status,
        body=response.text(200),
    ) from None
