"""The emulator's aiohttp application: checks in the order Bento applies them, then routing.

Every request passes these middlewares, outermost first; each may answer and stop:

1. `record`: reads and parses the body once, decides the request's family (`family_of`, the
   only place that does) and logs the request with the status it was answered;
2. `require_user_agent`: no or empty User-Agent gives 403 with Cloudflare's HTML page;
3. `require_auth`: missing, malformed or wrong Basic credentials give 401;
4. `require_site_uuid`: `site_uuid` missing from both query and JSON body, or wrong, gives 401;
5. the `extra` middlewares given to `create_app`; `BentoEmulator` puts its rate limits
   (`_limits`) and then its scripted faults (`_faults`) here, so a request refused or
   broken by them has still been authenticated, and counts against its family's window;
6. `require_route`: unknown path or wrong method gives 404;
7. `require_json`: a body that is not JSON gives 400;

then the endpoint handler (see `_handlers`), whose `Reply` or failure becomes a JSON answer.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import threading
import time
from collections.abc import Mapping, Sequence
from contextvars import ContextVar

import attrs
from aiohttp import hdrs, web
from aiohttp.typedefs import Handler, Middleware

from ._handlers import ROUTES
from ._handlers._common import ApiFailure, Call, InvalidItem, Route
from ._state import EmulatorSettings, EmulatorState, JSONValue

API_PREFIX = "/api/v1"
MAX_BODY_BYTES = 32 * 1024 * 1024

CLOUDFLARE_BLOCK_PAGE = (
    "<!DOCTYPE html>\n<html><head><title>Attention Required! | Cloudflare</title></head>"
    "<body><h1>Sorry, you have been blocked</h1>"
    "<p>You are unable to access app.bentonow.com</p></body></html>\n"
)


@attrs.define
class Exchange:
    """What the middlewares learn about the request in flight (`fault` is set by `_faults`)."""

    family: str
    body: JSONValue  # the parsed JSON body; None when empty or not JSON
    body_error: str | None  # why the body is not JSON, or None
    received_at: float = 0.0  # time.monotonic() once the body was read
    fault: str | None = None  # the kind of scripted fault the request met


@attrs.frozen
class RecordedRequest:
    """A request that reached the emulator, with the status it was answered.

    `headers` has lower-case names and the Authorization value redacted; `json` is the parsed
    body, or None when the body was empty or not JSON. `received_at` is `time.monotonic()`
    when it arrived (the time its family's window counted), `family` its rate-limit family,
    `fault` the kind of scripted fault it met (None: none). `status` is 0 when the
    connection was reset instead of answered.
    """

    method: str
    path: str
    query: Mapping[str, str]
    json: JSONValue
    headers: Mapping[str, str]
    status: int
    received_at: float = 0.0
    family: str = ""
    fault: str | None = None


class RequestLog:
    """A thread-safe list of the requests the emulator answered."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: list[RecordedRequest] = []

    def append(self, request: RecordedRequest) -> None:
        """Record one request."""
        with self._lock:
            self._items.append(request)

    def snapshot(self) -> list[RecordedRequest]:
        """Return a copy of the log, oldest first."""
        with self._lock:
            return list(self._items)

    def clear(self) -> None:
        """Forget every recorded request."""
        with self._lock:
            self._items.clear()


STATE_KEY = web.AppKey("state", EmulatorState)
SETTINGS_KEY = web.AppKey("settings", EmulatorSettings)
LOG_KEY = web.AppKey("request_log", RequestLog)

_EXCHANGE: ContextVar[Exchange] = ContextVar("bento_emulator_exchange")


def current_exchange() -> Exchange:
    """Return the Exchange of the request being handled (inside the middleware chain)."""
    return _EXCHANGE.get()


def family_of(path: str) -> str:
    """Return a request's family, the first segment under /api/v1 ("fetch", "batch", ...).

    The one place families are decided; "" for paths outside the API.
    """
    if not path.startswith(API_PREFIX + "/"):
        return ""
    return path[len(API_PREFIX) + 1 :].split("/", 1)[0]


def parse_body(raw: bytes) -> tuple[JSONValue, str | None]:
    """Parse a request body: (value, None), (None, None) when empty, (None, why) if not JSON."""
    if not raw.strip():
        return None, None
    try:
        return json.loads(raw), None
    except ValueError as problem:
        return None, f"Invalid JSON in request body: {problem}"


def basic_credentials(header: str | None) -> tuple[str, str] | None:
    """Return (user, password) from a Basic Authorization header, or None if malformed."""
    scheme, _, token = (header or "").partition(" ")
    if scheme.lower() != "basic" or not token.strip():
        return None
    try:
        decoded = base64.b64decode(token.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    user, colon, password = decoded.partition(":")
    return (user, password) if colon else None


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


def _recorded(request: web.Request, exchange: Exchange, status: int) -> RecordedRequest:
    headers = {name.lower(): value for name, value in request.headers.items()}
    if hdrs.AUTHORIZATION.lower() in headers:
        headers[hdrs.AUTHORIZATION.lower()] = "[redacted]"
    fault = exchange.fault
    return RecordedRequest(
        method=request.method,
        path=request.path,
        query=dict(request.query),
        json=exchange.body,
        headers=headers,
        status=0 if fault == "reset" else status,
        received_at=exchange.received_at,
        family=exchange.family,
        fault=fault,
    )


@web.middleware
async def record(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Parse the body, decide the family, and log the request with its answer's status."""
    body, body_error = parse_body(await request.read())
    exchange = Exchange(family_of(request.path), body, body_error, time.monotonic())
    token = _EXCHANGE.set(exchange)
    status = 500
    try:
        response = await handler(request)
        status = response.status
        return response
    except web.HTTPException as problem:
        status = problem.status
        raise
    finally:
        _EXCHANGE.reset(token)
        request.app[LOG_KEY].append(_recorded(request, exchange, status))


@web.middleware
async def require_user_agent(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Refuse a request without a User-Agent the way Bento's edge does: 403 and an HTML page."""
    if not request.headers.get(hdrs.USER_AGENT, "").strip():
        return web.Response(status=403, text=CLOUDFLARE_BLOCK_PAGE, content_type="text/html")
    return await handler(request)


@web.middleware
async def require_auth(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Answer 401 unless Basic auth carries the site's publishable and secret keys."""
    settings = request.app[SETTINGS_KEY]
    given = basic_credentials(request.headers.get(hdrs.AUTHORIZATION))
    if given is None:
        return _error(401, "Unauthorized")
    user_ok = hmac.compare_digest(given[0].encode(), settings.publishable_key.encode())
    password_ok = hmac.compare_digest(given[1].encode(), settings.secret_key.encode())
    if not (user_ok and password_ok):
        return _error(401, "Unauthorized")
    return await handler(request)


@web.middleware
async def require_site_uuid(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Answer 401 unless `site_uuid` (query first, then JSON body) names the site."""
    given: object = request.query.get("site_uuid")
    body = current_exchange().body
    if given is None and isinstance(body, dict):
        given = body.get("site_uuid")
    if given != request.app[SETTINGS_KEY].site_uuid:
        return _error(401, "Unauthorized")
    return await handler(request)


@web.middleware
async def require_route(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Answer 404 for an unknown path or a method the path does not take."""
    if request.match_info.http_exception is not None:
        return _error(404, "Not Found")
    return await handler(request)


@web.middleware
async def require_json(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Answer 400 when the body is not valid JSON."""
    body_error = current_exchange().body_error
    if body_error is not None:
        return _error(400, body_error)
    return await handler(request)


def _endpoint(route: Route) -> Handler:
    """Adapt a plain handler to aiohttp: build its Call, render its Reply or failure."""

    async def endpoint(request: web.Request) -> web.StreamResponse:
        call = Call(
            state=request.app[STATE_KEY],
            settings=request.app[SETTINGS_KEY],
            query=dict(request.query),
            body=current_exchange().body,
            params=dict(request.match_info),
        )
        try:
            reply = route.handler(call)
        except InvalidItem as problem:
            reply = problem.as_failure().reply
        except ApiFailure as failure:
            reply = failure.reply
        return web.json_response(reply.payload, status=reply.status)

    return endpoint


def create_app(
    state: EmulatorState,
    settings: EmulatorSettings,
    log: RequestLog,
    *,
    extra: Sequence[Middleware] = (),
) -> web.Application:
    """Build the application serving the API under /api/v1 (see the module docstring)."""
    middlewares = (
        record,
        require_user_agent,
        require_auth,
        require_site_uuid,
        *extra,  # rate limiting and fault injection go here
        require_route,
        require_json,
    )
    app = web.Application(middlewares=middlewares, client_max_size=MAX_BODY_BYTES)
    app[STATE_KEY] = state
    app[SETTINGS_KEY] = settings
    app[LOG_KEY] = log
    for route in ROUTES:
        app.router.add_route(route.method, API_PREFIX + route.path, _endpoint(route))
    return app
