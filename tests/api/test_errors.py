"""Error mapping, bad input and secrecy, through the async client over real sockets."""

from __future__ import annotations

import asyncio
import base64
import logging
import traceback
from collections.abc import AsyncIterator

import pytest

from bento_async import (
    AsyncBento,
    AuthenticationError,
    BentoError,
    ConfigError,
    ConnectError,
    Hooks,
    RateLimit,
    RateLimits,
    RequestTimeoutError,
    RetryPolicy,
    ValidationError,
)
from bento_emulator import BentoEmulator

pytestmark = pytest.mark.anyio


async def test_wrong_secret_key_is_authentication_error(emulator: BentoEmulator) -> None:
    """A wrong key gives AuthenticationError naming method, path, status and the API's words."""
    creds = {**emulator.credentials, "secret_key": "sk_wrong_0123456789"}
    async with AsyncBento(**creds, rate_limits=RateLimits.off()) as client:
        with pytest.raises(AuthenticationError) as info:
            await client.tags.list()
    err = info.value
    assert err.status == 401
    assert err.method == "GET"
    assert err.path == "fetch/tags"
    assert err.message == "Unauthorized"
    assert str(err) == "GET fetch/tags -> 401: Unauthorized"
    assert err.attempts == 1  # 401 is not retried


async def test_foreign_site_uuid_is_authentication_error(emulator: BentoEmulator) -> None:
    """A site the keys cannot reach is refused with 401."""
    creds = {**emulator.credentials, "site_uuid": "0" * 32}
    async with AsyncBento(**creds, rate_limits=RateLimits.off()) as client:
        with pytest.raises(AuthenticationError):
            await client.subscribers.get(email="a@example.com")


@pytest.mark.parametrize(
    "call",
    [
        lambda b: b.subscribers.get(),
        lambda b: b.subscribers.get(email="a@example.com", uuid="abc"),
        lambda b: b.subscribers.get(email="not-an-email"),
        lambda b: b.subscribers.create("jesse@"),
        lambda b: b.commands.add_tag("a@example.com", ""),
        lambda b: b.commands.add_field("a@example.com", "", "x"),
        lambda b: b.commands.add_field("a@example.com", "k", object()),
        lambda b: b.commands.add_field("a@example.com", "k", {"nested": 1}),
        lambda b: b.commands.change_email("a@example.com", "nope"),
        lambda b: b.commands.run([], chunk_size=101),
        lambda b: b.commands.run("add_tag"),
        lambda b: b.tags.create("  "),
        lambda b: b.fields.create(""),
        lambda b: b.events.track("a@example.com", "", fields={"x": 1}),
        lambda b: b.events.track("a@example.com", "t", fields={"a": {"b": 1}}),
        lambda b: b.events.track("a@example.com", "t", details={"when": {1, 2}}),
        lambda b: b.events.track_purchase("a@example.com", key="", amount=100),
        lambda b: b.events.track_many([{"email": "a@example.com", "type": "t"}], concurrency=0),
        lambda b: b.subscribers.import_many({"email": "a@example.com"}),
        lambda b: b.subscribers.import_many([{"email": "a@example.com"}], chunk_size=0),
        lambda b: b.subscribers.get_many(),
        lambda b: b.subscribers.get_many(["a@example.com"], uuids=["u"]),
        lambda b: b.subscribers.get_many(["a@example.com"], concurrency=0),
    ],
)
async def test_bad_input_raises_before_sending(
    bento: AsyncBento, emulator: BentoEmulator, call: object
) -> None:
    """Bad input raises ValidationError (a ValueError) and nothing reaches the server."""
    with pytest.raises(ValidationError) as info:
        await call(bento)  # type: ignore[operator]
    assert isinstance(info.value, ValueError)
    assert info.value.issues
    assert emulator.requests == []


