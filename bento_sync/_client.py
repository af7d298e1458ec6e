"""Bento: the synchronous facade. Every method forwards to AsyncBento on the client's event loop."""

from __future__ import annotations

import atexit
import contextlib
import threading
import warnings
import weakref
from collections.abc import Callable, Coroutine
from datetime import timedelta
from os import PathLike
from ssl import SSLContext
from types import TracebackType
from typing import Any, NoReturn, TypeVar

from bento_async import (
    AsyncBento,
    ClientClosedError,
    ClientConfig,
    Hooks,
    LimiterBackend,
    RateLimits,
    RedisStore,
    RetryPolicy,
    Timeouts,
    Transport,
)
from bento_async._config import client_repr, refuse_pickling, secret_or_none
from bento_async._tls import tls_setting

from ._loop import LoopThread
from .resources import AREAS, Areas

__all__ = ["Bento"]

T = TypeVar("T")

_open_clients: weakref.WeakSet[Bento] = weakref.WeakSet()
_open_lock = threading.Lock()


@atexit.register
def _close_open_clients() -> None:
    with _open_lock:
        clients = list(_open_clients)
    for client in clients:
        with contextlib.suppress(Exception):  # best effort at interpreter exit
            client.close()


class Bento(Areas):
    """The synchronous Bento client, for scripts, notebooks, Django and Celery.

    It owns one event loop and one :class:`~bento_async.AsyncBento` on it; every
    method runs the async method of the same name there. A call made while no other
    thread is in one runs the loop on the calling thread (no thread crossing); calls
    from several threads at once, and the event queue's sender, run on the client's
    own loop thread. One client is safe to share across threads, works inside a thread
    whose event loop is running (a Jupyter cell), and survives ``fork()`` (the child
    gets a fresh loop). Use ``with Bento() as bento:`` or call :meth:`close`; clients
    left open are closed at interpreter exit.

    Takes the same arguments as AsyncBento but ``session`` (an aiohttp session belongs
    to the loop it was made on). A client dropped without close() is released
    when garbage-collected, with a ResourceWarning. Raises ConfigError at construction
    when a credential is missing or a setting is invalid.
    """

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
    ) -> None:
        # Every option goes to AsyncBento as it is (a test keeps the two signatures equal
        # but for ``session``), the keys wrapped so that neither this frame nor the factory
        # below holds a plain key, and ``ssl`` resolved here so that ssl=False warns once,
        # pointing at the caller's line.
        kwargs: dict[str, Any] = dict(locals())
        del kwargs["self"]
        kwargs["publishable_key"] = secret_or_none(publishable_key)
        kwargs["secret_key"] = secret_or_none(secret_key)
        kwargs["ssl"] = tls_setting(ssl)
        del publishable_key, secret_key
        # Build one client now so configuration errors surface here, in the caller.
        self._make_async: Callable[[], AsyncBento] = lambda: AsyncBento(**kwargs)
        self._async = self._make_async()
        self._generation = 0
        self._loop = LoopThread()
        self._options: dict[str, Any] = {}
        self._root: Bento = self
        self._closed = False
        self._attach_resources()
        # A client dropped without close() still ends its loop thread and session.
        self._finalizer = weakref.finalize(self, _release_dropped, self._loop, self._holder())
        self._finalizer.atexit = False  # _close_open_clients covers interpreter exit
        with _open_lock:
            _open_clients.add(self)

    def _holder(self) -> Callable[[], AsyncBento]:
        """Return a getter of the current AsyncBento that keeps no reference to self."""
        ref = weakref.ref(self)
        last = [self._async]

        def current() -> AsyncBento:
            client = ref()
            if client is not None:
                last[0] = client._async
            return last[0]

        return current

    def _attach_resources(self) -> None:
        for area, resource in AREAS:
            setattr(self, area, resource(self))

    def __repr__(self) -> str:
        client = getattr(getattr(self, "_root", None), "_async", None)  # None while building
        return client_repr("Bento", client and client.config)

    def __reduce__(self) -> NoReturn:
        refuse_pickling("Bento", "a session and a loop thread")

    @property
    def config(self) -> ClientConfig:
        """The client's configuration (keys are kept out of its repr)."""
        return self._root._async.config

    def with_options(
        self,
        *,
        timeout: float | timedelta | Timeouts | None = None,
        retry: RetryPolicy | None = None,
        max_wait: float | timedelta | None = None,
    ) -> Bento:
        """Return a view with other per-call options, sharing this client's loop and limits."""
        view = object.__new__(Bento)
        view._root = self._root
        view._options = {
            **self._options,
            **{
                k: v
                for k, v in {"timeout": timeout, "retry": retry, "max_wait": max_wait}.items()
                if v is not None
            },
        }
        view._attach_resources()
        return view

    def _async_client(self) -> AsyncBento:
        """Return the AsyncBento of the current loop (runs on the loop thread)."""
        root = self._root
        if root._generation != root._loop.generation:
            if root._generation != 0:
                # A new loop after fork: the old session belongs to a loop that is gone.
                root._async = root._make_async()
            root._generation = root._loop.generation
        client = root._async
        return client.with_options(**self._options) if self._options else client

    def _run(self, target: Callable[[], Coroutine[Any, Any, T]]) -> T:
        return self._loop_thread().run(target)

    def _loop_thread(self) -> LoopThread:
        root = self._root
        if root._closed:
            raise ClientClosedError("this Bento client is closed")
        return root._loop

    def close(self) -> None:
        """Close the HTTP session and stop the loop thread. Idempotent."""
        root = self._root
        with _open_lock:
            if root._closed:
                return
            root._closed = True
            _open_clients.discard(root)
        root._finalizer.detach()
        if root._loop.started:
            try:
                root._loop.run(root._async_client().aclose)
            finally:
                root._loop.stop()

    def __enter__(self) -> Bento:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _release_dropped(loop: LoopThread, current: Callable[[], AsyncBento]) -> None:
    """Close the session and stop the loop thread of a client collected without close().

    Warns ResourceWarning afterwards (as aiohttp does for an unclosed session), so the
    release happens even where warnings are errors. A client that never sent (no loop,
    no session) or whose loop was its parent's before a fork() holds nothing: silent.
    """
    if not loop.started:
        return
    if loop.inside_loop():
        # Collected inside one of its own calls, which cannot wait for itself: hand it over.
        threading.Thread(target=_stop, args=(loop, current), daemon=True).start()
    else:
        _stop(loop, current)
    warnings.warn(
        "unclosed bento_sync.Bento client: its session and loop thread were released when "
        "it was garbage-collected; call close() or use `with Bento(...) as bento:`",
        ResourceWarning,
        stacklevel=2,
    )


def _stop(loop: LoopThread, current: Callable[[], AsyncBento]) -> None:
    try:
        with contextlib.suppress(Exception):  # best effort: the loop may be gone
            loop.run(current().aclose)
    finally:
        with contextlib.suppress(RuntimeError):
            loop.stop()
