"""BentoEmulator: serve the emulated Bento API on loopback, on the caller's loop or a thread.

Beyond the API itself it has two knobs for resilience tests: rate limits per family
(`rate_limits=`, the `seed` profile by default; see `_limits`) and a fault script
(`emulator.faults`; see `_faults`). Its request log (`emulator.requests`) records what
arrived, when, what it met and why anything was refused. Code in other languages reads
and steers all of this through the control API at `emulator.control_url` (see `_control`).
"""

from __future__ import annotations

import asyncio
import os
import secrets
import threading
import uuid
from collections.abc import Iterable, Mapping
from types import TracebackType
from typing import Literal, TypedDict

from aiohttp import web

from bento_async import RateLimits

from ._app import API_PREFIX, CONTROL_PREFIX, RecordedRequest, RequestLog, create_app
from ._control import add_control_routes
from ._faults import Faults, fault_middleware
from ._fixtures import load_fixtures, read_fixtures
from ._limits import WindowLimits, peak_in_window, rate_limit_middleware
from ._state import EmulatorSettings, EmulatorState, JSONValue

Fixtures = Mapping[str, JSONValue] | str | os.PathLike[str]
UserAgentPolicy = Literal["allow", "warn", "strict"]


class Credentials(TypedDict):
    """What a client needs to reach an emulator: ``AsyncBento(**emulator.credentials)``."""

    publishable_key: str
    secret_key: str
    site_uuid: str
    base_url: str


_THREAD_TIMEOUT = 30.0  # seconds to wait for the server thread to start or stop


