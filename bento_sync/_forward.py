"""Forwarders: sync methods that run the async methods of the same name through the portal.

No behaviour lives here. Three kinds, each a descriptor whose bound form has the async
method's parameters, so mypy sees plain types where the async client has awaitables:

- ``forward(AsyncX.method)`` for a coroutine method: the sync twin returns its result;
- ``forward_pages(AsyncX.pages)`` for an async iterator of pages: the sync twin returns a
  plain iterator, and each page crosses the portal on its own;
- ``forward_items(AsyncX.iter, pages=AsyncX.pages)`` for an async iterator of items: the
  sync twin iterates the *pages* twin through the portal and yields each page's items
  locally, so a page of 100 items costs one portal crossing, not 100.

Leaving a sync iterator early (``break``, an exception, garbage collection) closes the
async generator on the loop at once.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
from collections.abc import AsyncIterator, Callable, Coroutine, Iterable, Iterator
from typing import TYPE_CHECKING, Any, Concatenate, Generic, ParamSpec, TypeVar, overload

from bento_async._bulk import check_input
from bento_async._errors import InputIssue
from bento_async._validate import raise_if
from bento_async.models.pages import Page

from ._chunks import run_chunked, stream_chunked

if TYPE_CHECKING:
    from ._client import Bento

__all__ = [
    "SyncResource",
    "forward",
    "forward_chunked",
    "forward_items",
    "forward_pages",
    "forward_stream",
]

P = ParamSpec("P")
T = TypeVar("T")
R = TypeVar("R")


class SyncResource:
    """A sync resource namespace: forwards to the async resource named ``_area``."""

    _area: str

    def __init__(self, bento: Bento) -> None:
        self._bento = bento

    def __repr__(self) -> str:
        return f"<sync {type(self).__name__} of {self._bento!r}>"


def sync_signature(fn: Callable[..., Any]) -> inspect.Signature:
    """Return the signature of ``fn``'s sync twin: no ``self``; ``AsyncIterator[X]`` in the
    return annotation becomes ``Iterator[X]``."""
    signature = inspect.signature(fn)
    params = list(signature.parameters.values())[1:]
    returns = signature.return_annotation
    if isinstance(returns, str) and returns.startswith("AsyncIterator["):
        returns = returns[len("Async") :]
    return signature.replace(parameters=params, return_annotation=returns)


class _ForwardBase(Generic[P, R]):
    """What every forwarder shares: the async method, its name and the sync signature."""

    def __init__(self, fn: Callable[Concatenate[Any, P], Any]) -> None:
        self._fn = fn
        self._name = fn.__name__
        self.__doc__ = fn.__doc__
        self.__wrapped__ = fn
        self.__signature__ = sync_signature(fn)

    def __set_name__(self, owner: type, name: str) -> None:
        if name != self._name:
            raise TypeError(f"{owner.__name__}.{name} forwards to a method named {self._name}")

    @overload
    def __get__(self, obj: None, owner: type) -> _ForwardBase[P, R]: ...

    @overload
    def __get__(self, obj: SyncResource, owner: type) -> Callable[P, R]: ...

    def __get__(self, obj: SyncResource | None, owner: type) -> _ForwardBase[P, R] | Callable[P, R]:
        if obj is None:
            return self
        bound = self._bind(obj._bento, obj._area)
        call = functools.wraps(self._fn)(bound)
        call.__signature__ = self.__signature__  # type: ignore[attr-defined]
        # Kept on the instance, which shadows this (non-data) descriptor from now on:
        # building the wrapper costs more than a fast call's forwarding.
        obj.__dict__[self._name] = call
        return call

    def _bind(self, bento: Bento, area: str) -> Callable[P, R]:
        raise NotImplementedError


class _Forward(_ForwardBase[P, T]):
    """Forwards a coroutine method; the sync twin returns its awaited result."""

    def __init__(self, fn: Callable[Concatenate[Any, P], Coroutine[Any, Any, T]]) -> None:
        super().__init__(fn)

    def _bind(self, bento: Bento, area: str) -> Callable[P, T]:
        name = self._name

        def call(*args: P.args, **kwargs: P.kwargs) -> T:
            def target() -> Coroutine[Any, Any, T]:
                method = getattr(getattr(bento._async_client(), area), name)
                coro: Coroutine[Any, Any, T] = method(*args, **kwargs)
                return coro

            return bento._run(target)

        return call


async def _next(agen: AsyncIterator[T]) -> tuple[bool, T | None]:
    try:
        return False, await agen.__anext__()
    except StopAsyncIteration:
        return True, None


def _iterate(bento: Bento, area: str, name: str, args: Any, kwargs: Any) -> Iterator[Any]:
    """Drive ``bento_async``'s ``area.name(*args, **kwargs)`` one value per portal crossing."""

    async def start() -> AsyncIterator[Any]:
        method = getattr(getattr(bento._async_client(), area), name)
        agen: AsyncIterator[Any] = method(*args, **kwargs)
        return agen

    agen = bento._run(start)
    try:
        while True:
            done, value = bento._run(functools.partial(_next, agen))
            if done:
                return
            yield value
    finally:
        aclose = getattr(agen, "aclose", None)
        if aclose is not None:
            # A closed client (or a call from the loop thread) cannot run it; the loop's own
            # shutdown then closes the generator.
            with contextlib.suppress(RuntimeError):
                bento._run(aclose)


