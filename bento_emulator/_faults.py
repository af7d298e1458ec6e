"""Scripted faults for the emulator: `emulator.faults`.

Each method adds a rule; rules apply to requests that passed the User-Agent, auth, site and
rate-limit checks (a faulty request still counts against its family's window). Every rule
can be narrowed to a `family` ("fetch", "batch", ...) or a `path` ("fetch/tags"), limited
to a number of `times` (None: until cleared), and made to hit only a `fraction` of the
requests it matches, drawn from its own `random.Random(seed)`: the k-th matching request's
fate is fixed by the seed, whatever the timing.

- `fail_next(n, status=503)`, `fail_fraction(fraction, status=500, seed=...)`: answer a
  JSON error (`{"error": "Service Unavailable"}`) with that status, without doing the work;
  `retry_after=` adds a Retry-After header (seconds).
- `latency(seconds)`: wait before handling; adds up with other rules.
- `stall(seconds)`: do the work, then hold the answer (to outlast a client's timeout).
- `reset_connection()`: drop the connection with a TCP reset, without doing the work.
- `invalid_json()`: do the work, then answer its success status with a truncated JSON body.
- `html_403()`: answer 403 with Cloudflare's HTML page (what a request without a User-Agent
  gets from Bento's edge), without doing the work.

`script({"kind": "latency", "seconds": 0.2})` adds a rule from a JSON-able spec naming one
of the methods above (what `bento emulator serve --faults` and the control API take).

For each request, rules are tried in the order they were added: every matching `latency`
rule that fires adds its delay, and the first other rule that fires decides the outcome
(later rules are not consulted, so their counts and random draws do not move). Rules
that have run out of `times` are dropped; `clear()` drops them all. Thread-safe.
"""

from __future__ import annotations

import asyncio
import random
import socket
import struct
import threading
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any, Literal, TypedDict

import attrs
from aiohttp import web
from aiohttp.typedefs import Handler, Middleware

from ._app import API_PREFIX, CLOUDFLARE_BLOCK_PAGE, current_exchange

__all__ = ["FAULT_KINDS", "FaultKind", "FaultRule", "Faults", "fault_middleware"]

FaultKind = Literal["status", "latency", "stall", "reset", "invalid_json", "html_403"]

FAULT_KINDS = (
    "fail_next",
    "fail_fraction",
    "latency",
    "stall",
    "reset_connection",
    "invalid_json",
    "html_403",
)

TRUNCATED_JSON = b'{"data": [{"id": "1", "type": "tags", "attri'


def _bare(path: str) -> str:
    path = path.strip("/")
    prefix = API_PREFIX.strip("/") + "/"
    return path[len(prefix) :] if path.startswith(prefix) else path


@attrs.define(kw_only=True)
class FaultRule:
    """One scripted fault, given by keywords only; see the module docstring."""

    kind: FaultKind
    status: int = 503
    seconds: float = 0.0
    retry_after: float | None = None
    family: str | None = None
    path: str | None = None
    times: int | None = 1
    fraction: float = 1.0
    seed: int = 0
    _rng: random.Random = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        if self.times is not None and self.times < 0:
            raise ValueError(f"times must be at least 0 or None, got {self.times}")
        if not 0.0 <= self.fraction <= 1.0:
            raise ValueError(f"fraction must be between 0 and 1, got {self.fraction}")
        if self.seconds < 0:
            raise ValueError(f"seconds must not be negative, got {self.seconds}")
        self._rng = random.Random(self.seed)
        if self.path is not None:
            self.path = _bare(self.path)

    def matches(self, family: str, path: str) -> bool:
        """Whether the rule covers a request of `family` to `path`."""
        if self.family is not None and family != self.family:
            return False
        return self.path is None or _bare(path) == self.path

    def fires(self) -> bool:
        """Decide for one matching request, using up one of `times` when it fires."""
        if self.times == 0:
            return False
        if self.fraction < 1.0 and self._rng.random() >= self.fraction:
            return False
        if self.times is not None:
            self.times -= 1
        return True


@attrs.frozen
class Decision:
    """What happens to one request: extra latency and at most one fault."""

    latency: float = 0.0
    fault: FaultRule | None = None


class _Where(TypedDict, total=False):
    """Which requests a rule covers, and how many of them it hits."""

    family: str | None
    path: str | None
    times: int | None
    fraction: float
    seed: int


