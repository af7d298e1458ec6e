"""Small hostile servers on 127.0.0.1 for the hardening tests: scripted replies, a
forwarding HTTP proxy, and a self-signed TLS certificate made with the openssl CLI."""

from __future__ import annotations

import asyncio
import contextlib
import json
import shutil
import ssl
import subprocess
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest
from aiohttp import web

from bento_async import AsyncBento, RateLimits, RetryPolicy

DEEP_JSON = b"[" * 50_000 + b"]" * 50_000
FAST = RetryPolicy(attempts=3, backoff_initial=0.01, backoff_max=0.02)
SECRET = "sk-hostile-secret-0123456789"
PUBLISHABLE = "pk-hostile-publishable-9876543210"

Reply = Callable[[web.BaseRequest], Awaitable[web.StreamResponse]]


def json_reply(payload: object, status: int = 200) -> web.Response:
    """Return a JSON response."""
    return web.Response(
        body=json.dumps(payload).encode(), status=status, content_type="application/json"
    )


@contextlib.asynccontextmanager
async def serve(reply: Reply, tls: ssl.SSLContext | None = None) -> AsyncIterator[str]:
    """Serve ``reply`` for every request on 127.0.0.1; yield the API base URL."""
    server = web.Server(reply)
    runner = web.ServerRunner(server)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=tls)
    await site.start()
    port = runner.addresses[0][1]
    scheme = "https" if tls else "http"
    try:
        yield f"{scheme}://127.0.0.1:{port}/api/v1"
    finally:
        await runner.cleanup()


def client(base_url: str, **options: Any) -> AsyncBento:
    """Return an AsyncBento for a hostile server: fast retries, client-side limits off."""
    options.setdefault("retry", FAST)
    return AsyncBento(
        publishable_key=PUBLISHABLE,
        secret_key=SECRET,
        site_uuid="site",
        base_url=base_url,
        rate_limits=RateLimits.off(),
        **options,
    )


@attrs.define
class ForwardProxy:
    """A plain HTTP forward proxy: records each request line, then pipes bytes both ways."""

    lines: list[str] = attrs.Factory(list)
    url: str = ""
    _server: asyncio.Server | None = None
    _tasks: set[asyncio.Task[None]] = attrs.Factory(set)

    async def __aenter__(self) -> ForwardProxy:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.url = f"http://127.0.0.1:{self._server.sockets[0].getsockname()[1]}"
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._server.wait_closed()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            line = head.split(b"\r\n", 1)[0].decode()
            self.lines.append(line)
            target = line.split()[1].split("/")[2]  # absolute-form: http://host:port/path
            host, port = target.rsplit(":", 1)
            up_reader, up_writer = await asyncio.open_connection(host, int(port))
            up_writer.write(head)
            await asyncio.gather(_pipe(reader, up_writer), _pipe(up_reader, writer))
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()
            self._tasks.discard(task)


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    finally:
        writer.close()


@attrs.frozen
class Certificate:
    """A self-signed certificate for 127.0.0.1 and its key, as PEM files."""

    cert: Path
    key: Path

    def server_context(self) -> ssl.SSLContext:
        """Return a server-side TLS context presenting this certificate."""
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.cert, self.key)
        return context


def make_certificate(folder: Path) -> Certificate:
    """Make a self-signed certificate for IP 127.0.0.1 with the openssl CLI (skip without it)."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("the openssl command is needed to make a test certificate")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            openssl,
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
    )
    return Certificate(cert, key)


@contextlib.contextmanager
def threaded_proxy() -> Iterator[ForwardProxy]:
    """Run a ForwardProxy on its own loop thread (for the sync client and the CLI)."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    proxy = ForwardProxy()
    asyncio.run_coroutine_threadsafe(proxy.__aenter__(), loop).result(10)
    try:
        yield proxy
    finally:
        asyncio.run_coroutine_threadsafe(proxy.__aexit__(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()
