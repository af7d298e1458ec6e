"""A fatal error ends a bulk run at once (async client): one request, every record kept,
the rest marked never sent. Against the emulator and small servers on 127.0.0.1."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from _bulk_calls import LOOKUPS, WRITES, lookup_method, write_method

from bento_async import (
    AsyncBento,
    AuthenticationError,
    AuthorNotAuthorizedError,
    ClientClosedError,
    ConnectError,
    NotSentError,
    PermissionDeniedError,
    RateLimits,
    RetryPolicy,
    ServerError,
)
from bento_async._fatal import ends_run
from bento_emulator import BentoEmulator

pytestmark = pytest.mark.anyio

FAST = RetryPolicy(attempts=2, backoff_initial=0.001, backoff_max=0.001)


def _assert_ended(result: Any, records: list[Any], cause: type[Exception]) -> None:
    assert isinstance(result.fatal_error, cause)
    assert not result.ok
    assert result.requests == 1
    assert result.accepted == 0
    assert result.failed == len(records)
    assert len(result.failed_records) == len(records)
    assert all(a is b for a, b in zip(result.failed_records, records, strict=True))
    first, *rest = result.chunks
    assert first.error is result.fatal_error
    assert first.sent
    assert rest
    assert all(isinstance(c.error, NotSentError) and not c.sent for c in rest)
    assert all(c.error.reason is result.fatal_error for c in rest)


@pytest.mark.parametrize("name", WRITES)
async def test_wrong_key_ends_every_bulk_write_after_one_request(
    emulator: BentoEmulator, name: str
) -> None:
    """Concurrency 4, no client limits: one request goes, gets 401, and nothing else is sent."""
    creds: dict[str, Any] = {**emulator.credentials, "secret_key": "sk_wrong"}
    async with AsyncBento(**creds, rate_limits=RateLimits.off()) as bento:
        send, make = write_method(bento, name)
        records = [make(i) for i in range(120)]
        result = await send(records, chunk_size=10, concurrency=4)
    _assert_ended(result, records, AuthenticationError)
    assert len(result.chunks) == 12
    assert [r.status for r in emulator.requests] == [401]


@pytest.mark.parametrize("name", WRITES)
async def test_a_closed_client_ends_every_bulk_write_with_nothing_sent(
    emulator: BentoEmulator, name: str
) -> None:
    """A client closed before the call: the first chunk meets ClientClosedError, the rest
    are never sent."""
    bento = AsyncBento(**emulator.credentials, rate_limits=RateLimits.off())
    await bento.aclose()
    send, make = write_method(bento, name)
    records = [make(i) for i in range(30)]
    result = await send(records, chunk_size=10)
    assert isinstance(result.fatal_error, ClientClosedError)
    assert isinstance(result.fatal_error, RuntimeError)  # what it was before
    assert result.requests == 1  # handed to the transport, which refused it
    assert len(result.failed_records) == 30
    assert all(isinstance(c.error, NotSentError) for c in result.chunks[1:])
    assert emulator.requests == []


@pytest.mark.parametrize("name", LOOKUPS)
async def test_wrong_key_ends_lookups_after_one_request(emulator: BentoEmulator, name: str) -> None:
    """get_many / stream_many with 16 in flight: one lookup goes; every other key comes back
    marked never sent."""
    creds: dict[str, Any] = {**emulator.credentials, "secret_key": "sk_wrong"}
    keys = [f"u{i}@example.com" for i in range(60)]
    async with AsyncBento(**creds, rate_limits=RateLimits.off()) as bento:
        call = lookup_method(bento, name)
        if name == "get_many":
            lookups = await call(keys, concurrency=16)
        else:
            streamed = [lk async for lk in call(keys, concurrency=16)]
            lookups = sorted(streamed, key=lambda lk: lk.index)
    assert [lk.key for lk in lookups] == keys
    assert isinstance(lookups[0].error, AuthenticationError)
    assert all(isinstance(lk.error, NotSentError) for lk in lookups[1:])
    assert all(getattr(lk.error, "reason", None) is lookups[0].error for lk in lookups[1:])
    assert [r.status for r in emulator.requests] == [401]


async def test_an_unauthorized_author_ends_send_many(emulator: BentoEmulator) -> None:
    """Bento's 500 'Author not authorized' ends the run; later chunks are not sent."""
    async with AsyncBento(**emulator.credentials, rate_limits=RateLimits.off()) as bento:
        emails = [
            {
                "to": f"u{i}@example.com",
                "from": "stranger@example.com",
                "subject": "Hi",
                "html_body": "<p>Hi</p>",
            }
            for i in range(30)
        ]
        result = await bento.emails.send_many(emails, chunk_size=10, concurrency=3)
    _assert_ended(result, emails, AuthorNotAuthorizedError)
    assert len(emulator.requests) == 1


