"""Hostile replies from small servers on 127.0.0.1: deeply nested JSON, oversized and
endless bodies, odd success statuses, HTML error pages. Nothing escapes untyped."""

from __future__ import annotations

import gzip
import json
import zlib

import pytest
from _hostile import DEEP_JSON, client, json_reply, serve
from aiohttp import web

from bento_async import (
    ApiError,
    ConnectError,
    DecodeError,
    PermissionDeniedError,
    RetryPolicy,
    ServerError,
    Timeouts,
)
from bento_async._http import Request, Response

pytestmark = pytest.mark.anyio


def constant(status: int, body: bytes, content_type: str = "application/json") -> web.Response:
    """Return a response with a fixed body."""
    return web.Response(status=status, body=body, content_type=content_type)


@pytest.mark.parametrize(
    ("status", "error"),
    [(200, DecodeError), (400, ApiError), (500, ServerError)],
    ids=["200", "400", "500"],
)
async def test_deeply_nested_json_is_typed(status: int, error: type[Exception]) -> None:
    """50,000 nested arrays give DecodeError on a success and the status's ApiError
    otherwise, never a RecursionError."""

    async def reply(request: web.BaseRequest) -> web.Response:
        return constant(status, DEEP_JSON)

    async with serve(reply) as url, client(url) as bento:
        with pytest.raises(error) as info:
            await bento.tags.list()
    assert len(str(info.value)) < 600


async def test_deep_json_in_one_chunk_is_that_chunks_outcome() -> None:
    """A chunk answered with deeply nested JSON is reported failed; the chunks before and
    after it are accepted, and the counts add up."""

    async def reply(request: web.BaseRequest) -> web.Response:
        body = await request.json()
        emails = [s["email"] for s in body["subscribers"]]
        if "b@example.com" in emails:
            return constant(200, DEEP_JSON)
        return json_reply({"results": len(emails), "failed": 0})

    records = [{"email": f"{c}@example.com"} for c in "abc"]
    async with serve(reply) as url, client(url) as bento:
        result = await bento.subscribers.import_many(records, chunk_size=1, concurrency=1)
    assert (result.accepted, result.failed, len(result.invalid)) == (2, 1, 0)
    assert isinstance(result.chunks[1].error, DecodeError)
    assert result.failed_records == ({"email": "b@example.com"},)


async def test_deep_json_in_an_events_chunk_keeps_the_result() -> None:
    """track_many returns a result whose counts add up when one chunk's reply is hostile."""

    async def reply(request: web.BaseRequest) -> web.Response:
        body = await request.json()
        if any(e["email"] == "b@example.com" for e in body["events"]):
            return constant(200, DEEP_JSON)
        return json_reply({"results": len(body["events"])})

    events = [{"email": f"{c}@example.com", "type": "$visit"} for c in "abcd"]
    async with serve(reply) as url, client(url) as bento:
        result = await bento.events.track_many(events, chunk_size=1, concurrency=2)
    assert result.accepted + result.failed + len(result.invalid) == 4
    assert result.failed == 1


async def test_one_hostile_lookup_never_stops_the_rest() -> None:
    """get_many reports a deeply nested reply as that lookup's error and goes on."""

    async def reply(request: web.BaseRequest) -> web.Response:
        if request.query["email"] == "b@example.com":
            return constant(200, DEEP_JSON)
        return json_reply({"data": None})

    keys = ["a@example.com", "b@example.com", "c@example.com"]
    async with serve(reply) as url, client(url) as bento:
        lookups = await bento.subscribers.get_many(keys)
    assert [lk.key for lk in lookups] == keys
    assert isinstance(lookups[1].error, DecodeError)
    assert [lk.error for lk in (lookups[0], lookups[2])] == [None, None]


class _BrokenForB:
    """A transport raising an error the SDK does not know (OSError) for b@example.com."""

    async def send(self, request: Request, timeouts: Timeouts) -> Response:
        if (
            b"b@example.com" in (request.body or b"")
            or ("email", "b@example.com") in request.params
        ):
            raise OSError("transport bug")
        if request.method == "GET":
            return Response(200, {}, b'{"data": null}')
        return Response(200, {}, b'{"results": 1, "failed": 0}')

    async def aclose(self) -> None:
        pass


async def test_an_unknown_exception_is_that_chunks_or_lookups_outcome() -> None:
    """An exception that is not a BentoError fails its chunk or lookup only; the call returns."""
    keys = [f"{c}@example.com" for c in "abc"]
    async with client("http://127.0.0.1:9/api/v1", transport=_BrokenForB()) as bento:
        result = await bento.subscribers.import_many(
            [{"email": k} for k in keys], chunk_size=1, concurrency=1
        )
        lookups = await bento.subscribers.get_many(keys)
    assert (result.accepted, result.failed) == (2, 1)
    assert isinstance(result.chunks[1].error, OSError)
    assert [type(lk.error) for lk in lookups] == [type(None), OSError, type(None)]