class Faults:
    """The emulator's fault script (see the module docstring)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rules: list[FaultRule] = []

    def __repr__(self) -> str:
        return f"<Faults {len(self.rules)} rules>"

    @property
    def rules(self) -> list[FaultRule]:
        """Return the rules still active, in the order they apply."""
        with self._lock:
            return list(self._rules)

    def add(self, rule: FaultRule) -> FaultRule:
        """Add a rule after the others; return it."""
        with self._lock:
            self._rules.append(rule)
        return rule

    def clear(self) -> None:
        """Drop every rule."""
        with self._lock:
            self._rules.clear()

    def script(self, spec: Mapping[str, Any]) -> FaultRule:
        """Add the rule a spec describes: `kind` names a method, the other keys its arguments.

        Without `kind`, `next` means `fail_next` (`{"next": 3}` fails the next three
        requests) and `fraction` means `fail_fraction`.

        Raises ValueError for an unknown or missing kind or arguments the method refuses.
        """
        args = dict(spec)
        kind = args.pop("kind", None)
        if kind is None:
            kind = (
                "fail_next" if "next" in args else "fail_fraction" if "fraction" in args else None
            )
        if kind not in FAULT_KINDS:
            raise ValueError(f"kind must be one of {', '.join(FAULT_KINDS)}")
        if kind == "fail_next" and "next" in args:
            args["n"] = args.pop("next")
        try:
            rule: FaultRule = getattr(self, kind)(**args)
        except TypeError as problem:
            raise ValueError(f"{kind}: {problem}") from None
        return rule

    def fail_next(
        self,
        n: int = 1,
        status: int = 503,
        *,
        retry_after: float | None = None,
        family: str | None = None,
        path: str | None = None,
    ) -> FaultRule:
        """Answer the next `n` matching requests with `status`, doing no work."""
        where = _Where(family=family, path=path, times=n)
        return self.add(FaultRule(kind="status", status=status, retry_after=retry_after, **where))

    def fail_fraction(
        self,
        fraction: float,
        status: int = 500,
        *,
        seed: int = 0,
        retry_after: float | None = None,
        family: str | None = None,
        path: str | None = None,
        times: int | None = None,
    ) -> FaultRule:
        """Answer `fraction` of the matching requests with `status`, chosen by `seed`."""
        where = _Where(family=family, path=path, times=times, fraction=fraction, seed=seed)
        return self.add(FaultRule(kind="status", status=status, retry_after=retry_after, **where))

    def latency(
        self,
        seconds: float,
        *,
        times: int | None = None,
        fraction: float = 1.0,
        seed: int = 0,
        family: str | None = None,
        path: str | None = None,
    ) -> FaultRule:
        """Wait `seconds` before handling the matching requests (all, unless `times`)."""
        where = _Where(family=family, path=path, times=times, fraction=fraction, seed=seed)
        return self.add(FaultRule(kind="latency", status=200, seconds=seconds, **where))

    def stall(
        self,
        seconds: float,
        *,
        times: int | None = 1,
        fraction: float = 1.0,
        seed: int = 0,
        family: str | None = None,
        path: str | None = None,
    ) -> FaultRule:
        """Do the work, then hold the answer for `seconds` (past the client's timeout)."""
        where = _Where(family=family, path=path, times=times, fraction=fraction, seed=seed)
        return self.add(FaultRule(kind="stall", status=200, seconds=seconds, **where))

    def reset_connection(
        self,
        times: int | None = 1,
        *,
        fraction: float = 1.0,
        seed: int = 0,
        family: str | None = None,
        path: str | None = None,
    ) -> FaultRule:
        """Drop the connection with a TCP reset instead of answering; no work is done."""
        where = _Where(family=family, path=path, times=times, fraction=fraction, seed=seed)
        return self.add(FaultRule(kind="reset", status=0, **where))

    def invalid_json(
        self,
        times: int | None = 1,
        *,
        fraction: float = 1.0,
        seed: int = 0,
        family: str | None = None,
        path: str | None = None,
    ) -> FaultRule:
        """Do the work, then answer its success status with a truncated JSON body."""
        where = _Where(family=family, path=path, times=times, fraction=fraction, seed=seed)
        return self.add(FaultRule(kind="invalid_json", status=200, **where))

    def html_403(
        self,
        times: int | None = 1,
        *,
        fraction: float = 1.0,
        seed: int = 0,
        family: str | None = None,
        path: str | None = None,
    ) -> FaultRule:
        """Answer 403 with Cloudflare's HTML block page; no work is done."""
        where = _Where(family=family, path=path, times=times, fraction=fraction, seed=seed)
        return self.add(FaultRule(kind="html_403", status=403, **where))

    def decide(self, family: str, path: str) -> Decision:
        """Decide the fate of one request (consumes counts and random draws)."""
        latency = 0.0
        fault = None
        with self._lock:
            for rule in self._rules:
                if not rule.matches(family, path) or not rule.fires():
                    continue
                if rule.kind == "latency":
                    latency += rule.seconds
                    continue
                fault = rule
                break
            self._rules = [r for r in self._rules if r.times != 0]
        return Decision(latency, fault)


def _reset(request: web.Request) -> None:
    transport = request.transport
    if transport is None:
        return
    sock = transport.get_extra_info("socket")
    if sock is not None:  # linger 0: close() sends a RST instead of a FIN
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    transport.abort()


def _status_reply(rule: FaultRule) -> web.Response:
    headers = {}
    if rule.retry_after is not None:
        headers["Retry-After"] = f"{rule.retry_after:g}"
    try:
        phrase = HTTPStatus(rule.status).phrase
    except ValueError:
        phrase = "Error"
    return web.json_response({"error": phrase}, status=rule.status, headers=headers)


def fault_middleware(faults: Faults) -> Middleware:
    """Return the middleware that applies `faults` (see the module docstring)."""

    @web.middleware
    async def inject(request: web.Request, handler: Handler) -> web.StreamResponse:
        exchange = current_exchange()
        decision = faults.decide(exchange.family, request.path)
        if decision.latency:
            await asyncio.sleep(decision.latency)
        rule = decision.fault
        if rule is None:
            return await handler(request)
        exchange.fault = rule.kind
        if rule.kind == "status":
            return _status_reply(rule)
        if rule.kind == "html_403":
            return web.Response(status=403, text=CLOUDFLARE_BLOCK_PAGE, content_type="text/html")
        if rule.kind == "reset":
            _reset(request)
            return web.Response(status=500)  # never written: the connection is gone
        response = await handler(request)  # stall and invalid_json: the work is done
        if rule.kind == "stall":
            await asyncio.sleep(rule.seconds)
            return response
        return web.Response(
            status=response.status, body=TRUNCATED_JSON, content_type="application/json"
        )

    return inject