class BentoEmulator:
    """A faithful stand-in for the Bento REST API v1, listening on a real socket.

    Use `async with emulator:` (or `await start()` / `await stop()`) to serve from the running
    event loop, or `with emulator:` (or `start_in_thread()` / `stop_in_thread()`) to serve
    from a daemon thread with its own loop, which suits sync code and any other loop.
    Keys and the site uuid are random unless given. `enterprise=True` opens `fetch/search`;
    `authors` may send through `batch/emails` (others get `author_error_status`, 500 as Bento
    answers, or 422). `commands_response="visitor"` answers a command with the subscriber
    (`{"data": ...}`) as the seed guide shows; `"results"` with counts, as Bento does today.
    `fixtures` (a JSON document, or the path of a JSON file; see `_fixtures`) seeds the site
    at construction and again at each `reset()`. `user_agent_policy` treats bare library
    agents (`python-requests/2.31`, `Ruby`): `"warn"` (default) logs one warning per agent,
    `"strict"` answers them the edge's HTML 403, `"allow"` says nothing.

    ``rate_limits`` is enforced per family as a sliding window: a profile name (``"seed"``,
    the default, or ``"docs"``), a :class:`~bento_async.RateLimits` (overrides, short
    periods), or None for no limits. ``faults`` scripts failures (see
    :class:`~bento_emulator.Faults`). ``import_delay`` (seconds) holds each
    `batch/subscribers` import back that long before `fetch/subscribers` shows it, as
    Bento queues imports for minutes.
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        site_uuid: str | None = None,
        publishable_key: str | None = None,
        secret_key: str | None = None,
        commands_response: Literal["results", "visitor"] = "results",
        enterprise: bool = False,
        authors: Iterable[str] = ("jesse@example.com",),
        author_error_status: Literal[500, 422] = 500,
        rate_limits: RateLimits | str | None = "seed",
        fixtures: Fixtures | None = None,
        user_agent_policy: UserAgentPolicy = "warn",
        import_delay: float = 0.0,
    ) -> None:
        if commands_response not in ("results", "visitor"):
            raise ValueError(
                f"commands_response must be 'results' or 'visitor', not {commands_response!r}"
            )
        if author_error_status not in (500, 422):
            raise ValueError(f"author_error_status must be 500 or 422, not {author_error_status!r}")
        if user_agent_policy not in ("allow", "warn", "strict"):
            raise ValueError(
                f"user_agent_policy must be 'allow', 'warn' or 'strict', not {user_agent_policy!r}"
            )
        self._host = host
        self._port = port
        self._settings = EmulatorSettings(
            site_uuid=site_uuid or uuid.uuid4().hex,
            publishable_key=publishable_key or f"pk_test_{secrets.token_hex(16)}",
            secret_key=secret_key or f"sk_test_{secrets.token_hex(16)}",
            commands_response=commands_response,
            enterprise=enterprise,
            authors=frozenset([authors] if isinstance(authors, str) else authors),
            author_error_status=author_error_status,
            user_agent_policy=user_agent_policy,
            import_delay=_non_negative("import_delay", import_delay),
        )
        self._state = EmulatorState()
        if fixtures is not None and not isinstance(fixtures, Mapping):
            fixtures = read_fixtures(fixtures)
        self._fixtures = fixtures
        if fixtures is not None:
            load_fixtures(self._state, fixtures)
        self._log = RequestLog()
        self._limits = WindowLimits(rate_limits)
        self._faults = Faults()
        self._runner: web.AppRunner | None = None
        self._bound_port: int | None = None
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread_lock = threading.Lock()

    def __repr__(self) -> str:
        where = "stopped" if self._bound_port is None else self.base_url
        return f"<BentoEmulator {where}>"

    # -- what tests read -----------------------------------------------------------------

    @property
    def port(self) -> int:
        """Return the port the server listens on. Raises RuntimeError before start."""
        if self._bound_port is None:
            raise RuntimeError("the emulator is not running")
        return self._bound_port

    @property
    def base_url(self) -> str:
        """Return the API base URL, e.g. `http://127.0.0.1:8123/api/v1`. Raises before start."""
        return f"http://{self._host}:{self.port}{API_PREFIX}"

    @property
    def control_url(self) -> str:
        """Return the control API's base URL, e.g. `http://127.0.0.1:8123/_emulator`."""
        return f"http://{self._host}:{self.port}{CONTROL_PREFIX}"

    @property
    def site_uuid(self) -> str:
        """Return the site uuid the emulator accepts."""
        return self._settings.site_uuid

    @property
    def publishable_key(self) -> str:
        """Return the publishable key (the Basic auth user name)."""
        return self._settings.publishable_key

    @property
    def secret_key(self) -> str:
        """Return the secret key (the Basic auth password)."""
        return self._settings.secret_key

    @property
    def settings(self) -> EmulatorSettings:
        """Return the site identity and behaviour switches."""
        return self._settings

    @property
    def credentials(self) -> Credentials:
        """Return publishable_key, secret_key, site_uuid and base_url, as a client takes them."""
        return {
            "publishable_key": self.publishable_key,
            "secret_key": self.secret_key,
            "site_uuid": self.site_uuid,
            "base_url": self.base_url,
        }

    @property
    def state(self) -> EmulatorState:
        """Return the emulated site's data."""
        return self._state

    @property
    def requests(self) -> list[RecordedRequest]:
        """Return a copy of the log of requests answered so far, oldest first."""
        return self._log.snapshot()

    @property
    def faults(self) -> Faults:
        """Return the fault script: ``emulator.faults.fail_next(2, status=503)`` and so on."""
        return self._faults

    @property
    def rate_limits(self) -> RateLimits | None:
        """Return the limits enforced per family (None: no limits)."""
        return self._limits.rate_limits

    @rate_limits.setter
    def rate_limits(self, value: RateLimits | str | None) -> None:
        """Enforce other limits from now on, with empty windows."""
        self._limits.configure(value)

    def peak_window(self, family: str) -> int:
        """Return the most requests of ``family`` the log shows in any window of its period.

        Refused requests count, as they do for the limit. Raises ValueError when the
        family has no limit (no period to measure against).
        """
        period = self._limits.period_of(family)
        if period is None:
            raise ValueError(f"the {family!r} family has no rate limit")
        return peak_in_window((r.received_at for r in self.requests if r.family == family), period)

    def reset(self) -> None:
        """Forget all data and the request log, then load the constructor's fixtures again.

        Faults and rate limits stay.
        """
        self._state.reset()
        self._log.clear()
        if self._fixtures is not None:
            load_fixtures(self._state, self._fixtures)

    def load_fixtures(self, document: Fixtures) -> dict[str, int]:
        """Seed the site from a fixtures document or JSON file; return the counts per area.

        Raises FixtureError (a ValueError) naming the first item that cannot be loaded.
        """
        if not isinstance(document, Mapping):
            document = read_fixtures(document)
        return load_fixtures(self._state, document)

    # -- serving on the caller's loop ----------------------------------------------------

    async def start(self) -> None:
        """Start serving on the running loop. Raises RuntimeError if already running."""
        if self._runner is not None:
            raise RuntimeError("the emulator is already running")
        extra = (rate_limit_middleware(self._limits), fault_middleware(self._faults))
        app = create_app(self._state, self._settings, self._log, extra=extra)
        add_control_routes(app, self)
        runner = web.AppRunner(app, handle_signals=False, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        try:
            await web.TCPSite(runner, self._host, self._port).start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        self._bound_port = int(runner.addresses[0][1])

    async def stop(self) -> None:
        """Stop serving and close open connections; does nothing when not running.

        Raises RuntimeError when the emulator was started with `start_in_thread()`.
        """
        if self._thread is not None and threading.current_thread() is not self._thread:
            raise RuntimeError("the emulator serves from a thread: use stop_in_thread()")
        runner, self._runner, self._bound_port = self._runner, None, None
        if runner is not None:
            await runner.cleanup()

    async def __aenter__(self) -> BentoEmulator:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()

    # -- serving from a thread -----------------------------------------------------------

    def start_in_thread(self) -> None:
        """Start serving from a new daemon thread running its own event loop."""
        with self._thread_lock:
            if self._thread is not None or self._runner is not None:
                raise RuntimeError("the emulator is already running")
            loop = asyncio.new_event_loop()
            thread = threading.Thread(
                target=_run_loop, args=(loop,), name="bento-emulator", daemon=True
            )
            thread.start()
            try:
                asyncio.run_coroutine_threadsafe(self.start(), loop).result(_THREAD_TIMEOUT)
            except BaseException:
                _stop_loop(loop, thread)
                raise
            self._loop, self._thread = loop, thread

    def stop_in_thread(self) -> None:
        """Stop the server thread and wait for it to end; does nothing when not running."""
        with self._thread_lock:
            loop, thread = self._loop, self._thread
            if loop is None or thread is None:
                return
            try:
                asyncio.run_coroutine_threadsafe(self.stop(), loop).result(_THREAD_TIMEOUT)
            finally:
                self._loop = self._thread = None
                _stop_loop(loop, thread)

    def __enter__(self) -> BentoEmulator:
        self.start_in_thread()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop_in_thread()


def _non_negative(name: str, value: float) -> float:
    if not (isinstance(value, (int, float)) and value >= 0):
        raise ValueError(f"{name} must be a non-negative number of seconds, not {value!r}")
    return float(value)


def _run_loop(loop: asyncio.AbstractEventLoop) -> None:
    """Run a server thread's loop until stopped, then release everything it holds."""
    asyncio.set_event_loop(loop)
    try:
        loop.run_forever()
    finally:
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.run_until_complete(loop.shutdown_default_executor())
        asyncio.set_event_loop(None)
        loop.close()


def _stop_loop(loop: asyncio.AbstractEventLoop, thread: threading.Thread) -> None:
    loop.call_soon_threadsafe(loop.stop)
    thread.join(_THREAD_TIMEOUT)
