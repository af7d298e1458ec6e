"""The public test seam: MockTransport runs the whole send path on a function, no socket."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import threading
from typing import Any

import pytest
from virtual_time import run_virtual

from bento_async import (
    AsyncBento,
    ClientClosedError,
    ConnectError,
    MockTransport,
    RateLimits,
    Request,
    RequestTimeoutError,
    Response,
    RetryPolicy,
    Subscriber,
    Transport,
    ValidationError,
)
from bento_sync import Bento

# Nothing listens here: a request that reached a socket would fail to connect.
NOWHERE: dict[str, Any] = {
    "publishable_key": "pk",
    "secret_key": "sk",
    "site_uuid": "site",
    "base_url": "http://127.0.0.1:9/api/v1",
    "rate_limits": RateLimits.off(),
}
JESSE = {
    "data": {
        "id": "1",
        "type": "visitors",
        "attributes": {"uuid": "u1", "email": "jesse@example.com"},
    }
}


def test_a_plain_function_answers_and_sees_the_request() -> None:
    """A plain handler gets the request as the client built it (path relative to the API
    root, query without site_uuid, JSON body) and its answer is parsed into models."""
    seen: list[Request] = []

    def handler(request: Request) -> Response:
        seen.append(request)
        return Response.from_json(JESSE)

    async def main() -> Subscriber:
        async with AsyncBento(**NOWHERE, transport=MockTransport(handler)) as bento:
            await bento.subscribers.create("jesse@example.com")
            found = await bento.subscribers.get(email="jesse@example.com")
            assert found is not None
            return found

    found = asyncio.run(main())
    assert found.email == "jesse@example.com"
    post, get = seen
    assert (post.method, post.path, post.family) == ("POST", "fetch/subscribers", "fetch")
    assert post.json() == {"subscriber": {"email": "jesse@example.com"}}
    assert (get.method, get.params, get.body, get.json()) == (
        "GET",
        (("email", "jesse@example.com"),),
        None,
        None,
    )


def test_bad_input_never_reaches_the_handler() -> None:
    """Validation happens before the transport: the handler is not called."""
    calls: list[Request] = []

    def handler(request: Request) -> Response:
        calls.append(request)
        return Response.from_json(JESSE)

    async def main() -> None:
        async with AsyncBento(**NOWHERE, transport=MockTransport(handler)) as bento:
            with pytest.raises(ValidationError):
                await bento.subscribers.create("not an email")

    asyncio.run(main())
    assert calls == []


def test_a_slow_async_handler_times_out_like_a_slow_server() -> None:
    """An async handler still running at the call's timeout is cancelled and the call
    raises RequestTimeoutError; retries go through the handler again."""
    cancelled: list[float] = []

    async def handler(request: Request) -> Response:
        try:
            await asyncio.sleep(60)
        except asyncio.CancelledError:
            cancelled.append(asyncio.get_running_loop().time())
            raise
        return Response.from_json(JESSE)

    async def main() -> RequestTimeoutError:
        retry = RetryPolicy(attempts=2, backoff_initial=0.5, backoff_max=0.5)
        transport = MockTransport(handler)
        async with AsyncBento(**NOWHERE, transport=transport, timeout=2, retry=retry) as bento:
            with pytest.raises(RequestTimeoutError) as info:
                await bento.subscribers.get(email="jesse@example.com")
            return info.value

    error = run_virtual(main)
    assert error.attempts == 2
    assert len(cancelled) == 2
    assert cancelled[0] == pytest.approx(2.0, abs=1e-3)
    assert 4.0 < cancelled[1] < 5.1  # the second try after a backoff of up to 0.5 s


def test_a_handler_acts_out_a_dropped_connection_and_its_own_timeout() -> None:
    """ConnectError and RequestTimeoutError raised by the handler reach the client as
    they are, and a safe request is retried after them."""
    answers: list[Exception | Response] = [
        ConnectError("reset", method="GET", path="fetch/subscribers"),
        RequestTimeoutError("timed out in the handler", method="GET", path="fetch/subscribers"),
        Response.from_json(JESSE),
    ]

    def handler(request: Request) -> Response:
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    async def main() -> Subscriber | None:
        retry = RetryPolicy(attempts=3, backoff_initial=0.01, backoff_max=0.01)
        async with AsyncBento(**NOWHERE, transport=MockTransport(handler), retry=retry) as bento:
            return await bento.subscribers.get(email="jesse@example.com")

    found = asyncio.run(main())
    assert found is not None
    assert answers == []


def test_an_answer_that_is_no_response_is_a_type_error() -> None:
    """A handler returning something else than a Response fails loudly."""

    async def main() -> None:
        transport = MockTransport(lambda request: {"data": None})  # type: ignore[arg-type,return-value]
        async with AsyncBento(**NOWHERE, transport=transport) as bento:
            with pytest.raises(TypeError, match="not a Response"):
                await bento.tags.list()

    asyncio.run(main())


def test_a_closed_mock_transport_refuses_requests() -> None:
    """After aclose the transport refuses requests, as a closed client does."""

    async def main() -> None:
        bento = AsyncBento(**NOWHERE, transport=MockTransport(lambda r: Response.from_json({})))
        await bento.aclose()
        with pytest.raises(ClientClosedError):
            await bento.tags.list()

    asyncio.run(main())


def test_the_sync_client_takes_a_transport() -> None:
    """Bento passes `transport` on to its AsyncBento; the handler runs on the client's loop,
    which a lone call runs on the calling thread."""
    threads: list[str] = []

    def handler(request: Request) -> Response:
        threads.append(threading.current_thread().name)
        return Response.from_json({"data": [{"id": "1", "attributes": {"name": "vip"}}]})

    with Bento(**NOWHERE, transport=MockTransport(handler)) as bento:
        tags = bento.tags.list()
    assert [t.name for t in tags] == ["vip"]
    assert threads == [threading.current_thread().name]


def test_response_from_json_and_the_protocol() -> None:
    """Response.from_json lower-cases header names and sets the JSON content type; a
    MockTransport is a Transport."""
    response = Response.from_json([1], status=429, headers={"Retry-After": "2"})
    assert (response.status, response.body) == (429, b"[1]")
    assert response.headers == {"retry-after": "2", "content-type": "application/json"}
    transport: Transport = MockTransport(lambda request: response)
    assert repr(transport).startswith("MockTransport(")


def test_the_seam_loads_no_server() -> None:
    """Importing the test seam loads neither aiohttp.web nor the emulator."""
    code = (
        "import sys\n"
        "from bento_async import MockTransport, Request, Response, Transport\n"
        "print(sorted(m for m in ('aiohttp.web', 'bento_emulator') if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
