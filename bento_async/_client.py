"""AsyncBento: lifecycle, resources, and the single send path."""

from __future__ import annotations

import asyncio
import logging
import random
import typing
import weakref
from collections.abc import Callable
from datetime import timedelta
from os import PathLike
from ssl import SSLContext
from types import TracebackType
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import attrs
import cattrs

from ._config import (
    ClientConfig,
    Network,
    RateLimits,
    RedisStore,
    RetryPolicy,
    Timeouts,
    client_repr,
    refuse_pickling,
    seconds,
    secret_or_none,
)
from ._errors import (
    ApiError,
    DecodeError,
    RateLimitError,
    RateLimitWaitError,
    TransportError,
)
from ._fatal import departing
from ._hooks import Hooks, RequestEvent, ResponseEvent, RetryEvent
from ._http import Request, Response, decode_json, error_for
from ._queue import EventQueue
from ._ratelimit import LimiterBackend, Limiters, Permit
from ._redis_store import RedisLimiters, check_redis_installed
from ._retry import Decision, decide, parse_retry_after
from ._sendline import SendLine, pool_size
from ._tls import tls_setting
from ._transport import AiohttpTransport, Transport
from .resources._base import ResourceBase
from .resources.broadcasts import Broadcasts
from .resources.commands import Commands
from .resources.email_templates import EmailTemplates
from .resources.emails import Emails
from .resources.events import Events
from .resources.experimental import Experimental
from .resources.fields import Fields
from .resources.forms import Forms
from .resources.search import Search
from .resources.segments import Segments
from .resources.sequences import Sequences
from .resources.stats import Stats
from .resources.subscribers import Subscribers
from .resources.tags import TagCache, Tags
from .resources.workflows import Workflows

if TYPE_CHECKING:
    import aiohttp

__all__ = ["AsyncBento"]

log = logging.getLogger("bento_async")

T = TypeVar("T")

_Outcome = tuple["ApiError | TransportError | None", "Response | None"]
# A straight-line first attempt: its permit and outcome.
_First = tuple[Permit, "ApiError | TransportError | None", "Response | None"]


class _Shared:
    """What every view of one client shares: transport, limiters, hooks, caches."""

    def __init__(
        self,
        config: ClientConfig,
        transport: Transport,
        hooks: Hooks,
        limiter: LimiterBackend,
        connections: int | None,
    ) -> None:
        self.config = config
        self.transport = transport
        self.hooks = hooks
        self.limiters = SendLine(limiter, config.rate_limits, connections)
        self.tag_cache = TagCache()
        self.queues: weakref.WeakSet[EventQueue] = weakref.WeakSet()


def _limiter_for(config: ClientConfig, given: LimiterBackend | None) -> LimiterBackend:
    """Return the limiter backend: the one given, Redis when a store is set, else in-process."""
    if given is not None:
        return given
    if config.rate_limit_store is None:
        return Limiters(config.rate_limits)
    check_redis_installed()
    return RedisLimiters(config.rate_limit_store, config.rate_limits, config.site_uuid)


