"""Bento: the synchronous facade. Every method forwards to AsyncBento through the portal."""

from __future__ import annotations

import atexit
import contextlib
import threading
import weakref
from collections.abc import Callable, Coroutine
from datetime import timedelta
from types import TracebackType
from typing import Any, TypeVar

from bento_async import AsyncBento, ClientClosedError, Hooks, RateLimits, RetryPolicy, Timeouts
from bento_async._config import ClientConfig

from ._portal import LoopThread
from ._resources import (
    Broadcasts,
    Commands,
    Emails,
    EmailTemplates,
    Events,
    Experimental,
    Fields,
    Forms,
    Search,
    Segments,
    Sequences,
    Stats,
    Subscribers,
    Tags,
    Workflows,
)

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


class Bento:
    """The synchronous Bento client, for scripts, notebooks, Django and Celery.

    It owns one event-loop thread and one :class:`~bento_async.AsyncBento` on it;
    every method runs the async method of the same name there. One client is
    safe to share across threads, works inside a thread whose event loop is
    running (a Jupyter cell), and survives ``fork()`` (the child gets a fresh
    loop). Use ``with Bento() as bento:`` or call :meth:`close`; clients left
    open are closed at interpreter exit.

    Takes the same arguments as AsyncBento. Raises ConfigError at construction
    when a credential is missing.
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
        max_connections: int = 100,
        hooks: Hooks | None = None,
    ) -> None:
        kwargs: dict[str, Any] = {
            "publishable_key": publishable_key,
            "secret_key": secret_key,
            "site_uuid": site_uuid,
            "base_url": base_url,
            "timeout": timeout,
            "retry": retry,
            "rate_limits": rate_limits,
            "user_agent": user_agent,
            "max_connections": max_connections,
            "hooks": hooks,
        }
        # Build one client now so configuration errors surface here, in the caller.
        self._make_async: Callable[[], AsyncBento] = lambda: AsyncBento(**kwargs)
        self._async = self._make_async()
        self._generation = 0
        self._loop = LoopThread()
        self._options: dict[str, Any] = {}
        self._root: Bento = self
        self._closed = False
        self._attach_resources()
        with _open_lock:
            _open_clients.add(self)

    def _attach_resources(self) -> None:
        self.subscribers = Subscribers(self)
        self.commands = Commands(self)
        self.tags = Tags(self)
        self.fields = Fields(self)
        self.events = Events(self)
        self.stats = Stats(self)
        self.experimental = Experimental(self)
        self.broadcasts = Broadcasts(self)
        self.emails = Emails(self)
        self.sequences = Sequences(self)
        self.workflows = Workflows(self)
        self.email_templates = EmailTemplates(self)
        self.forms = Forms(self)
        self.search = Search(self)
        self.segments = Segments(self)

    def __repr__(self) -> str:
        return f"Bento(site_uuid={self.config.site_uuid!r}, base_url={self.config.base_url!r})"

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
        if root._loop.thread is not None:
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
