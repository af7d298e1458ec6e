"""The only module that talks to aiohttp: one session per client, errors mapped to ours.

Response bodies are read in pieces and never past a cap: ``max_response_bytes`` for a
success (counted after decompression), ERROR_BODY_LIMIT for an error status. What was
read up to the cap is kept and the connection is dropped, never reused. gzip and deflate
bodies are inflated here rather than by aiohttp, whose older releases inflate a whole
received chunk at once (a 1 MiB bomb became 250 MiB with aiohttp 3.11).
"""

from __future__ import annotations

import asyncio
import ssl
import zlib
from typing import Protocol

import aiohttp

from ._config import ClientConfig, Network, Timeouts
from ._errors import CertificateError, ClientClosedError, ConnectError, RequestTimeoutError
from ._http import ERROR_BODY_LIMIT, Request, Response, basic_auth_header

__all__ = ["AiohttpTransport", "Transport"]

_READ_PIECE = 64 * 1024
_ENCODING = "Content-Encoding"


class Transport(Protocol):
    """Sends one request and returns the raw response, or raises a TransportError."""

    async def send(self, request: Request, timeouts: Timeouts) -> Response: ...

    async def aclose(self) -> None: ...


class _Headers:
    """The headers to send, the repr hiding them: ``session`` for a session of our own,
    ``plain`` / ``json`` per request (without and with a JSON body).

    They hold the Authorization header, so they live here rather than in a local of any
    SDK frame (tracebacks rendered with their locals show this object's repr). A session
    we make carries the fixed headers itself, so a request only adds Content-Type; a
    caller's session gets every header with every request.
    """

    __slots__ = ("json", "plain", "session")

    def __init__(self, config: ClientConfig, *, own_session: bool) -> None:
        fixed = {
            "Authorization": basic_auth_header(config.publishable_key, config.secret_key).reveal(),
            "User-Agent": config.user_agent,
            "Accept": "application/json",
            # Bodies are inflated here, within the cap: only what zlib reads is asked for.
            "Accept-Encoding": "gzip, deflate",
        }
        content_type = {"Content-Type": "application/json"}
        self.session = fixed if own_session else None
        self.plain = None if own_session else fixed
        self.json = content_type if own_session else {**fixed, **content_type}

    def __repr__(self) -> str:
        return "<request headers, Authorization redacted>"


