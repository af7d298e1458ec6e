"""A minimal stand-in for the Bento API, in its own process, for the bulk benchmarks.

Lookups (``GET .../fetch/subscribers``) are answered after ``latency`` seconds with
a subscriber whose email is the one asked for (as Bento answers; the id and uuid are
the same for all); any POST (a batch) is answered at once with
``{"results": n, "failed": 0}``, n counted by parsing the body. It checks
nothing, so any keys work.

It speaks just enough HTTP/1.1 on a bare asyncio protocol (keep-alive,
Content-Length bodies). An aiohttp server costs enough per request that, when
64 lookups complete in the same instant, its queue adds 5-10 ms to each: with it
even raw aiohttp clients reached only 70-80% of ``concurrency / latency``. The
benchmarks measure the client, so the server stays out of the way.

``python -m benchmarks._bulk_server [--latency SECONDS]`` prints its port, then
serves until its stdin closes; :func:`serve` runs it as a child process.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

from ._server import ChildProcess

__all__ = ["CREDENTIALS", "serve"]

CREDENTIALS: dict[str, Any] = {
    "publishable_key": "pk_bench",
    "secret_key": "sk_bench",
    "site_uuid": "bench",
}

_SUBSCRIBER = {
    "data": {
        "id": "1",
        "type": "visitors",
        "attributes": {"uuid": "u-1", "email": "someone@example.com", "fields": {}},
    }
}


def _response(payload: object) -> bytes:
    return _reply(json.dumps(payload).encode())


def _reply(body: bytes) -> bytes:
    """Return a 200 response carrying the JSON ``body``."""
    head = (
        f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


_BEFORE, _AFTER = json.dumps(_SUBSCRIBER).encode().split(b'"someone@example.com"')


def _lookup(head: bytes) -> bytes:
    """Answer ``GET <target> HTTP/1.1``: the subscriber with the query's email.

    The reply is spliced from a template, so the server's cost per lookup stays small."""
    target = head.split(b" ", 2)[1].decode("latin-1")
    emails = parse_qs(urlsplit(target).query).get("email") or ["someone@example.com"]
    return _reply(_BEFORE + json.dumps(emails[0]).encode() + _AFTER)


class _Http(asyncio.Protocol):
    """One connection: requests in order, each answered in turn."""

    def __init__(self, latency: float) -> None:
        self.latency = latency
        self.buffer = bytearray()
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while (end := self.buffer.find(b"\r\n\r\n")) >= 0:
            raw_head = bytes(self.buffer[:end])
            head = raw_head.lower()
            length = 0
            marker = head.find(b"\r\ncontent-length:")
            if marker >= 0:
                length = int(head[marker + 17 :].split(b"\r\n", 1)[0])
            if len(self.buffer) < end + 4 + length:
                return
            body = bytes(self.buffer[end + 4 : end + 4 + length])
            del self.buffer[: end + 4 + length]
            self._answer(raw_head, body)

    def _answer(self, head: bytes, body: bytes) -> None:
        if head.startswith(b"GET "):
            asyncio.get_running_loop().call_later(self.latency, self._send, _lookup(head))
        else:
            payload = json.loads(body) if body else {}
            items: list[Any] = next(iter(payload.values()), []) if isinstance(payload, dict) else []
            self._send(_response({"results": len(items), "failed": 0}))

    def _send(self, data: bytes) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(data)


async def _main(latency: float) -> None:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: _Http(latency), "127.0.0.1", 0)
    print(server.sockets[0].getsockname()[1], flush=True)
    # Serve until the parent closes our stdin (or dies).
    await loop.run_in_executor(None, sys.stdin.read)
    server.close()


@contextlib.contextmanager
def serve(latency: float = 0.0) -> Iterator[str]:
    """Run the server in a child process; yield its base URL; stop it on exit."""
    child = ChildProcess("benchmarks._bulk_server", "--latency", str(latency))
    port = int(child.spawn())
    try:
        yield f"http://127.0.0.1:{port}/api/v1"
    finally:
        child.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--latency", type=float, default=0.0)
    asyncio.run(_main(parser.parse_args().latency))
