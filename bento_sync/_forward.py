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
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from typing import TYPE_CHECKING, Any, Concatenate, Generic, ParamSpec, TypeVar, overload

from bento_async.models.pages import Page

if TYPE_CHECKING:
    from ._client import Bento

__all__ = ["SyncResource", "forward", "forward_items", "forward_pages"]

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
