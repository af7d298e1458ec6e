"""Forwarders: sync methods that run the async methods of the same name through the portal.

No behaviour lives here. ``forward(AsyncX.method)`` makes a descriptor whose
bound form has the async method's parameters and its awaited return type, so
mypy sees ``Subscriber | None`` where the async client has
``Awaitable[Subscriber | None]``.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import AsyncIterator, Callable, Coroutine, Iterable, Iterator
from typing import TYPE_CHECKING, Any, Concatenate, Generic, ParamSpec, TypeVar, overload

from bento_async._bulk import check_input
from bento_async._errors import InputIssue
from bento_async._validate import raise_if

from ._chunks import run_chunked, stream_chunked

if TYPE_CHECKING:
    from ._client import Bento

__all__ = ["SyncResource", "forward", "forward_chunked", "forward_stream"]

P = ParamSpec("P")
T = TypeVar("T")


class SyncResource:
    """A sync resource namespace: forwards to the async resource named ``_area``."""

    _area: str

    def __init__(self, bento: Bento) -> None:
        self._bento = bento

    def __repr__(self) -> str:
        return f"<sync {type(self).__name__} of {self._bento!r}>"


class _Forward(Generic[P, T]):
    def __init__(self, fn: Callable[Concatenate[Any, P], Coroutine[Any, Any, T]]) -> None:
        self._fn = fn
        self._name = fn.__name__
        self.__doc__ = fn.__doc__
        self.__wrapped__ = fn
        params = list(inspect.signature(fn).parameters.values())[1:]
        self.__signature__ = inspect.signature(fn).replace(parameters=params)

    def __set_name__(self, owner: type, name: str) -> None:
        if name != self._name:
            raise TypeError(f"{owner.__name__}.{name} forwards to a method named {self._name}")

    @overload
    def __get__(self, obj: None, owner: type) -> _Forward[P, T]: ...

    @overload
    def __get__(self, obj: SyncResource, owner: type) -> Callable[P, T]: ...

    def __get__(self, obj: SyncResource | None, owner: type) -> _Forward[P, T] | Callable[P, T]:
        if obj is None:
            return self
        bento, area, name = obj._bento, obj._area, self._name

        @functools.wraps(self._fn)
        def call(*args: P.args, **kwargs: P.kwargs) -> T:
            def target() -> Coroutine[Any, Any, T]:
                method = getattr(getattr(bento._async_client(), area), name)
                coro: Coroutine[Any, Any, T] = method(*args, **kwargs)
                return coro

            return bento._run(target)

        call.__signature__ = self.__signature__  # type: ignore[attr-defined]
        return call


def forward(fn: Callable[Concatenate[Any, P], Coroutine[Any, Any, T]]) -> _Forward[P, T]:
    """Return a sync forwarder for the async method ``fn``."""
    return _Forward(fn)


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

    @overload
    def __get__(self, obj: None, owner: type) -> _Forward[P, T]: ...

    @overload
    def __get__(self, obj: SyncResource, owner: type) -> Callable[P, T]: ...

    def __get__(self, obj: SyncResource | None, owner: type) -> _Forward[P, T] | Callable[P, T]:
        if obj is None:
            return self
        bento, area, name, signature = obj._bento, obj._area, self._name, self.__signature__

        @functools.wraps(self._fn)
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

        call.__signature__ = signature  # type: ignore[attr-defined]
        return call


def forward_chunked(
    fn: Callable[Concatenate[Any, P], Coroutine[Any, Any, T]],
    *inputs: str,
    interruptible: bool = False,
) -> _Forward[P, T]:
    """Return a sync forwarder for a bulk method whose input (default: the first
    parameter) crosses to the loop a chunk at a time."""
    return _ChunkedForward(fn, inputs, interruptible)


class _StreamForward(Generic[P, T]):
    """Forwards a method returning an async iterator as one returning a plain iterator.

    The input named by ``inputs`` is read in the caller's thread as it iterates;
    outcomes come back a batch at a time.
    """

    def __init__(
        self, fn: Callable[Concatenate[Any, P], AsyncIterator[T]], inputs: tuple[str, ...]
    ) -> None:
        self._fn = fn
        self._name = fn.__name__
        self.__doc__ = fn.__doc__
        self.__wrapped__ = fn
        signature = inspect.signature(fn)
        returns = signature.return_annotation
        if isinstance(returns, str) and returns.startswith("AsyncIterator["):
            returns = returns[len("Async") :]  # what the sync call returns: Iterator[...]
        self.__signature__ = signature.replace(
            parameters=list(signature.parameters.values())[1:], return_annotation=returns
        )
        self._inputs = inputs

    def __set_name__(self, owner: type, name: str) -> None:
        if name != self._name:
            raise TypeError(f"{owner.__name__}.{name} forwards to a method named {self._name}")

    @overload
    def __get__(self, obj: None, owner: type) -> _StreamForward[P, T]: ...

    @overload
    def __get__(self, obj: SyncResource, owner: type) -> Callable[P, Iterator[T]]: ...

    def __get__(
        self, obj: SyncResource | None, owner: type
    ) -> _StreamForward[P, T] | Callable[P, Iterator[T]]:
        if obj is None:
            return self
        bento, area, name, signature = obj._bento, obj._area, self._name, self.__signature__

        @functools.wraps(self._fn)
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

        call.__signature__ = signature  # type: ignore[attr-defined]
        return call


def forward_stream(
    fn: Callable[Concatenate[Any, P], AsyncIterator[T]], *inputs: str
) -> _StreamForward[P, T]:
    """Return a sync forwarder that turns a method's async iterator into a plain iterator."""
    return _StreamForward(fn, inputs)
