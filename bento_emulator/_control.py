"""The control API: read and steer a running emulator over HTTP, from any language.

Served beside the Bento API under `/_emulator` (outside `/api/v1`, as moto's server mode
keeps its own routes apart); no credentials needed, nothing here is logged, rate limited or
faulted, and nothing it answers contains the secret key. JSON in, JSON out:

    GET    /_emulator                   the site (uuid, publishable key, authors, switches)
                                        and this list
    GET    /_emulator/state             every area below in one object
    GET    /_emulator/state/{area}      subscribers, tags, fields, events, purchases,
                                        automations, outbox, templates, broadcasts,
                                        sequences, workflows, segments
    GET    /_emulator/requests          the request log, each with `refusals` (why the
                                        request or an item of it was refused) and
                                        `warnings`; `?since=N` skips the first N
    POST   /_emulator/reset             forget data and log, reload the startup fixtures
    GET    /_emulator/faults            the fault rules still active
    POST   /_emulator/faults            add rules: a spec or an array of specs, e.g.
                                        {"kind": "fail_next", "n": 2, "status": 503}
    DELETE /_emulator/faults            drop every rule
    POST   /_emulator/fixtures          load a fixtures document (see `_fixtures`)

Timestamps are ISO 8601 in UTC with a `Z`. Errors are `{"error": "..."}` with 400 or 404.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, Protocol

import attrs
from aiohttp import web

from ._app import CONTROL_PREFIX, RecordedRequest
from ._faults import Faults
from ._fixtures import FixtureError, load_fixtures
from ._state import EmulatorSettings, EmulatorState, JSONValue, Subscriber

__all__ = ["AREAS", "add_control_routes", "jsonable", "recorded_json"]


def jsonable(value: Any) -> JSONValue:
    """Return an attrs entity (or anything inside one) as plain JSON values."""
    if attrs.has(type(value)):
        fields = attrs.fields(type(value))
        return {
            f.name.rstrip("_"): jsonable(getattr(value, f.name))
            for f in fields
            if f.eq and not f.name.startswith("_")  # Segment.rule: code, not data
        }
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, (frozenset, set)):
        return sorted(jsonable(item) for item in value)
    if isinstance(value, (list, tuple)):
        return [jsonable(item) for item in value]
    if isinstance(value, Mapping):
        return {str(key): jsonable(item) for key, item in value.items()}
    return value


def _subscribers(state: EmulatorState) -> list[JSONValue]:
    def row(subscriber: Subscriber) -> JSONValue:
        return {**jsonable(subscriber), "tags": state.tag_names_of(subscriber)}

    return [row(subscriber) for subscriber in state.subscribers]


AREAS: Mapping[str, Callable[[EmulatorState], JSONValue]] = {
    "subscribers": _subscribers,
    "tags": lambda state: jsonable(state.tags),
    "fields": lambda state: jsonable(state.fields),
    "events": lambda state: jsonable(state.events),
    "purchases": lambda state: jsonable(state.purchases),
    "automations": lambda state: jsonable(state.automations),
    "outbox": lambda state: jsonable(state.outbox),
    "templates": lambda state: jsonable(state.email_templates),
    "broadcasts": lambda state: jsonable(state.broadcasts),
    "sequences": lambda state: jsonable(state.sequences),
    "workflows": lambda state: jsonable(state.workflows),
    "segments": lambda state: jsonable(state.segments),
}


def recorded_json(index: int, request: RecordedRequest) -> JSONValue:
    """Return one request-log entry as JSON (`received_at` is the monotonic clock's)."""
    return {"index": index, **jsonable(request)}


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


async def _json_body(request: web.Request) -> JSONValue:
    try:
        return json.loads(await request.read())
    except ValueError as problem:
        raise web.HTTPBadRequest(
            text=json.dumps({"error": f"Invalid JSON in request body: {problem}"}),
            content_type="application/json",
        ) from None


class Emulator(Protocol):
    """What the control API needs of a `BentoEmulator`."""

    @property
    def state(self) -> EmulatorState: ...
    @property
    def settings(self) -> EmulatorSettings: ...
    @property
    def base_url(self) -> str: ...
    @property
    def requests(self) -> list[RecordedRequest]: ...
    @property
    def faults(self) -> Faults: ...
    def reset(self) -> None: ...


EMULATOR_KEY = web.AppKey("emulator", Emulator)


async def index(request: web.Request) -> web.Response:
    """Describe the site (never the secret key) and list the control endpoints."""
    emulator = request.app[EMULATOR_KEY]
    settings = emulator.settings
    site = {
        "base_url": emulator.base_url,
        "site_uuid": settings.site_uuid,
        "publishable_key": settings.publishable_key,
        "authors": sorted(settings.authors),
        "enterprise": settings.enterprise,
        "commands_response": settings.commands_response,
        "author_error_status": settings.author_error_status,
        "user_agent_policy": settings.user_agent_policy,
    }
    return web.json_response({"site": site, "endpoints": list(ENDPOINTS)})


async def whole_state(request: web.Request) -> web.Response:
    """Answer every area of the state in one object."""
    state = request.app[EMULATOR_KEY].state
    return web.json_response({area: read(state) for area, read in AREAS.items()})


async def one_area(request: web.Request) -> web.Response:
    """Answer one area of the state; 404 for an unknown area."""
    read = AREAS.get(request.match_info["area"])
    if read is None:
        return _error(404, f"unknown area; expected one of {', '.join(AREAS)}")
    return web.json_response(read(request.app[EMULATOR_KEY].state))


async def requests(request: web.Request) -> web.Response:
    """Answer the request log from entry `since` on (0 by default)."""
    since = request.query.get("since", "0")
    if not since.isdigit():
        return _error(400, "since must be a non-negative integer")
    log = request.app[EMULATOR_KEY].requests
    return web.json_response([recorded_json(i, log[i]) for i in range(int(since), len(log))])


async def reset(request: web.Request) -> web.Response:
    """Forget data and log, and reload the startup fixtures."""
    request.app[EMULATOR_KEY].reset()
    return web.json_response({"reset": True})


async def faults(request: web.Request) -> web.Response:
    """Answer the fault rules still active."""
    return web.json_response(jsonable(request.app[EMULATOR_KEY].faults.rules))


async def add_faults(request: web.Request) -> web.Response:
    """Add the rules of a spec or an array of specs; 400 names the first one refused."""
    body = await _json_body(request)
    specs = body if isinstance(body, list) else [body]
    if not all(isinstance(spec, dict) for spec in specs):
        return _error(400, "expected a fault spec object or an array of them")
    try:
        added = [request.app[EMULATOR_KEY].faults.script(spec) for spec in specs]
    except ValueError as problem:
        return _error(400, str(problem))
    return web.json_response(jsonable(added))


async def clear_faults(request: web.Request) -> web.Response:
    """Drop every fault rule."""
    request.app[EMULATOR_KEY].faults.clear()
    return web.json_response({"cleared": True})


async def fixtures(request: web.Request) -> web.Response:
    """Load a fixtures document; 400 names the item that cannot be loaded."""
    try:
        loaded = load_fixtures(request.app[EMULATOR_KEY].state, await _json_body(request))
    except FixtureError as problem:
        return _error(400, str(problem))
    return web.json_response({"loaded": loaded})


ROUTES = (
    ("GET", "", index),
    ("GET", "/state", whole_state),
    ("GET", "/state/{area}", one_area),
    ("GET", "/requests", requests),
    ("POST", "/reset", reset),
    ("GET", "/faults", faults),
    ("POST", "/faults", add_faults),
    ("DELETE", "/faults", clear_faults),
    ("POST", "/fixtures", fixtures),
)


ENDPOINTS = tuple(f"{method} {CONTROL_PREFIX}{path}" for method, path, _ in ROUTES)


def add_control_routes(app: web.Application, emulator: Emulator) -> None:
    """Serve the control API of `emulator` on `app` (see the module docstring)."""
    app[EMULATOR_KEY] = emulator
    for method, path, handler in ROUTES:
        app.router.add_route(method, CONTROL_PREFIX + path, handler)