async def test_bulk_validation_reports_every_bad_item(
    bento: AsyncBento, emulator: BentoEmulator
) -> None:
    """A bulk call reports each bad record by position and sends only the good ones."""
    records = [
        {"email": "ok@example.com"},
        {"email": "bad"},
        {"email": "ok2@example.com", "address": {"city": "Paris"}},
        {"name": "no email"},
        {"email": "ok3@example.com", "tags": ["a,b"]},
        {"email": "ok4@example.com"},
    ]
    result = await bento.subscribers.import_many(records)
    assert [r.position for r in result.invalid] == [1, 2, 3, 4]
    assert [r.record for r in result.invalid] == records[1:5]
    assert [[i.path for i in r.issues] for r in result.invalid] == [
        ["subscribers[1].email"],
        ["subscribers[2].address"],
        ["subscribers[3].email"],
        ["subscribers[4].tags"],
    ]
    assert (result.accepted, result.failed, result.total, result.ok) == (2, 0, 6, False)
    sent = [r.json for r in emulator.requests]
    assert sent == [{"subscribers": [{"email": "ok@example.com"}, {"email": "ok4@example.com"}]}]


async def test_missing_credentials_is_config_error(monkeypatch: pytest.MonkeyPatch) -> None:
    """A missing credential fails at construction, naming the setting to provide."""
    for var in ("BENTO_PUBLISHABLE_KEY", "BENTO_SECRET_KEY", "BENTO_SITE_UUID"):
        monkeypatch.delenv(var, raising=False)
    with pytest.raises(ConfigError, match=r"secret_key \(or \$BENTO_SECRET_KEY\)"):
        AsyncBento(publishable_key="pk", site_uuid="site")


