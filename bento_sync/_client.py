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

from bento_async import AsyncBento, Hooks, RateLimits, RetryPolicy, Timeouts
from bento_async._config import ClientConfig
from bento_async.resources import commands as _commands
from bento_async.resources import events as _events
from bento_async.resources import experimental as _experimental
from bento_async.resources import fields as _fields
from bento_async.resources import stats as _stats
from bento_async.resources import subscribers as _subscribers
from bento_async.resources import tags as _tags

from ._forward import SyncResource, forward, forward_chunked, forward_stream
from ._portal import LoopThread

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


class Subscribers(SyncResource):
    """Subscribers: ``get``, ``create``, ``import_many``, ``get_many`` and ``stream_many``."""

    _area = "subscribers"
    get = forward(_subscribers.Subscribers.get)
    create = forward(_subscribers.Subscribers.create)
    import_many = forward_chunked(_subscribers.Subscribers.import_many, interruptible=True)
    get_many = forward_chunked(_subscribers.Subscribers.get_many, "emails", "uuids")
    stream_many = forward_stream(_subscribers.Subscribers.stream_many, "emails", "uuids")


class Commands(SyncResource):
    """Commands change one subscriber each; only ``add_tag_via_event`` fires automations."""

    _area = "commands"
    run = forward_chunked(_commands.Commands.run, interruptible=True)
    add_tag = forward(_commands.Commands.add_tag)
    add_tag_via_event = forward(_commands.Commands.add_tag_via_event)
    remove_tag = forward(_commands.Commands.remove_tag)
    add_field = forward(_commands.Commands.add_field)
    remove_field = forward(_commands.Commands.remove_field)
    subscribe = forward(_commands.Commands.subscribe)
    unsubscribe = forward(_commands.Commands.unsubscribe)
    change_email = forward(_commands.Commands.change_email)


class Tags(SyncResource):
    """Tags: ``list``, ``create`` and ``names_for``."""

    _area = "tags"
    list = forward(_tags.Tags.list)
    create = forward(_tags.Tags.create)
    names_for = forward(_tags.Tags.names_for)


class Fields(SyncResource):
    """Custom field definitions: ``list`` and ``create``."""

    _area = "fields"
    list = forward(_fields.Fields.list)
    create = forward(_fields.Fields.create)


class Events(SyncResource):
    """Events: ``track``, ``track_purchase`` and ``track_many``."""

    _area = "events"
    track = forward(_events.Events.track)
    track_purchase = forward(_events.Events.track_purchase)
    track_many = forward_chunked(_events.Events.track_many, interruptible=True)


class Stats(SyncResource):
    """Statistics: ``site``, ``segment``, ``report`` and ``ads``."""

    _area = "stats"
    site = forward(_stats.Stats.site)
    segment = forward(_stats.Stats.segment)
    report = forward(_stats.Stats.report)
    ads = forward(_stats.Stats.ads)


class Experimental(SyncResource):
    """Experimental utilities: validation, spam rules, gender, geolocation, blacklists,
    moderation."""

    _area = "experimental"
    validate_email = forward(_experimental.Experimental.validate_email)
    jesses_ruleset = forward(_experimental.Experimental.jesses_ruleset)
    guess_gender = forward(_experimental.Experimental.guess_gender)
    geolocate = forward(_experimental.Experimental.geolocate)
    blacklist = forward(_experimental.Experimental.blacklist)
    moderate_content = forward(_experimental.Experimental.moderate_content)


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
            raise RuntimeError("this Bento client is closed")
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