class AsyncBento:
    """The asynchronous Bento client.

    Use it as ``async with AsyncBento(...) as bento:``, or call :meth:`aclose`.
    Credentials fall back to ``BENTO_PUBLISHABLE_KEY``, ``BENTO_SECRET_KEY``,
    ``BENTO_SITE_UUID`` and ``BENTO_BASE_URL``. One client is meant to be shared
    by every task of one event loop: its rate limits are per client, unless
    ``rate_limit_store`` (a Redis URL, a :class:`RedisStore`, or any limiter backend
    object; ``BENTO_RATE_LIMIT_STORE`` stands in for it) shares them between every
    client of the site, in any process. ``max_connections`` defaults to room for
    every family's burst (at least 100); a request takes its connection before its
    rate-limit slot, so the limits hold at the moment requests leave.

    Network: ``proxy`` (else, with ``trust_env``, the ``HTTP(S)_PROXY`` / ``NO_PROXY``
    variables), ``ssl`` (an SSLContext, a CA bundle path, or False: no verification, with
    an InsecureTLSWarning) and ``session`` (your own aiohttp session, never closed here).
    ``max_response_bytes`` caps what is read of a reply (16 MiB by default). A client
    cannot be pickled: build one per process.

    Raises ConfigError when a credential is missing or a setting is invalid.
    """

    subscribers: Subscribers
    commands: Commands
    tags: Tags
    fields: Fields
    events: Events
    stats: Stats
    experimental: Experimental
    broadcasts: Broadcasts
    emails: Emails
    sequences: Sequences
    workflows: Workflows
    email_templates: EmailTemplates
    forms: Forms
    search: Search
    segments: Segments

    def __init__(
        self,
        *,
        publishable_key: str | None = None,
        secret_key: str | None = None,
        site_uuid: str | None = None,
        base_url: str | None = None,
        timeout: float | timedelta | Timeouts | None = None,
        retry: RetryPolicy | None = None,
        rate_limits: RateLimits | str | None = None,
        user_agent: str | None = None,
        max_connections: int | None = None,
        hooks: Hooks | None = None,
        transport: Transport | None = None,
        rate_limit_store: str | RedisStore | LimiterBackend | None = None,
        max_response_bytes: int | None = None,
        proxy: str | None = None,
        trust_env: bool = True,
        ssl: SSLContext | str | PathLike[str] | bool | None = None,
        session: aiohttp.ClientSession | None = None,
    ) -> None:
        keys = (secret_or_none(publishable_key), secret_or_none(secret_key))
        # The plain keys stay out of this frame's locals (tracebacks rendered with locals).
        del publishable_key, secret_key
        if isinstance(rate_limits, str):
            rate_limits = RateLimits.profile(rate_limits)
        backend = None
        if rate_limit_store is not None and not isinstance(rate_limit_store, (str, RedisStore)):
            backend, rate_limit_store = rate_limit_store, None
        config = ClientConfig.resolve(
            publishable_key=keys[0],
            secret_key=keys[1],
            site_uuid=site_uuid,
            base_url=base_url,
            timeouts=_timeouts(timeout),
            retry=retry,
            rate_limits=rate_limits,
            user_agent=user_agent,
            rate_limit_store=rate_limit_store,
            max_response_bytes=max_response_bytes,
        )
        network = Network(proxy, trust_env, tls_setting(ssl), session)
        connections = None
        if transport is None:
            connections = pool_size(config.rate_limits, max_connections)
            transport = AiohttpTransport(config, max_connections=connections, network=network)
        limiter = _limiter_for(config, backend)
        self._shared = _Shared(config, transport, hooks or Hooks(), limiter, connections)
        self._timeouts = config.timeouts
        self._retry = config.retry
        self._max_wait: float | None = None
        self._attach_resources()

    def _attach_resources(self) -> None:
        for area, resource in AREAS:
            setattr(self, area, resource(self))

    def __repr__(self) -> str:
        shared = getattr(self, "_shared", None)  # None while __init__ has not finished
        return client_repr("AsyncBento", shared and shared.config)

    def __reduce__(self) -> NoReturn:
        refuse_pickling("AsyncBento", "a session and an event loop")

    @property
    def config(self) -> ClientConfig:
        """The client's configuration (keys are kept out of its repr)."""
        return self._shared.config

    def with_options(
        self,
        *,
        timeout: float | timedelta | Timeouts | None = None,
        retry: RetryPolicy | None = None,
        max_wait: float | timedelta | None = None,
    ) -> AsyncBento:
        """Return a view of this client with other per-call options.

        The view shares the session, rate limits and caches; closing either
        closes both. ``max_wait`` caps the wait for a rate-limit slot: past it a
        call raises RateLimitWaitError instead of waiting.
        """
        view = object.__new__(AsyncBento)
        view._shared = self._shared
        view._timeouts = _timeouts(timeout) or self._timeouts
        view._retry = retry or self._retry
        view._max_wait = self._max_wait if max_wait is None else seconds(max_wait)
        view._attach_resources()
        return view

    async def __aenter__(self) -> AsyncBento:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the client's event queues (flushing them), then the HTTP session and the
        rate-limit store's connections. Idempotent."""
        for queue in list(self._shared.queues):
            await queue.close()
        await self._shared.transport.aclose()
        await self._shared.limiters.aclose()

    async def _call(self, request: Request, parse: Callable[[Any], T]) -> T:
        """Send a request through the limiter with retries; parse the JSON body.

        The single send path: every API call goes through here. Each attempt takes
        a rate-limit slot; :func:`~bento_async._retry.decide` says what follows a
        failure (stop, sleep, or cool the family down); the final error carries the
        attempt count and the last Retry-After.

        With no deadline, ``max_wait``, hooks or debug log (the common case) the first
        attempt is made right here, in this frame: a success settles its permit and
        returns, and only a failure goes on to the retry loop. What ``_attempt`` does
        around the send, bar hooks, timeouts and logs, is done here too.
        """
        if not self._straight():
            return await self._retrying(request, parse, None)
        permit = await self._shared.limiters.acquire(request.family, request.emails)
        departing()  # a bulk run now counts this chunk as sent (it may be processed)
        try:
            response = await self._shared.transport.send(request, self._timeouts)
        except TransportError as exc:
            return await self._retrying(request, parse, (permit, exc, None))
        except BaseException:  # cancelled, or failed outside the transport
            permit.settle(None)
            raise
        if response.status in (200, 201):
            permit.settle(False)
            return _parse(request, response, parse)
        retry_after = parse_retry_after(response.headers.get("retry-after"))
        error = error_for(request, response, retry_after=retry_after)
        return await self._retrying(request, parse, (permit, error, response))

    async def _retrying(
        self, request: Request, parse: Callable[[Any], T], first: _First | None
    ) -> T:
        """The send loop (see ``_call``), carrying on from a failed first attempt made there."""
        loop = asyncio.get_running_loop()
        start = loop.time()
        attempt = 0
        last_retry_after: float | None = None
        while True:
            if first is not None:
                (permit, error, response), first = first, None
            else:
                permit = await self._acquire(request, start, attempt, last_retry_after)
                try:
                    error, response = await self._attempt(request, attempt + 1, start)
                except BaseException:  # cancelled, or failed outside the transport
                    permit.settle(None)
                    raise
            attempt += 1
            if error is None:
                permit.settle(False)
                assert response is not None
                return _parse(request, response, parse)
            if error.retry_after is not None:
                last_retry_after = error.retry_after
            decision = decide(
                error,
                attempt=attempt,
                policy=self._retry,
                idempotent=request.idempotent,
                elapsed=loop.time() - start,
                jitter=random.random(),
            )
            self._carry_out(decision, permit, request, error, attempt)
            if not decision.retry:
                raise _final(error, attempt, last_retry_after)
            if not decision.cooldown:
                await asyncio.sleep(decision.wait)

    def _straight(self) -> bool:
        """Whether a first attempt may take the straight line: no deadline, ``max_wait``,
        hooks or debug log (the common case)."""
        hooks = self._shared.hooks
        return (
            self._retry.deadline is None
            and self._max_wait is None
            and not hooks.on_request
            and not hooks.on_response
            and not log.isEnabledFor(logging.DEBUG)
        )

    async def _acquire(
        self, request: Request, start: float, attempt: int, last_retry_after: float | None
    ) -> Permit:
        """Take a rate-limit slot, waiting at most ``max_wait`` and the deadline's rest."""
        policy = self._retry
        elapsed = asyncio.get_running_loop().time() - start
        left = None if policy.deadline is None else policy.deadline - elapsed
        try:
            return await self._shared.limiters.acquire(
                request.family, request.emails, max_wait=_min(self._max_wait, left)
            )
        except RateLimitWaitError as exc:
            exc.attempts, exc.retry_after = attempt, last_retry_after
            raise

    def _carry_out(
        self,
        decision: Decision,
        permit: Permit,
        request: Request,
        error: ApiError | TransportError,
        attempt: int,
    ) -> None:
        """Open the family's cooldown after a 429, settle the permit, report a retry.

        The cooldown opens before the permit settles, so a probe's 429 closes the
        gate again before the callers parked behind it are let go.
        """
        if decision.cooldown:
            self._shared.limiters.cooldown(request.family, decision.wait)
        permit.settle(isinstance(error, RateLimitError))
        if not decision.retry:
            return
        self._shared.hooks.on_retry(
            RetryEvent(request.method, request.path, request.family, attempt, decision.wait, error)
        )
        log.debug(
            "bento %s %s: attempt %d failed (%s); retrying in %.2fs",
            request.method,
            request.path,
            attempt,
            error,
            decision.wait,
        )

    async def _attempt(self, request: Request, attempt: int, start: float) -> _Outcome:
        shared = self._shared
        loop = asyncio.get_running_loop()
        timeouts = self._timeouts
        if self._retry.deadline is not None:
            left = self._retry.deadline - (loop.time() - start)
            if left < timeouts.total:
                timeouts = Timeouts(
                    connect=min(timeouts.connect, max(left, 0.001)), total=max(left, 0.001)
                )
        hooks = shared.hooks
        if hooks.on_request:
            hooks.on_request(RequestEvent(request.method, request.path, request.family, attempt))
        sent = loop.time()
        departing()  # a bulk run now counts this chunk as sent (it may be processed)
        try:
            response = await shared.transport.send(request, timeouts)
        except TransportError as exc:
            elapsed = loop.time() - sent
            if hooks.on_response:
                hooks.on_response(
                    ResponseEvent(
                        request.method, request.path, request.family, attempt, None, elapsed
                    )
                )
            log.debug("bento %s %s: %s", request.method, request.path, exc)
            return exc, None
        elapsed = loop.time() - sent
        if hooks.on_response:
            hooks.on_response(
                ResponseEvent(
                    request.method, request.path, request.family, attempt, response.status, elapsed
                )
            )
        if log.isEnabledFor(logging.DEBUG):
            log.debug(
                "bento %s %s -> %d in %.3fs (attempt %d)",
                request.method,
                request.path,
                response.status,
                elapsed,
                attempt,
            )
        retry_after = parse_retry_after(response.headers.get("retry-after"))
        return error_for(request, response, retry_after=retry_after), response