async def test_credentials_from_environment(
    emulator: BentoEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With no arguments the client reads BENTO_* variables, base URL included."""
    monkeypatch.setenv("BENTO_PUBLISHABLE_KEY", emulator.publishable_key)
    monkeypatch.setenv("BENTO_SECRET_KEY", emulator.secret_key)
    monkeypatch.setenv("BENTO_SITE_UUID", emulator.site_uuid)
    monkeypatch.setenv("BENTO_BASE_URL", emulator.base_url)
    async with AsyncBento() as client:
        assert await client.tags.list() == []


async def test_connection_refused_is_retried_then_connect_error() -> None:
    """A port nobody listens on gives ConnectError after the configured attempts."""
    server = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    server.close()
    await server.wait_closed()
    retry = RetryPolicy(attempts=3, backoff_initial=0.01, backoff_max=0.02)
    async with AsyncBento(
        publishable_key="pk",
        secret_key="sk",
        site_uuid="site",
        base_url=f"http://127.0.0.1:{port}/api/v1",
        retry=retry,
        rate_limits=RateLimits.off(),
    ) as client:
        with pytest.raises(ConnectError) as info:
            await client.tags.list()
    assert info.value.attempts == 3
    assert not info.value.maybe_processed


@pytest.fixture
async def silent_server() -> AsyncIterator[str]:
    """A server that accepts connections and never answers."""
    writers: list[asyncio.StreamWriter] = []

    async def hold(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writers.append(writer)

    server = await asyncio.start_server(hold, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}/api/v1"
    for writer in writers:
        writer.close()
    server.close()
    await server.wait_closed()


async def test_timeout_is_typed_and_a_builtin_timeout(silent_server: str) -> None:
    """A stalled server gives RequestTimeoutError, which is also a TimeoutError."""
    async with AsyncBento(
        publishable_key="pk",
        secret_key="sk",
        site_uuid="site",
        base_url=silent_server,
        timeout=0.2,
        retry=RetryPolicy.none(),
        rate_limits=RateLimits.off(),
    ) as client:
        with pytest.raises(TimeoutError) as info:
            await client.subscribers.get(email="a@example.com")
    assert isinstance(info.value, RequestTimeoutError)
    assert "timed out" in str(info.value)


async def test_per_call_timeout_via_with_options(silent_server: str) -> None:
    """with_options(timeout=...) overrides the client's timeout for calls through the view."""
    async with AsyncBento(
        publishable_key="pk",
        secret_key="sk",
        site_uuid="site",
        base_url=silent_server,
        timeout=30,
        retry=RetryPolicy.none(),
        rate_limits=RateLimits.off(),
    ) as client:
        loop = asyncio.get_running_loop()
        start = loop.time()
        with pytest.raises(RequestTimeoutError):
            await client.with_options(timeout=0.2).tags.list()
        assert loop.time() - start < 5


async def test_event_sends_not_retried_after_timeout(silent_server: str) -> None:
    """An event that timed out may have fired automations, so it is sent only once."""
    async with AsyncBento(
        publishable_key="pk",
        secret_key="sk",
        site_uuid="site",
        base_url=silent_server,
        timeout=0.2,
        retry=RetryPolicy(attempts=3, backoff_initial=0.01),
        rate_limits=RateLimits.off(),
    ) as client:
        with pytest.raises(RequestTimeoutError) as info:
            await client.events.track("a@example.com", "signed_up")
        assert info.value.attempts == 1
        with pytest.raises(RequestTimeoutError) as info:
            await client.tags.list()
        assert info.value.attempts == 3


async def test_secrets_never_leak(
    emulator: BentoEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    """Neither key appears in reprs, error messages, tracebacks or debug logs."""
    caplog.set_level(logging.DEBUG)
    secret = "sk_live_SECRET_never_show_me"
    public = "pk_live_PUBLIC_never_show_me"
    creds = {**emulator.credentials, "secret_key": secret, "publishable_key": public}
    async with AsyncBento(**creds, rate_limits=RateLimits.off()) as client:
        texts = [repr(client), repr(client.config), repr(client.subscribers)]
        with pytest.raises(BentoError) as info:
            await client.tags.list()
        texts += [str(info.value), repr(info.value)]
        texts += traceback.format_exception(info.value)
    texts += [r.getMessage() for r in caplog.records]
    texts += [repr(r) for r in emulator.requests]
    blob = "\n".join(texts)
    token = base64.b64encode(f"{public}:{secret}".encode()).decode()
    for needle in (secret, public, token):
        assert needle not in blob


async def test_secrets_never_leak_through_retries_or_cooldowns(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Retries, cooldowns, limiter waits and hooks log and report without any key."""
    caplog.set_level(logging.DEBUG)
    secret = "sk_live_SECRET_never_show_me"
    public = "pk_live_PUBLIC_never_show_me"
    events: list[object] = []
    hooks = Hooks(on_request=events.append, on_response=events.append, on_retry=events.append)
    limits = RateLimits.profile("seed", fetch=RateLimit(20, 1.0, burst=1))
    retry = RetryPolicy(attempts=5, backoff_initial=0.01, backoff_max=0.02)
    async with BentoEmulator(publishable_key=public, secret_key=secret) as emulator:
        emulator.faults.fail_next(1, status=429, retry_after=0.05)
        emulator.faults.fail_next(1, status=503)
        emulator.faults.reset_connection()
        async with AsyncBento(
            **emulator.credentials, rate_limits=limits, retry=retry, hooks=hooks
        ) as client:
            await client.tags.list()
            emulator.faults.fail_next(5, status=500)
            with pytest.raises(BentoError) as info:
                await client.tags.list()
        texts = [r.getMessage() for r in caplog.records]
        texts += [repr(e) for e in events]
        texts += [str(info.value), repr(info.value), *traceback.format_exception(info.value)]
        texts += [repr(r) for r in emulator.requests]
    blob = "\n".join(texts)
    assert "cooling down" in blob
    assert "retrying in" in blob
    token = base64.b64encode(f"{public}:{secret}".encode()).decode()
    for needle in (secret, public, token):
        assert needle not in blob
