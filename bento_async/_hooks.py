"""Observability: plain-callable hooks and the values they receive.

Hooks run on the event loop, synchronously; keep them quick. An exception in a
hook is logged and swallowed so metrics can never break a request. No hook
value carries a key or the Authorization header.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

import attrs

from ._errors import BentoError

__all__ = ["Hooks", "RequestEvent", "ResponseEvent", "RetryEvent"]

log = logging.getLogger("bento_async")

E = TypeVar("E")


@attrs.frozen
class RequestEvent:
    """A request is about to be sent (after its rate-limit slot was granted)."""

    method: str
    path: str
    family: str
    attempt: int


@attrs.frozen
class ResponseEvent:
    """A response arrived (any status), or the attempt failed without one (``status`` None)."""

    method: str
    path: str
    family: str
    attempt: int
    status: int | None
    elapsed: float


@attrs.frozen
class RetryEvent:
    """An attempt failed and another will follow after ``delay`` seconds."""

    method: str
    path: str
    family: str
    attempt: int
    delay: float
    error: BentoError


def _as_tuple(
    value: Callable[[E], object] | Sequence[Callable[[E], object]] | None,
) -> tuple[Callable[[E], object], ...]:
    if value is None:
        return ()
    if callable(value):
        return (value,)
    return tuple(value)


class _Dispatch(Generic[E]):
    def __init__(self, name: str, callbacks: tuple[Callable[[E], object], ...]) -> None:
        self.name = name
        self.callbacks = callbacks

    def __bool__(self) -> bool:
        # False without callbacks, so the client can skip building the event.
        return bool(self.callbacks)

    def __call__(self, event: E) -> None:
        for callback in self.callbacks:
            try:
                callback(event)
            except Exception:
                log.exception("bento: %s hook %r raised; ignored", self.name, callback)


class Hooks:
    """Callables invoked on request, response and retry; each may be one callable or a list."""

    def __init__(
        self,
        *,
        on_request: Callable[[RequestEvent], object]
        | Sequence[Callable[[RequestEvent], object]]
        | None = None,
        on_response: Callable[[ResponseEvent], object]
        | Sequence[Callable[[ResponseEvent], object]]
        | None = None,
        on_retry: Callable[[RetryEvent], object]
        | Sequence[Callable[[RetryEvent], object]]
        | None = None,
    ) -> None:
        self.on_request = _Dispatch("on_request", _as_tuple(on_request))
        self.on_response = _Dispatch("on_response", _as_tuple(on_response))
        self.on_retry = _Dispatch("on_retry", _as_tuple(on_retry))
