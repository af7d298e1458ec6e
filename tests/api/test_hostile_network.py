"""Networks users actually have: TLS with a private CA, a forward proxy (explicit or from
the environment), and the caller's own aiohttp session. Servers on 127.0.0.1 only."""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from _hostile import Certificate, ForwardProxy, client, json_reply, make_certificate, serve
from aiohttp import web

from bento_async import (
    AsyncBento,
    CertificateError,
    ConfigError,
    Hooks,
    InsecureTLSWarning,
    RequestEvent,
)
from bento_async._config import env_proxy
from bento_emulator import BentoEmulator

pytestmark = pytest.mark.anyio


async def empty_tags(request: web.BaseRequest) -> web.Response:
    """Answer every request with an empty tag list."""
    return json_reply({"data": []})


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> Certificate:
    """A self-signed certificate for 127.0.0.1."""
    return make_certificate(tmp_path_factory.mktemp("tls"))


@pytest.fixture
async def tls_url(certificate: Certificate) -> AsyncIterator[str]:
    """The base URL of an HTTPS server presenting the self-signed certificate."""
    async with serve(empty_tags, tls=certificate.server_context()) as url:
        yield url


async def test_certificate_failure_is_not_retried(tls_url: str) -> None:
    """An unverifiable certificate fails at once with CertificateError, after one attempt."""
    attempts: list[RequestEvent] = []
    async with client(tls_url, hooks=Hooks(on_request=attempts.append)) as bento:
        with pytest.raises(CertificateError, match="certificate verification failed") as info:
            await bento.tags.list()
    assert len(attempts) == 1
    assert info.value.attempts == 1
    assert not info.value.maybe_processed


async def test_ca_bundle_path_and_context_verify_a_private_ca(
    tls_url: str, certificate: Certificate
) -> None:
    """ssl= takes a CA bundle path or an SSLContext; both verify the server."""
    context = ssl.create_default_context(cafile=str(certificate.cert))
    for setting in (str(certificate.cert), certificate.cert, context):
        async with client(tls_url, ssl=setting) as bento:
            assert await bento.tags.list() == []


async def test_ssl_false_warns_loudly_and_connects(tls_url: str) -> None:
    """ssl=False switches verification off, with an InsecureTLSWarning at construction."""
    with pytest.warns(InsecureTLSWarning, match="NOT verified"):
        bento = client(tls_url, ssl=False)
    async with bento:
        assert await bento.tags.list() == []


def test_unreadable_ca_bundle_is_a_config_error(tmp_path: Path) -> None:
    """A CA bundle path that does not exist fails when the client is built."""
    with pytest.raises(ConfigError, match="CA bundle"):
        client("https://127.0.0.1:1/api/v1", ssl=str(tmp_path / "missing.pem"))


async def test_explicit_proxy_carries_the_requests(emulator: BentoEmulator) -> None:
    """proxy= sends every request through the proxy, which the API answers as usual."""
    async with ForwardProxy() as proxy:
        async with AsyncBento(**emulator.credentials, proxy=proxy.url) as bento:
            assert await bento.tags.list() == []
        assert len(proxy.lines) == 1
        assert proxy.lines[0].startswith(f"GET {emulator.base_url}/fetch/tags")


async def test_environment_proxy_is_honoured(
    emulator: BentoEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """HTTP_PROXY is used by default, skipped for NO_PROXY hosts and with trust_env=False."""
    async with ForwardProxy() as proxy:
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        async with AsyncBento(**emulator.credentials) as bento:
            await bento.tags.list()
        assert len(proxy.lines) == 1
        async with AsyncBento(**emulator.credentials, trust_env=False) as bento:
            await bento.tags.list()
        monkeypatch.setenv("NO_PROXY", "localhost,127.0.0.1")
        async with AsyncBento(**emulator.credentials) as bento:
            await bento.tags.list()
        assert len(proxy.lines) == 1
    assert len(emulator.requests) == 3


@pytest.mark.parametrize(
    ("url", "environ", "expected"),
    [
        ("https://app.bentonow.com/api/v1", {"HTTPS_PROXY": "http://p:3128"}, "http://p:3128"),
        ("https://app.bentonow.com/api/v1", {"HTTP_PROXY": "http://p:3128"}, None),
        ("http://h/api", {"http_proxy": "http://low", "HTTP_PROXY": "http://up"}, "http://low"),
        ("https://h/api", {"ALL_PROXY": "p:8080"}, "http://p:8080"),
        ("https://api.h.com/x", {"HTTPS_PROXY": "http://p", "NO_PROXY": ".h.com"}, None),
        ("https://h.com/x", {"HTTPS_PROXY": "http://p", "NO_PROXY": "h.com"}, None),
        ("https://noth.com/x", {"HTTPS_PROXY": "http://p", "NO_PROXY": "h.com"}, "http://p"),
        ("https://h.com/x", {"HTTPS_PROXY": "http://p", "NO_PROXY": "*"}, None),
        ("http://h:8080/x", {"HTTP_PROXY": "http://p", "NO_PROXY": "h:9090"}, "http://p"),
        ("http://h:8080/x", {"HTTP_PROXY": "http://p", "NO_PROXY": "h:8080"}, None),
    ],
)
def test_env_proxy_reads_the_environment_like_requests(
    url: str, environ: dict[str, str], expected: str | None
) -> None:
    """The scheme's variable, lower case first, ALL_PROXY as fallback, NO_PROXY suffixes."""
    assert env_proxy(url, environ) == expected


async def test_callers_session_is_used_and_never_closed(emulator: BentoEmulator) -> None:
    """A session passed in carries the requests; closing the client leaves it open."""
    async with aiohttp.ClientSession() as session:
        async with AsyncBento(**emulator.credentials, session=session) as bento:
            assert await bento.tags.list() == []
        assert not session.closed
        async with session.get(emulator.base_url + "/fetch/tags") as response:
            assert response.status == 401  # still usable, and it never held our keys
    request = emulator.requests[0]
    assert request.headers["authorization"] != ""
    assert request.headers["user-agent"].startswith("bento-python-sdk/")
