"""Real process models: errors cross process boundaries (pickle), clients refuse to, a
client closed from another loop closes properly, and keys stay out of SDK frames."""

from __future__ import annotations

import asyncio
import base64
import gc
import pickle
import threading
import traceback
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from types import TracebackType

import attrs
import pytest
from _hostile import PUBLISHABLE, SECRET, client, json_reply, serve
from aiohttp import web

import bento_async
from bento_async import (
    ApiError,
    AsyncBento,
    BulkCancelledError,
    BulkInterruptedError,
    BulkResult,
    ChunkCancelledError,
    ChunkOutcome,
    ConfigError,
    DecodeError,
    InputIssue,
    NotVisibleError,
    RateLimitWaitError,
    RetryPolicy,
    ServerError,
    TransportError,
    ValidationError,
)
from bento_emulator import BentoEmulator

pytestmark = pytest.mark.anyio

TOKEN = base64.b64encode(f"{PUBLISHABLE}:{SECRET}".encode()).decode()


def public_errors() -> list[type[BaseException]]:
    """Every error class bento_async exports."""
    exported = (getattr(bento_async, name) for name in bento_async.__all__)
    return [c for c in exported if isinstance(c, type) and issubclass(c, BaseException)]


def example(cls: type[BaseException]) -> BaseException:
    """Return an instance of ``cls`` with every attribute set as the SDK sets it."""
    where = {"method": "POST", "path": "batch/events"}
    result = BulkResult(
        accepted=1,
        failed=1,
        chunks=(ChunkOutcome(0, 0, 2, 1, 1, ChunkCancelledError(maybe_processed=True)),),
        failed_records=({"email": "b@example.com"},),
        invalid=(),
        requests=1,
        cancelled=True,
    )
    if issubclass(cls, ApiError):
        return cls("boom", status=503, body={"error": "boom"}, attempts=2, retry_after=1.5, **where)
    if issubclass(cls, TransportError):
        return cls("dropped", attempts=3, **where)
    if cls is DecodeError:
        return cls("not JSON", status=200, body="<html>", **where)
    if cls is ValidationError:
        return cls([InputIssue("events[3].email", "bad"), InputIssue("", "second")])
    if cls is RateLimitWaitError:
        return cls("batch", 12.0, 5.0, attempts=2, retry_after=3.0)
    if cls is ChunkCancelledError:
        return cls(maybe_processed=False)
    if cls is NotVisibleError:
        return cls("jesse@example.com", 30.0)
    if cls is bento_async.UndeliveredError:
        return cls("the queue closed first", maybe_sent=True, rejected=2)  # type: ignore[call-arg]
    if cls in (BulkCancelledError, BulkInterruptedError):
        return cls(result)  # type: ignore[call-arg]
    return cls("plain message")  # type: ignore[call-arg]


@pytest.mark.parametrize("cls", public_errors(), ids=lambda c: c.__name__)
def test_every_public_error_round_trips_through_pickle(cls: type[BaseException]) -> None:
    """Type, message and attributes survive pickling, as Celery and multiprocessing need."""
    error = example(cls)
    back = pickle.loads(pickle.dumps(error))
    assert type(back) is cls
    assert str(back) == str(error)
    assert back.args == error.args
    assert comparable(vars(back)) == comparable(vars(error))


def comparable(value: object) -> object:
    """Return ``value`` with nested errors (equal only to themselves) as (type, str, vars)."""
    if isinstance(value, BaseException):
        return (type(value), str(value), comparable(vars(value)))
    if isinstance(value, dict):
        return {k: comparable(v) for k, v in value.items()}
    if isinstance(value, BulkResult):
        bare = [attrs.evolve(c, error=None) for c in value.chunks]
        return (
            attrs.evolve(value, chunks=tuple(bare)),
            [comparable(c.error) for c in value.chunks],
        )
    return value


def _raise_in_child() -> None:
    raise ServerError("boom", status=502, method="GET", path="fetch/tags", attempts=3)


