"""The emulator's aiohttp application: checks in the order Bento applies them, then routing.

Every request passes these middlewares, outermost first; each may answer and stop:

1. `record`: reads and parses the body once, decides the request's family (`family_of`, the
   only place that does) and logs the request with the status it was answered;
2. `require_user_agent`: no or empty User-Agent gives 403 with Cloudflare's HTML page; so
   does a bare library default (`python-requests/2.31`, `Ruby`) under the `strict` policy,
   while `warn` (the default) notes it once per agent in the log and on the console;
3. `require_auth`: missing, malformed or wrong Basic credentials give 401;
4. `require_site_uuid`: `site_uuid` missing from both query and JSON body, or wrong, gives 401;
5. the `extra` middlewares given to `create_app`; `BentoEmulator` puts its rate limits
   (`_limits`) and then its scripted faults (`_faults`) here, so a request refused or
   broken by them has still been authenticated, and counts against its family's window;
6. `require_route`: unknown path or wrong method gives 404;
7. `require_json`: a body that is not JSON gives 400;

then the endpoint handler (see `_handlers`), whose `Reply` or failure becomes a JSON answer.
Every refusal, of the request or of one item in a batch, is logged with its reason
(`RecordedRequest.refusals`). Paths under `CONTROL_PREFIX` (the control API, `_control`)
skip this chain: they are neither checked, limited, faulted nor logged.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hmac
import json
import logging
import re
import threading
import time
from collections.abc import Mapping, Sequence
from contextvars import ContextVar

import attrs
from aiohttp import hdrs, web
from aiohttp.typedefs import Handler, Middleware

from ._handlers import ROUTES
from ._handlers._common import ApiFailure, Call, InvalidItem, Refusal, Route
from ._state import EmulatorSettings, EmulatorState, JSONValue

API_PREFIX = "/api/v1"
CONTROL_PREFIX = "/_emulator"
LOGGER = logging.getLogger("bento_emulator")
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
    refusals: tuple[Refusal, ...] = ()  # why the request or its items were refused
    warnings: tuple[str, ...] = ()  # what was accepted but would trouble the real API

    def refuse(self, message: str) -> None:
        """Note why the whole request is refused."""
        self.refusals = (Refusal(None, message),)


@attrs.frozen
class RecordedRequest:
    """A request that reached the emulator, with the status it was answered.

    `headers` has lower-case names and the Authorization value redacted; `json` is the parsed
    body, or None when the body was empty or not JSON. `received_at` is `time.monotonic()`
    when it arrived (the time its family's window counted), `family` its rate-limit family,
    `fault` the kind of scripted fault it met (None: none). `status` is 0 when the
    connection was reset instead of answered. `refusals` say why the request, or items of
    its batch (with their index), were refused; `warnings` what the real API may refuse.
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
    refusals: tuple[Refusal, ...] = ()
    warnings: tuple[str, ...] = ()


class RequestLog:
    """A thread-safe list of the requests the emulator answered, and the agents warned of."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: list[RecordedRequest] = []
        self._warned: set[str] = set()

    def first_warning(self, key: str) -> bool:
        """Tell whether `key` is warned of for the first time since the last `clear`."""
        with self._lock:
            first = key not in self._warned
            self._warned.add(key)
            return first

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
            self._warned.clear()


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


def _refused(status: int, reason: str, message: str | None = None) -> web.Response:
    """Answer `{"error": message or reason}`, logging `reason` as the request's refusal."""
    current_exchange().refuse(reason)
    return web.json_response({"error": message or reason}, status=status)


# Bare defaults of HTTP libraries and tools: the generic agents Bento's edge may block.
# fmt: off
_GENERIC_PRODUCTS = frozenset({
    "python", "python-requests", "python-urllib", "python-httpx", "aiohttp", "urllib3",
    "httplib2", "requests", "curl", "libcurl", "wget", "httpie", "go-http-client", "okhttp",
    "java", "apache-httpclient", "node", "node-fetch", "undici", "axios", "got", "superagent",
    "deno", "bun", "ruby", "faraday", "httparty", "rest-client", "httpclient", "guzzlehttp",
    "guzzle", "php", "libwww-perl", "lwp::simple", "dart", "postmanruntime", "insomnia",
})
# fmt: on
_VERSION = re.compile(r"v?\d[\w.\-]*", re.ASCII)
_COMMENT = re.compile(r"\([^)]*\)")


def is_generic_agent(agent: str) -> bool:
    """Tell whether a User-Agent is only HTTP libraries' defaults (`Ruby`, `curl/8.4.0`).

    Every product in it (`name/version`, comments in parentheses ignored) must be a known
    library or tool; one name of the caller's own (`AcmeCRM/1.0 python-requests/2.31`) is
    enough to make it specific.
    """
    products = _COMMENT.sub(" ", agent).split()
    names = [p.split("/", 1)[0].lower() for p in products if not _VERSION.fullmatch(p)]
    return bool(names) and all(name in _GENERIC_PRODUCTS for name in names)


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
        refusals=exchange.refusals,
        warnings=exchange.warnings,
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


def _blocked(reason: str) -> web.Response:
    current_exchange().refuse(reason)
    return web.Response(status=403, text=CLOUDFLARE_BLOCK_PAGE, content_type="text/html")


@web.middleware
async def require_user_agent(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Refuse a request without a User-Agent the way Bento's edge does: 403 and an HTML page.

    A generic agent is blocked the same way under the `strict` policy; under `warn` its
    first request carries a warning, also written to the `bento_emulator` logger.
    """
    agent = request.headers.get(hdrs.USER_AGENT, "").strip()
    if not agent:
        return _blocked("no User-Agent: Bento's edge blocks the request")
    policy = request.app[SETTINGS_KEY].user_agent_policy
    if policy == "allow" or not is_generic_agent(agent):
        return await handler(request)
    if policy == "strict":
        return _blocked(f"generic User-Agent {agent!r} blocked (user agent policy: strict)")
    if request.app[LOG_KEY].first_warning(agent):
        warning = (
            f"generic User-Agent {agent!r}: Bento's edge may answer it with an HTML 403;"
            " send your app's name, such as 'AcmeCRM/1.0'"
        )
        current_exchange().warnings = (warning,)
        LOGGER.warning("%s", warning)
    return await handler(request)


@web.middleware
async def require_auth(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Answer 401 unless Basic auth carries the site's publishable and secret keys."""
    settings = request.app[SETTINGS_KEY]
    given = basic_credentials(request.headers.get(hdrs.AUTHORIZATION))
    if given is None:
        return _refused(401, "Basic credentials missing or malformed", "Unauthorized")
    if not hmac.compare_digest(given[0].encode(), settings.publishable_key.encode()):
        return _refused(401, "unknown publishable key (Basic auth user)", "Unauthorized")
    if not hmac.compare_digest(given[1].encode(), settings.secret_key.encode()):
        return _refused(401, "wrong secret key (Basic auth password)", "Unauthorized")
    return await handler(request)


@web.middleware
async def require_site_uuid(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Answer 401 unless `site_uuid` (query first, then JSON body) names the site."""
    given: object = request.query.get("site_uuid")
    body = current_exchange().body
    if given is None and isinstance(body, dict):
        given = body.get("site_uuid")
    if given is None:
        return _refused(401, "site_uuid missing from the query and the JSON body", "Unauthorized")
    if given != request.app[SETTINGS_KEY].site_uuid:
        return _refused(401, "site_uuid does not name this site", "Unauthorized")
    return await handler(request)


@web.middleware
async def require_route(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Answer 404 for an unknown path or a method the path does not take."""
    if request.match_info.http_exception is not None:
        return _refused(404, "no such endpoint or method", "Not Found")
    return await handler(request)


@web.middleware
async def require_json(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Answer 400 when the body is not valid JSON."""
    body_error = current_exchange().body_error
    if body_error is not None:
        return _refused(400, body_error)
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
        current_exchange().refusals = reply.refusals
        return web.json_response(reply.payload, status=reply.status)

    return endpoint


def _api_only(chain: Sequence[Middleware]) -> Middleware:
    """Run `chain` (outermost first) for every request but the control API's."""

    @web.middleware
    async def api_only(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.path == CONTROL_PREFIX or request.path.startswith(CONTROL_PREFIX + "/"):
            return await handler(request)
        for middleware in reversed(chain):
            handler = functools.partial(middleware, handler=handler)
        return await handler(request)

    return api_only


def create_app(
    state: EmulatorState,
    settings: EmulatorSettings,
    log: RequestLog,
    *,
    extra: Sequence[Middleware] = (),
) -> web.Application:
    """Build the application serving the API under /api/v1 (see the module docstring)."""
    chain = (
        record,
        require_user_agent,
        require_auth,
        require_site_uuid,
        *extra,  # rate limiting and fault injection go here
        require_route,
        require_json,
    )
    app = web.Application(middlewares=(_api_only(chain),), client_max_size=MAX_BODY_BYTES)
    app[STATE_KEY] = state
    app[SETTINGS_KEY] = settings
    app[LOG_KEY] = log
    for route in ROUTES:
        app.router.add_route(route.method, API_PREFIX + route.path, _endpoint(route))
    return app
