"""Forwarders: sync methods that run the async methods of the same name through the portal.

No behaviour lives here. ``forward(AsyncX.method)`` makes a descriptor whose
bound form has the async method's parameters and its awaited return type, so
mypy sees ``Subscriber | None`` where the async client has
``Awaitable[Subscriber | None]``.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any, Concatenate, Generic, ParamSpec, TypeVar, overload

if TYPE_CHECKING:
    from ._client import Bento

__all__ = ["SyncResource", "forward"]

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
        # Kept on the instance, which shadows this (non-data) descriptor from now on:
        # building the wrapper costs more than a fast call's forwarding.
        obj.__dict__[self._name] = call
        return call


def forward(fn: Callable[Concatenate[Any, P], Coroutine[Any, Any, T]]) -> _Forward[P, T]:
    """Return a sync forwarder for the async method ``fn``."""
    return _Forward(fn)