@pytest.fixture
async def refusing_server() -> AsyncIterator[tuple[str, list[bytes]]]:
    """A server answering every request 403 with a JSON body; yields its URL and requests."""
    seen: list[bytes] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        length = next(
            (
                int(line.split(b":")[1])
                for line in head.split(b"\r\n")
                if line.lower().startswith(b"content-length:")
            ),
            0,
        )
        await reader.readexactly(length)
        seen.append(head.split(b"\r\n")[0])
        body = json.dumps({"error": "Access denied"}).encode()
        writer.write(
            b"HTTP/1.1 403 Forbidden\r\nContent-Type: application/json\r\n"
            b"Content-Length: " + str(len(body)).encode() + b"\r\nConnection: close\r\n\r\n" + body
        )
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server:
        yield f"http://127.0.0.1:{port}/api/v1", seen


async def test_permission_denied_ends_the_run(
    refusing_server: tuple[str, list[bytes]],
) -> None:
    """403 from every request: the run stops after the first."""
    url, seen = refusing_server
    async with AsyncBento(
        publishable_key="p", secret_key="s", site_uuid="site", base_url=url, retry=FAST
    ) as bento:
        records = [{"email": f"u{i}@example.com"} for i in range(50)]
        result = await bento.subscribers.import_many(records, chunk_size=5, concurrency=4)
    _assert_ended(result, records, PermissionDeniedError)
    assert len(seen) == 1


async def test_a_tls_failure_ends_the_run() -> None:
    """https:// to a server that does not speak TLS: the first chunk's ConnectError (an
    SSLError underneath) ends the run; no other chunk tries."""
    connections = 0

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal connections
        connections += 1
        await reader.read(100)
        writer.write(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with (
        server,
        AsyncBento(
            publishable_key="p",
            secret_key="s",
            site_uuid="site",
            base_url=f"https://127.0.0.1:{port}/api/v1",
            retry=FAST,
            rate_limits=RateLimits.off(),
        ) as bento,
    ):
        records = [{"email": f"u{i}@example.com"} for i in range(40)]
        result = await bento.subscribers.import_many(records, chunk_size=10, concurrency=4)
        lookups = await bento.subscribers.get_many(["a@example.com", "b@example.com"])
    _assert_ended(result, records, ConnectError)
    assert isinstance(lookups[1].error, NotSentError)
    assert connections <= 2 * FAST.attempts  # one chunk and one lookup tried, with retries


def test_what_is_fatal_and_what_is_per_chunk() -> None:
    """The one predicate: keys, access, author, closed client and TLS end a run; a 5xx, a
    plain connection failure or a 429 do not."""

    def api(cls: type[Any], status: int) -> Any:
        return cls("x", status=status, method="POST", path="batch/x")

    assert ends_run(api(AuthenticationError, 401))
    assert ends_run(api(PermissionDeniedError, 403))
    assert ends_run(api(AuthorNotAuthorizedError, 500))
    assert ends_run(ClientClosedError("closed"))
    assert not ends_run(api(ServerError, 500))
    assert not ends_run(ConnectError("refused", method="POST", path="p", maybe_processed=False))
    import ssl

    tls = ConnectError("cannot connect", method="POST", path="p", maybe_processed=False)
    tls.__cause__ = ssl.SSLCertVerificationError("certificate verify failed")
    assert ends_run(tls)
