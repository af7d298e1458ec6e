"""The only module that talks to aiohttp: one session per client, errors mapped to ours."""

from __future__ import annotations

import asyncio
from typing import Protocol

import aiohttp

from ._config import ClientConfig, Timeouts
from ._errors import ClientClosedError, ConnectError, RequestTimeoutError
from ._http import Request, Response, basic_auth_header

__all__ = ["AiohttpTransport", "Transport"]


class Transport(Protocol):
    """Sends one request and returns the raw response, or raises a TransportError."""

    async def send(self, request: Request, timeouts: Timeouts) -> Response: ...

    async def aclose(self) -> None: ...


class AiohttpTransport:
    """An aiohttp session made lazily on the loop that first sends.

    The Authorization header is built once and kept only inside the session's
    default headers, never logged or shown.
    """

    def __init__(self, config: ClientConfig, *, max_connections: int = 100) -> None:
        self._base_url = config.base_url.rstrip("/") + "/"
        self._site_uuid = config.site_uuid
        self._headers = {
            "Authorization": basic_auth_header(config.publishable_key, config.secret_key),
            "User-Agent": config.user_agent,
            "Accept": "application/json",
        }
        self._max_connections = max_connections
        self._session: aiohttp.ClientSession | None = None
        # The last timeouts and their aiohttp form: nearly every call has the same ones.
        self._timeout: tuple[Timeouts, aiohttp.ClientTimeout] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._closed = False

    def __repr__(self) -> str:
        return f"AiohttpTransport(base_url={self._base_url!r})"

    def _get_session(self) -> aiohttp.ClientSession:
        loop = asyncio.get_running_loop()
        if self._closed:
            raise ClientClosedError("this Bento client is closed")
        if self._session is None:
            connector = aiohttp.TCPConnector(limit=self._max_connections)
            session = aiohttp.ClientSession(
                headers=self._headers, connector=connector, raise_for_status=False
            )
            if hasattr(session, "_retry_connection"):
                # aiohttp quietly re-sends a GET once when the connection drops. Retries are
                # ours to decide, and each must take a rate-limit slot: switch that off.
                session._retry_connection = False
            self._session = session
            self._loop = loop
        elif self._loop is not loop:
            raise RuntimeError(
                "this AsyncBento client is bound to another event loop; create one "
                "client per loop (or use bento_sync.Bento from threads)"
            )
        return self._session

    def _client_timeout(self, timeouts: Timeouts) -> aiohttp.ClientTimeout:
        last = self._timeout
        if last is not None and last[0] is timeouts:
            return last[1]
        timeout = aiohttp.ClientTimeout(total=timeouts.total, connect=timeouts.connect)
        self._timeout = (timeouts, timeout)
        return timeout

    async def send(self, request: Request, timeouts: Timeouts) -> Response:
        """Send one request; map aiohttp failures to ConnectError / RequestTimeoutError."""
        session = self._get_session()
        params = (*request.params, ("site_uuid", self._site_uuid))
        headers = {"Content-Type": "application/json"} if request.body is not None else None
        timeout = self._client_timeout(timeouts)
        method, path = request.method, request.path
        try:
            async with session.request(
                request.method,
                self._base_url + request.path,
                params=params,
                data=request.body,
                headers=headers,
                timeout=timeout,
                allow_redirects=False,
            ) as resp:
                body = await resp.read()
                lowered = {k.lower(): v for k, v in resp.headers.items()}
                return Response(resp.status, lowered, body)
        except asyncio.TimeoutError as exc:
            raise RequestTimeoutError(
                f"timed out (connect {timeouts.connect:g}s, total {timeouts.total:g}s)",
                method=method,
                path=path,
            ) from exc
        except aiohttp.ClientConnectorError as exc:
            raise ConnectError(
                f"cannot connect: {exc.os_error or exc}",
                maybe_processed=False,
                method=method,
                path=path,
            ) from exc
        except aiohttp.ClientError as exc:
            # Dropped connections, broken chunked bodies, payload errors: the server may
            # have processed the request.
            raise ConnectError(
                f"connection failed: {type(exc).__name__}: {exc}", method=method, path=path
            ) from exc

    async def aclose(self) -> None:
        """Close the session (idempotent)."""
        self._closed = True
        session, self._session = self._session, None
        if session is not None:
            await session.close()