async def test_endless_success_body_stops_at_the_cap() -> None:
    """A success body past max_response_bytes ends in DecodeError after reading the cap."""
    sent: list[int] = []

    async def reply(request: web.BaseRequest) -> web.StreamResponse:
        response = web.StreamResponse()
        response.enable_chunked_encoding()
        await response.prepare(request)
        block = b" " * 65536
        try:
            for _ in range(10_000):  # 640 MiB unless the client stops reading
                await response.write(block)
                sent.append(len(block))
        except (ConnectionError, RuntimeError):
            pass
        return response

    async with serve(reply) as url, client(url, max_response_bytes=256 * 1024) as bento:
        with pytest.raises(DecodeError, match="max_response_bytes"):
            await bento.tags.list()
    assert sum(sent) < 64 * 1024 * 1024


async def test_gzip_body_is_capped_after_decompression() -> None:
    """A small gzip body inflating past the cap is cut at the cap (decompressed bytes count)."""
    inflated = b" " * (4 * 1024 * 1024)

    async def reply(request: web.BaseRequest) -> web.Response:
        response = web.Response(body=gzip.compress(inflated), content_type="application/json")
        response.headers["Content-Encoding"] = "gzip"
        return response

    async with serve(reply) as url, client(url, max_response_bytes=1024 * 1024) as bento:
        with pytest.raises(DecodeError, match="larger than 1048576 bytes"):
            await bento.tags.list()


async def test_error_text_comes_from_the_first_bytes_only() -> None:
    """A 500 with a 5 MB JSON body gives a short message; the body is not decoded whole."""
    huge = json.dumps({"error": "x" * (5 * 1024 * 1024)}).encode()

    async def reply(request: web.BaseRequest) -> web.Response:
        return constant(500, huge)

    async with serve(reply) as url, client(url) as bento:
        with pytest.raises(ServerError) as info:
            await bento.tags.list()
    assert len(str(info.value)) < 600
    assert isinstance(info.value.body, str)
    assert len(info.value.body) < 1000


@pytest.mark.parametrize("status", [202, 204])
async def test_202_and_204_are_decode_errors(status: int) -> None:
    """A success status whose body does not fit is a DecodeError, not an ApiError."""

    async def reply(request: web.BaseRequest) -> web.Response:
        return web.Response(status=status)

    async with serve(reply) as url, client(url) as bento:
        with pytest.raises(DecodeError, match="empty body") as info:
            await bento.tags.list()
    assert info.value.status == status


@pytest.mark.parametrize(("status", "blames_user_agent"), [(403, True), (502, False), (404, False)])
async def test_only_a_403_html_page_blames_the_user_agent(
    status: int, blames_user_agent: bool
) -> None:
    """An HTML error page from a proxy (502) says so; only the edge's 403 names the UA."""

    async def reply(request: web.BaseRequest) -> web.Response:
        page = b"<!DOCTYPE html><html><body>Bad gateway</body></html>"
        return constant(status, page, "text/html")

    async with serve(reply) as url, client(url, retry=RetryPolicy.none()) as bento:
        with pytest.raises(ApiError) as info:
            await bento.tags.list()
    assert ("User-Agent" in str(info.value)) is blames_user_agent
    assert isinstance(info.value, PermissionDeniedError) is (status == 403)
    assert f"HTTP {status}" in str(info.value) or status == 403


@pytest.mark.parametrize("coding", ["gzip", "deflate"])
async def test_compressed_replies_are_inflated(coding: str) -> None:
    """gzip and deflate bodies (the only codings asked for) decode as usual."""
    seen: list[str] = []

    async def reply(request: web.BaseRequest) -> web.Response:
        seen.append(request.headers["Accept-Encoding"])
        body = b'{"data": []}'
        packed = gzip.compress(body) if coding == "gzip" else zlib.compress(body)
        response = web.Response(body=packed, content_type="application/json")
        response.headers["Content-Encoding"] = coding
        return response

    async with serve(reply) as url, client(url) as bento:
        assert await bento.tags.list() == []
    assert seen == ["gzip, deflate"]


async def test_corrupt_compressed_body_is_a_connect_error() -> None:
    """A gzip body that does not inflate is a typed ConnectError, not a zlib.error."""

    async def reply(request: web.BaseRequest) -> web.Response:
        response = web.Response(body=b"\x1f\x8b\x08\x00garbage", content_type="application/json")
        response.headers["Content-Encoding"] = "gzip"
        return response

    async with serve(reply) as url, client(url, retry=RetryPolicy.none()) as bento:
        with pytest.raises(ConnectError, match="corrupt"):
            await bento.tags.list()