# The API areas, as AsyncBento declares them above: the one list both clients read
# (bento_sync's resources are generated from it by tools/sync_api.py).
AREAS: tuple[tuple[str, type[ResourceBase]], ...] = tuple(
    (area, resource)
    for area, resource in typing.get_type_hints(AsyncBento).items()
    if isinstance(resource, type) and issubclass(resource, ResourceBase)
)


def _parse(request: Request, response: Response, parse: Callable[[Any], T]) -> T:
    payload = decode_json(request, response)
    try:
        return parse(payload)
    except (cattrs.BaseValidationError, ValueError, TypeError, KeyError, RecursionError) as exc:
        detail = (
            cattrs.transform_error(exc)
            if isinstance(exc, cattrs.BaseValidationError)
            else [str(exc)]
        )
        raise DecodeError(
            "response did not fit the expected shape: " + "; ".join(detail),
            method=request.method,
            path=request.path,
            status=response.status,
            body=response.text(200),
        ) from exc


def _final(
    error: ApiError | TransportError, attempts: int, retry_after: float | None
) -> ApiError | TransportError:
    """Stamp the error a call gives up with: attempts made and the last Retry-After."""
    error.attempts = attempts
    if error.retry_after is None:
        error.retry_after = retry_after
    return error


def _min(a: float | None, b: float | None) -> float | None:
    if a is None:
        return b
    if b is None:
        return a
    return min(a, b)


def _timeouts(value: float | timedelta | Timeouts | None) -> Timeouts | None:
    if value is None or isinstance(value, Timeouts):
        return value
    total = seconds(value)
    return attrs.evolve(Timeouts(), total=total, connect=min(Timeouts().connect, total))