class _ForwardPages(_ForwardBase[P, Iterator[T]]):
    """Forwards an async iterator method; every value crosses the portal on its own."""

    def __init__(self, fn: Callable[Concatenate[Any, P], AsyncIterator[T]]) -> None:
        super().__init__(fn)

    def _bind(self, bento: Bento, area: str) -> Callable[P, Iterator[T]]:
        name = self._name

        def call(*args: P.args, **kwargs: P.kwargs) -> Iterator[T]:
            return _iterate(bento, area, name, args, kwargs)

        return call


class _ForwardItems(_ForwardBase[P, Iterator[T]]):
    """Forwards an async item iterator through its pages twin, a page per portal crossing."""

    def __init__(
        self,
        fn: Callable[Concatenate[Any, P], AsyncIterator[T]],
        pages: Callable[Concatenate[Any, P], AsyncIterator[Page[T]]],
    ) -> None:
        super().__init__(fn)
        self.pages = pages

    def _bind(self, bento: Bento, area: str) -> Callable[P, Iterator[T]]:
        pages_name = self.pages.__name__

        def call(*args: P.args, **kwargs: P.kwargs) -> Iterator[T]:
            return _items(_iterate(bento, area, pages_name, args, kwargs))

        return call


def _items(pages: Iterator[Page[T]]) -> Iterator[T]:
    with contextlib.closing(pages):  # type: ignore[type-var]
        for page in pages:
            yield from page.items


def forward(fn: Callable[Concatenate[Any, P], Coroutine[Any, Any, T]]) -> _Forward[P, T]:
    """Return a sync forwarder for the coroutine method ``fn``."""
    return _Forward(fn)


def forward_pages(fn: Callable[Concatenate[Any, P], AsyncIterator[T]]) -> _ForwardPages[P, T]:
    """Return a sync forwarder for the async iterator method ``fn`` (pages, typically)."""
    return _ForwardPages(fn)


def forward_items(
    fn: Callable[Concatenate[Any, P], AsyncIterator[T]],
    *,
    pages: Callable[Concatenate[Any, P], AsyncIterator[Page[T]]],
) -> _ForwardItems[P, T]:
    """Return a sync forwarder for the item iterator ``fn`` that fetches through ``pages``.

    ``pages`` must take the same arguments as ``fn`` (the parity test checks it).
    """
    return _ForwardItems(fn, pages)


# -- bulk forwarders: the caller's thread reads the input, the loop gets it a chunk at a time


def _bulk_arguments(
    signature: inspect.Signature, inputs: tuple[str, ...], args: Any, kwargs: Any
) -> tuple[str | None, dict[str, Any]]:
    """Bind a call; return the one input parameter given (None unless exactly one) and all."""
    bound = signature.bind(*args, **kwargs)
    bound.apply_defaults()
    arguments = dict(bound.arguments)
    given = [name for name in inputs if arguments.get(name) is not None]
    return (given[0] if len(given) == 1 else None), arguments


def _check_sync_input(items: object, name: str) -> None:
    """Require a plain iterable: the sync client reads it in the caller's thread."""
    issues: list[InputIssue] = []
    check_input(items, name, issues)
    if not issues and not isinstance(items, Iterable):
        issues.append(InputIssue(name, "the sync client takes a plain iterable, not an async one"))
    raise_if(issues)


