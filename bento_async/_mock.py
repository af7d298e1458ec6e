"""MockTransport: the client's transport as a function, for tests with no socket and no thread."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable
from typing import TypeAlias

from ._config import Timeouts
from ._errors import ClientClosedError, RequestTimeoutError
from ._http import Request, Response

__all__ = ["Handler", "MockTransport"]

Handler: TypeAlias = Callable[[Request], "Response | Awaitable[Response]"]


class MockTransport:
    """A transport that answers every request with ``handler(request)``.

    Pass it as ``AsyncBento(transport=...)`` (or ``Bento(transport=...)``): every
    call then goes through the client's whole send path (validation, rate limits,
    retries, error classes, parsing) but no socket. The handler is a plain or an
    async function from a :class:`Request` to a :class:`Response`
    (``Response.from_json(...)`` builds one); it may raise ConnectError or
    RequestTimeoutError to act out a failed connection. An async handler still
    running when the call's timeout runs out is cancelled, and the call sees
    RequestTimeoutError, as with a slow server.

    Raises ClientClosedError for a request sent after :meth:`aclose`, as a closed
    client does.
    """

    def __init__(self, handler: Handler) -> None:
        self._handler = handler
        self._closed = False

    def __repr__(self) -> str:
        return f"MockTransport({self._handler!r})"

    async def send(self, request: Request, timeouts: Timeouts) -> Response:
        """Return the handler's answer to ``request``.

        Raises TypeError when the handler answers with something else than a Response.
        """
        if self._closed:
            raise ClientClosedError("this Bento client is closed")
        answer = self._handler(request)
        if inspect.isawaitable(answer):
            try:
                answer = await asyncio.wait_for(answer, timeouts.total)
            except RequestTimeoutError:  # the handler's own (a TimeoutError too)
                raise
            except asyncio.TimeoutError as exc:
                raise RequestTimeoutError(
                    f"timed out (total {timeouts.total:g}s)",
                    method=request.method,
                    path=request.path,
                ) from exc
        if not isinstance(answer, Response):
            raise TypeError(f"the MockTransport handler returned {answer!r}, not a Response")
        return answer

    async def aclose(self) -> None:
        """Refuse requests from now on (idempotent)."""
        self._closed = True
