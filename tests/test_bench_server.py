"""The benchmark servers: a child process each, reachable, stopped and reaped cleanly."""

from __future__ import annotations

import asyncio

import pytest

from benchmarks._bulk_server import CREDENTIALS, serve
from benchmarks._emulator_proc import EmulatorProcess
from benchmarks._server import SUBSCRIBER_EMAIL, Kind, ServerProcess, subscriber_payload
from bento_async import (
    AsyncBento,
    AuthenticationError,
    ConnectError,
    RateLimits,
    RequestTimeoutError,
    RetryPolicy,
)
from bento_emulator import Credentials


async def _lookup(credentials: Credentials) -> object:
    async with AsyncBento(**credentials, rate_limits=RateLimits.off()) as client:
        return await client.subscribers.get(email=SUBSCRIBER_EMAIL)


@pytest.mark.parametrize("kind", ["minimal", "emulator"])
def test_server_answers_then_stops(kind: Kind) -> None:
    """Each kind answers the subscriber lookup; stop() ends and reaps the child process."""
    server = ServerProcess(kind)
    info = server.start()
    proc = server._proc
    try:
        found = asyncio.run(_lookup(info["credentials"]))
    finally:
        server.stop()
    assert getattr(found, "email", None) == SUBSCRIBER_EMAIL
    if kind == "minimal":
        fields = subscriber_payload()["data"]["attributes"]["fields"]
        assert getattr(found, "fields", None) == fields
    assert proc is not None
    assert proc.returncode is not None  # reaped, not a zombie


def test_minimal_server_latency() -> None:
    """With latency on, the minimal server answers later than a short client timeout."""

    async def lookup(credentials: Credentials) -> None:
        async with AsyncBento(
            **credentials, timeout=0.05, retry=RetryPolicy.none(), rate_limits=RateLimits.off()
        ) as client:
            await client.subscribers.get(email=SUBSCRIBER_EMAIL)

    with ServerProcess("minimal", latency_ms=400) as info, pytest.raises(RequestTimeoutError):
        asyncio.run(lookup(info["credentials"]))


def test_emulator_server_checks_credentials() -> None:
    """The emulator kind is the real emulator: a wrong key is refused."""
    with ServerProcess("emulator") as info:
        creds: Credentials = {**info["credentials"], "secret_key": "sk_wrong"}
        with pytest.raises(AuthenticationError):
            asyncio.run(_lookup(creds))


def test_emulator_process_logs_then_stops() -> None:
    """The emulator process answers the log command with the requests it saw, then is reaped."""
    with EmulatorProcess(limits="none") as server:
        asyncio.run(_lookup(server.credentials))
        log = server.request_log()
        proc = server._proc
    assert [entry[1] for entry in log] == ["fetch"]
    assert proc is not None
    assert proc.returncode is not None  # reaped, not a zombie


def test_bulk_server_answers_then_stops() -> None:
    """The bare asyncio server answers a lookup with the subscriber asked for (its email
    taken from the query, escapes undone); once the block ends nothing listens there."""

    async def lookup(base_url: str, email: str = "someone@example.com") -> object:
        async with AsyncBento(
            **CREDENTIALS, base_url=base_url, retry=RetryPolicy.none(), rate_limits=RateLimits.off()
        ) as client:
            return await client.subscribers.get(email=email)

    with serve() as base_url:
        found = asyncio.run(lookup(base_url))
        other = asyncio.run(lookup(base_url, "o'neil+news@example.com"))
    assert getattr(found, "email", None) == "someone@example.com"
    assert getattr(other, "email", None) == "o'neil+news@example.com"
    with pytest.raises(ConnectError):
        asyncio.run(lookup(base_url))