def _shuttle_size(arguments: dict[str, Any]) -> int:
    """How many items cross the portal at once: a chunk, or at least 100 lookups' worth."""
    size = arguments.get("chunk_size", arguments.get("concurrency"))
    if not isinstance(size, int) or size < 1:
        return 1  # the async method rejects it before asking for any input
    return size if "chunk_size" in arguments else max(size, 100)


class _ChunkedForward(_Forward[P, T]):
    """Forwards a bulk coroutine method, feeding its input from the caller's thread.

    ``inputs`` names the parameters that may carry the input (exactly one is
    given per call). An ``on_progress`` callback runs in the caller's thread.
    With ``interruptible``, Ctrl-C ends the call between chunks and raises
    BulkInterruptedError with the partial result.
    """

    def __init__(
        self,
        fn: Callable[Concatenate[Any, P], Coroutine[Any, Any, T]],
        inputs: tuple[str, ...],
        interruptible: bool,
    ) -> None:
        super().__init__(fn)
        self._inputs = inputs or (next(iter(self.__signature__.parameters)),)
        self._interruptible = interruptible

    def _bind(self, bento: Bento, area: str) -> Callable[P, T]:
        name, signature = self._name, self.__signature__

        def call(*args: P.args, **kwargs: P.kwargs) -> T:
            given, arguments = _bulk_arguments(signature, self._inputs, args, kwargs)

            def start(feed: object = None) -> Coroutine[Any, Any, T]:
                method = getattr(getattr(bento._async_client(), area), name)
                if feed is not None and given is not None:
                    arguments[given] = feed
                    if arguments.get("on_progress") is not None:
                        arguments["on_progress"] = feed.note  # type: ignore[attr-defined]
                coro: Coroutine[Any, Any, T] = method(**arguments)
                return coro

            if given is None:  # nothing to feed: the async method reports the bad arguments
                return bento._run(start)
            items = arguments[given]
            _check_sync_input(items, given)
            return run_chunked(
                bento._loop_thread(),
                start,
                items,
                size=_shuttle_size(arguments),
                on_progress=arguments.get("on_progress"),
                interruptible=self._interruptible,
            )

        return call


def forward_chunked(
    fn: Callable[Concatenate[Any, P], Coroutine[Any, Any, T]],
    *inputs: str,
    interruptible: bool = False,
) -> _Forward[P, T]:
    """Return a sync forwarder for a bulk method whose input (default: the first
    parameter) crosses to the loop a chunk at a time."""
    return _ChunkedForward(fn, inputs, interruptible)


class _StreamForward(_ForwardBase[P, Iterator[T]]):
    """Forwards a method returning an async iterator as one returning a plain iterator.

    The input named by ``inputs`` is read in the caller's thread as it iterates;
    outcomes come back a batch at a time.
    """

    def __init__(
        self, fn: Callable[Concatenate[Any, P], AsyncIterator[T]], inputs: tuple[str, ...]
    ) -> None:
        super().__init__(fn)
        self._inputs = inputs

    def _bind(self, bento: Bento, area: str) -> Callable[P, Iterator[T]]:
        name, signature = self._name, self.__signature__

        def call(*args: P.args, **kwargs: P.kwargs) -> Iterator[T]:
            given, arguments = _bulk_arguments(signature, self._inputs, args, kwargs)

            def start(feed: object = None) -> AsyncIterator[T]:
                method = getattr(getattr(bento._async_client(), area), name)
                if feed is not None and given is not None:
                    arguments[given] = feed
                stream: AsyncIterator[T] = method(**arguments)
                return stream

            if given is None:  # nothing to feed: the async method reports the bad arguments

                async def fail() -> Iterator[T]:
                    start()
                    return iter(())

                return bento._run(fail)
            items = arguments[given]
            _check_sync_input(items, given)
            return stream_chunked(bento._loop_thread(), start, items, size=_shuttle_size(arguments))

        return call


def forward_stream(
    fn: Callable[Concatenate[Any, P], AsyncIterator[T]], *inputs: str
) -> _StreamForward[P, T]:
    """Return a sync forwarder that turns a method's async iterator into a plain iterator."""
    return _StreamForward(fn, inputs)
