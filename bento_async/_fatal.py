"""What ends a bulk run at once, and the signal that a request has left.

:func:`ends_run` is the one place deciding which errors are fatal for a bulk run
(writes and lookups alike): those no later request of the run could escape,
because they belong to the client or the account, not to the records sent.

==========================================  =========  ==================================
error                                       fatal      why
==========================================  =========  ==================================
AuthenticationError (401)                   yes        wrong keys or site: every request
PermissionDeniedError (403)                 yes        blocked or access denied: every one
AuthorNotAuthorizedError                    yes        the sender is not an author (split
                                                       a run mixing authors by author)
ClientClosedError                           yes        nothing more can be sent
ConnectError caused by TLS (SSLError)       yes        certificate or handshake: every one
anything else (400, 404, 422, 429, 5xx,     no         this chunk or lookup alone; the
timeouts, dropped connections, DecodeError,           next may well succeed
RateLimitWaitError, ...)
==========================================  =========  ==================================

:func:`departing` is called by the send path just before a request goes to the
transport; a bulk run listens (:func:`listen_departure`) to tell chunks that never
left (safe to replay) from chunks the API may have processed.
"""

from __future__ import annotations

import ssl
import weakref
from collections.abc import Callable
from contextvars import ContextVar
from typing import TypeGuard

from ._errors import (
    AuthenticationError,
    AuthorNotAuthorizedError,
    BentoError,
    ClientClosedError,
    ConnectError,
    PermissionDeniedError,
)

__all__ = ["Departure", "departing", "ends_run", "listen_departure"]

_FATAL = (AuthenticationError, PermissionDeniedError, AuthorNotAuthorizedError, ClientClosedError)

_departure: ContextVar[Callable[[], None] | None] = ContextVar("bento_departure", default=None)


def ends_run(error: BaseException) -> TypeGuard[BentoError]:
    """Return whether ``error`` dooms every later request of a bulk run (see the table)."""
    if isinstance(error, _FATAL):
        return True
    return isinstance(error, ConnectError) and isinstance(error.__cause__, ssl.SSLError)


class Departure:
    """A departure note for one chunk: remembers that its request left, counts it once.

    Lookups use it without a counter, only to know whether their request left.
    A listener must hold little: aiohttp's pooled connections and timers keep a copy of
    the context they were made in, and with it the listener, for as long as they live.
    A closure over the chunk kept its records (and the run's counts) alive after the
    run, one chunk per pooled connection and timer. This holds a count and a weak
    reference to the counter.
    """

    __slots__ = ("_count", "_start", "left")

    def __init__(self, start: Callable[[int], None] | None = None, count: int = 0) -> None:
        self.left = False
        self._count = count
        self._start = None if start is None else weakref.WeakMethod(start)

    def __call__(self) -> None:
        if self.left:
            return
        self.left = True
        start = None if self._start is None else self._start()
        if start is not None:
            start(self._count)


def listen_departure(note: Callable[[], None]) -> None:
    """Have ``note`` called when a request of the current task (or its children) leaves.

    Set inside the task that sends: a context variable, so it never leaks to others.
    Copies of the context outlive the task (see :class:`Departure`): keep ``note`` small.
    """
    _departure.set(note)


def departing() -> None:
    """Say that the current task's request is about to go to the transport."""
    note = _departure.get()
    if note is not None:
        note()
