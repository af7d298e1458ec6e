"""Hooks see every attempt of a call: request, response (or failure) and retry events."""

from __future__ import annotations

import socket

import pytest

from bento_async import (
    AsyncBento,
    ConnectError,
    Hooks,
    RateLimits,
    RequestEvent,
    ResponseEvent,
    RetryEvent,
    RetryPolicy,
)
from bento_emulator import BentoEmulator

pytestmark = pytest.mark.anyio


async def test_hooks_see_request_and_response(emulator: BentoEmulator) -> None:
    """One successful call gives one request event and one response event with its status."""
    seen: list[object] = []
    hooks = Hooks(on_request=seen.append, on_response=seen.append, on_retry=seen.append)
    async with AsyncBento(
        **emulator.credentials, rate_limits=RateLimits.off(), hooks=hooks
    ) as client:
        await client.subscribers.get(email="jesse@example.com")
    request, response = seen
    assert request == RequestEvent("GET", "fetch/subscribers", "fetch", 1)
    assert isinstance(response, ResponseEvent)
    assert (response.status, response.attempt) == (200, 1)
    assert response.elapsed >= 0


async def test_hooks_see_failed_attempts_and_retries() -> None:
    """A refused connection gives a status-less response event and a retry event per retry."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed when the block ends: connections are refused
    seen: list[object] = []
    hooks = Hooks(on_request=seen.append, on_response=seen.append, on_retry=seen.append)
    async with AsyncBento(
        publishable_key="pk",
        secret_key="sk",
        site_uuid="site",
        base_url=f"http://127.0.0.1:{port}/api/v1",
        retry=RetryPolicy(attempts=2, backoff_initial=0.01, backoff_max=0.01),
        rate_limits=RateLimits.off(),
        hooks=hooks,
    ) as client:
        with pytest.raises(ConnectError):
            await client.tags.list()
    kinds = [(type(event).__name__, event.attempt) for event in seen]  # type: ignore[attr-defined]
    assert kinds == [
        ("RequestEvent", 1),
        ("ResponseEvent", 1),
        ("RetryEvent", 1),
        ("RequestEvent", 2),
        ("ResponseEvent", 2),
    ]
    assert all(e.status is None for e in seen if isinstance(e, ResponseEvent))
    assert isinstance(seen[2], RetryEvent)
    assert isinstance(seen[2].error, ConnectError)