class AiohttpTransport:
    """An aiohttp session made lazily on the loop that first sends (or the caller's own).

    A session passed in ``network.session`` is used as it is and never closed here.
    """

    def __init__(
        self, config: ClientConfig, *, max_connections: int = 100, network: Network | None = None
    ) -> None:
        self._base_url = config.base_url.rstrip("/") + "/"
        self._site_uuid = config.site_uuid
        self._max_bytes = config.max_response_bytes
        self._max_connections = max_connections
        network = network or Network()
        self._ssl: ssl.SSLContext | bool = network.ssl
        # A caller's session keeps its own proxy settings (and trust_env) unless proxy= is given.
        own = network.session is None
        self._proxy = network.proxy_for(config.base_url) if own else network.proxy
        self._session: aiohttp.ClientSession | None = network.session
        self._own_session = own
        self._headers = _Headers(config, own_session=own)
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
            connector = aiohttp.TCPConnector(limit=self._max_connections, ssl=self._ssl)
            # trust_env stays off in aiohttp: the environment's proxy was resolved once
            # (Network.proxy_for), and aiohttp's netrc lookup would clash with our header.
            session = aiohttp.ClientSession(
                headers=self._headers.session, connector=connector, raise_for_status=False
            )
            if hasattr(session, "_retry_connection"):
                # aiohttp quietly re-sends a GET once when the connection drops. Retries are
                # ours to decide, and each must take a rate-limit slot: switch that off.
                session._retry_connection = False
            self._session = session
            self._loop = loop
        elif self._loop is None:
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
        """Send one request; map aiohttp failures to ConnectError / RequestTimeoutError.

        Raises CertificateError when the server's certificate fails verification.
        """
        session = self._get_session()
        params = _query(request.params, self._site_uuid)
        method, path = request.method, request.path
        try:
            async with session.request(
                method,
                self._base_url + path,
                params=params,
                data=request.body,
                # Chosen inline so the Authorization header is never a local of this frame.
                headers=self._headers.plain if request.body is None else self._headers.json,
                timeout=self._client_timeout(timeouts),
                allow_redirects=False,
                proxy=self._proxy,
                ssl=self._ssl,
                auto_decompress=False,  # inflated by _read_capped, never past the cap
            ) as resp:
                limit = self._max_bytes if resp.status < 300 else ERROR_BODY_LIMIT
                length = resp.content_length
                encoding = resp.headers.get(_ENCODING)
                if length is not None and length <= limit and not encoding:
                    body, truncated = await resp.read(), False  # the usual reply
                else:
                    body, truncated = await _read_capped(resp, limit, _inflater(encoding))
                # aiohttp's own header view: case-insensitive, no copy made per call.
                return Response(resp.status, resp.headers, body, truncated)
        except asyncio.TimeoutError as exc:
            raise RequestTimeoutError(
                f"timed out (connect {timeouts.connect:g}s, total {timeouts.total:g}s)",
                method=method,
                path=path,
            ) from exc
        except aiohttp.ClientConnectorCertificateError as exc:
            raise CertificateError(
                f"TLS certificate verification failed: {exc.certificate_error}; pass ssl= "
                "(a CA bundle path or an ssl.SSLContext) if a private CA signs this server",
                maybe_processed=False,
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
        except (aiohttp.ClientError, zlib.error) as exc:
            # Dropped connections, broken chunked or compressed bodies, payload errors: the
            # server may have processed the request.
            what = "corrupt compressed body" if isinstance(exc, zlib.error) else type(exc).__name__
            raise ConnectError(
                f"connection failed: {what}: {exc}", method=method, path=path
            ) from exc

    async def aclose(self) -> None:
        """Close the session this transport made (idempotent); a caller's session stays open.

        Called from another event loop than the session's, it closes the session on
        that loop while it runs (in another thread).

        Raises RuntimeError, closing nothing, when the session's loop has stopped: its
        connections can only be closed there, so close a client before its loop ends.
        """
        session, loop = self._session, self._loop
        if session is None or not self._own_session:
            self._closed, self._session = True, None
            return
        here = asyncio.get_running_loop()
        if loop is not None and loop is not here and not loop.is_running():
            raise RuntimeError(
                "aclose() was called after the event loop this client sent on stopped; its "
                "connections could not be closed. Close the client on its own loop, before "
                "that loop ends (use `async with AsyncBento(...)`)"
            )
        self._closed, self._session = True, None
        if loop is None or loop is here:
            await session.close()
        else:
            await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(session.close(), loop))


def _inflater(encoding: str | None) -> zlib._Decompress | None:
    """Return a decompressor for a gzip or deflate body; None to read it as it is.

    Other codings are never asked for; one sent anyway is read raw and fails to decode.
    """
    if encoding is None or encoding.strip().lower() not in ("gzip", "x-gzip", "deflate"):
        return None
    return zlib.decompressobj(wbits=47)  # a gzip or a zlib header, told apart by zlib


async def _read_capped(
    resp: aiohttp.ClientResponse, limit: int, inflater: zlib._Decompress | None
) -> tuple[bytes, bool]:
    """Read at most ``limit`` bytes of the body, inflated first when ``inflater`` is given;
    say whether more was left.

    Inflating asks zlib for no more than the room left, so a gzip bomb costs the cap at
    most. A body cut short leaves the connection mid-stream, so it is closed, not reused.

    Raises zlib.error for a compressed body that is corrupt or ends early.
    """
    buffer = bytearray()
    while len(buffer) <= limit:
        room = min(limit + 1 - len(buffer), _READ_PIECE)
        if inflater is not None and inflater.unconsumed_tail:
            piece = inflater.decompress(inflater.unconsumed_tail, room)
        else:
            raw = await resp.content.read(_READ_PIECE if inflater else room)
            if not raw:
                if inflater is not None:
                    buffer += inflater.flush()
                    if not inflater.eof:
                        raise zlib.error("the compressed stream ended early")
                if len(buffer) <= limit:
                    return bytes(buffer), False
                break
            piece = raw if inflater is None else inflater.decompress(raw, room)
        buffer += piece
    resp.close()
    del buffer[limit:]
    return bytes(buffer), True


def _query(
    params: tuple[tuple[str, str], ...], site_uuid: str
) -> dict[str, str] | tuple[tuple[str, str], ...]:
    """Return the query with ``site_uuid``: a dict (yarl's quickest input) unless a key repeats."""
    query = dict(params)
    if len(query) != len(params) or "site_uuid" in query:
        return (*params, ("site_uuid", site_uuid))
    query["site_uuid"] = site_uuid
    return query