def test_errors_cross_a_process_pool() -> None:
    """A ServerError raised in a worker process arrives whole in the parent."""
    with (
        ProcessPoolExecutor(1, mp_context=get_context("spawn")) as pool,
        pytest.raises(ServerError) as info,
    ):
        pool.submit(_raise_in_child).result(60)
    assert (info.value.status, info.value.attempts) == (502, 3)


def test_clients_refuse_pickling() -> None:
    """Pickling a client raises a clear TypeError instead of writing its keys out."""
    bento = client("http://127.0.0.1:1/api/v1")
    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(bento)
    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(bento.with_options(timeout=5))
    with pytest.raises(TypeError):
        pickle.dumps(bento.config)


async def test_aclose_from_another_running_loop_closes_properly(
    emulator: BentoEmulator,
) -> None:
    """A client used on a loop in another thread and closed from this loop closes its
    connections on its own loop: no unclosed socket is left (warnings are errors)."""
    other = asyncio.new_event_loop()
    thread = threading.Thread(target=other.run_forever, daemon=True)
    thread.start()
    try:
        bento = AsyncBento(**emulator.credentials)
        used = asyncio.run_coroutine_threadsafe(bento.tags.list(), other)
        await asyncio.wrap_future(used)
        await bento.aclose()
        await bento.aclose()  # idempotent
        bento = None  # type: ignore[assignment]
        gc.collect()
    finally:
        other.call_soon_threadsafe(other.stop)
        thread.join(10)
        other.close()


def test_aclose_after_the_clients_loop_ended_raises_clearly(
    threaded_emulator: BentoEmulator,
) -> None:
    """Once the loop the client sent on is gone, aclose() elsewhere says how to close it."""
    bento = AsyncBento(**threaded_emulator.credentials)
    loop = asyncio.new_event_loop()
    loop.run_until_complete(bento.tags.list())
    with pytest.raises(RuntimeError, match="Close the client on its own loop"):
        asyncio.run(bento.aclose())
    loop.run_until_complete(bento.aclose())  # on its own loop it closes
    loop.close()


def test_repr_of_a_half_built_client_does_not_raise() -> None:
    """A client whose __init__ failed still renders (tracebacks with locals show it)."""
    assert repr(AsyncBento.__new__(AsyncBento)) == "AsyncBento(<not configured>)"


def sdk_locals(tb: TracebackType | None) -> list[str]:
    """Return the repr of every local of every SDK frame in a traceback."""
    shown = []
    while tb is not None:
        frame = tb.tb_frame
        if "/bento_async/" in frame.f_code.co_filename:
            shown.extend(f"{name}={value!r}" for name, value in frame.f_locals.items())
        tb = tb.tb_next
    return shown


def assert_no_keys(texts: list[str]) -> None:
    """No text holds either key or the Authorization token."""
    for text in texts:
        for secret in (SECRET, PUBLISHABLE, TOKEN):
            assert secret not in text


def test_config_error_traceback_with_locals_renders_without_keys() -> None:
    """A ConfigError's traceback renders with its locals, and no SDK frame holds a key."""
    with pytest.raises(ConfigError) as info:
        AsyncBento(publishable_key=PUBLISHABLE, secret_key=SECRET, site_uuid="s", base_url="ftp:x")
    rendered = traceback.TracebackException.from_exception(info.value, capture_locals=True)
    text = "".join(rendered.format())
    assert "AsyncBento(<not configured>)" in text
    assert_no_keys(sdk_locals(info.tb))


async def test_failed_call_error_and_frames_hold_no_keys() -> None:
    """A failed call's error pickles without either key or the header in its bytes, and
    its traceback's SDK frames hold none of them either."""

    async def reply(request: web.BaseRequest) -> web.Response:
        return json_reply({"error": "down"}, status=500)

    async with serve(reply) as url, client(url, retry=RetryPolicy.none()) as bento:
        with pytest.raises(ServerError) as info:
            await bento.tags.list()
    data = pickle.dumps(info.value)
    assert str(pickle.loads(data)) == str(info.value)
    rendered = traceback.TracebackException.from_exception(info.value, capture_locals=True)
    assert_no_keys([data.decode("latin-1"), "".join(rendered.format()), *sdk_locals(info.tb)])
