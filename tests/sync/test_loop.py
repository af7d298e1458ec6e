"""The sync hand-off: one call handed to the loop thread, its outcome handed back."""

from __future__ import annotations

import asyncio
import gc
import threading
import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor

import pytest

from bento_async import RateLimits, RetryPolicy
from bento_sync import Bento
from bento_sync._loop import LoopThread, _Call


def test_a_call_cancelled_before_it_starts_leaves_nothing_behind() -> None:
    """Ctrl-C right after the hand-off cancels the task before its first step: the call's
    coroutine is never made, so none is left un-awaited (a warning, an error here)."""
    started: list[bool] = []

    async def call() -> None:
        started.append(True)

    async def main() -> None:
        handed = _Call[None]()
        handed.begin(call, (), {})
        handed.cancel()
        await asyncio.sleep(0)
        await asyncio.sleep(0)

    asyncio.run(main())
    gc.collect()
    assert started == []


def test_outcomes_cross_back_to_the_caller() -> None:
    """A result, an exception and a failure before the coroutine exists all reach the caller."""

    async def double(x: int) -> int:
        await asyncio.sleep(0)
        return 2 * x

    async def fail() -> None:
        raise LookupError("nope")

    def not_async() -> None:
        raise TypeError("not a coroutine function")

    loop = LoopThread("bento-test")
    try:
        assert loop.run(double, 21) == 42
        with pytest.raises(LookupError, match="nope"):
            loop.run(fail)
        with pytest.raises(TypeError, match="not a coroutine"):
            loop.run(not_async)  # type: ignore[arg-type]
        results: list[int] = []
        threads = [
            threading.Thread(target=lambda i=i: results.append(loop.run(double, i)))
            for i in range(8)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(results) == [2 * i for i in range(8)]
    finally:
        loop.stop()


def _here() -> str:
    return threading.current_thread().name


async def _where() -> str:
    await asyncio.sleep(0)
    return _here()


def test_the_loop_moves_to_its_thread_under_load_and_back_when_idle() -> None:
    """A lone call runs on its caller. A call made while another thread drives is run by
    that driver; when the driver's own call ends first, the loop thread takes over the
    rest. Once all is done the loop is parked, and a lone call runs on its caller again."""
    loop = LoopThread("bento-test")
    first_may_end, second_may_end = threading.Event(), threading.Event()
    first_began, second_began = threading.Event(), threading.Event()

    async def until(began: threading.Event, may_end: threading.Event) -> list[str]:
        seen = [_here()]
        began.set()
        await asyncio.get_running_loop().run_in_executor(None, may_end.wait)
        return [*seen, _here()]

    try:
        assert loop.run(_where) == _here()
        assert loop.thread is None
        with (
            ThreadPoolExecutor(1, thread_name_prefix="caller") as pool,
            ThreadPoolExecutor(1, thread_name_prefix="other") as other,
        ):
            first = pool.submit(loop.run, until, first_began, first_may_end)
            assert first_began.wait(5)
            second = other.submit(loop.run, until, second_began, second_may_end)
            assert second_began.wait(5)
            first_may_end.set()
            assert first.result(timeout=10) == ["caller_0", "caller_0"]
            second_may_end.set()
            assert second.result(timeout=10) == ["caller_0", "bento-test"]
        deadline = time.monotonic() + 5
        while loop._driver is not None and time.monotonic() < deadline:
            time.sleep(0.01)
        assert loop.run(_where) == _here()
    finally:
        loop.stop()
    assert loop.thread is not None
    assert not loop.thread.is_alive()


def test_a_task_left_running_by_a_call_is_driven_after_it_returns() -> None:
    """A call that starts a background task and returns leaves the loop to its thread until
    the task is done, instead of parking it with the task half-way."""
    loop = LoopThread("bento-test")
    done = threading.Event()
    kept: list[asyncio.Task[None]] = []

    async def later() -> None:
        await asyncio.sleep(0.05)
        done.set()

    async def start() -> None:
        kept.append(asyncio.get_running_loop().create_task(later()))

    try:
        loop.run(start)
        assert done.wait(5)
    finally:
        loop.stop()


def test_close_during_a_call_driven_by_another_thread() -> None:
    """close() while another thread drives the loop in a call: that call ends with the
    clear RuntimeError, and the loop is closed by whoever drove it."""
    loop = LoopThread("bento-test")
    started = threading.Event()

    async def forever() -> None:
        started.set()
        await asyncio.sleep(60)

    with ThreadPoolExecutor(1) as pool:
        call = pool.submit(loop.run, forever)
        assert started.wait(5)
        start = time.monotonic()
        loop.stop()
        with pytest.raises(RuntimeError, match="closed during the call"):
            call.result(timeout=10)
    assert time.monotonic() - start < 5
    with pytest.raises(RuntimeError, match="closed"):
        loop.run(_where)


@pytest.fixture
def forgetful_server() -> Iterator[str]:
    """An API that closes idle keep-alive connections after 0.2 s, as base URL."""
    from aiohttp import web

    async def tags(request: web.Request) -> web.Response:
        return web.json_response({"data": []})

    ready: Future[tuple[asyncio.AbstractEventLoop, str]] = Future()
    stop = threading.Event()

    async def serve() -> None:
        app = web.Application()
        app.router.add_get("/api/v1/fetch/tags", tags)
        runner = web.AppRunner(app, keepalive_timeout=0.2, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = runner.addresses[0][1]
        ready.set_result((asyncio.get_running_loop(), f"http://127.0.0.1:{port}/api/v1"))
        await asyncio.get_running_loop().run_in_executor(None, stop.wait)
        await runner.cleanup()

    thread = threading.Thread(target=asyncio.run, args=(serve(),))
    thread.start()
    yield ready.result(timeout=10)[1]
    stop.set()
    thread.join(10)


def test_a_parked_loop_notices_connections_closed_while_it_slept(forgetful_server: str) -> None:
    """The server closes the pooled connection while the loop is parked; the next call
    (no retries) gets a fresh connection instead of failing on the dead one."""
    with Bento(
        publishable_key="pk",
        secret_key="sk",
        site_uuid="s",
        base_url=forgetful_server,
        retry=RetryPolicy.none(),
        rate_limits=RateLimits.off(),
    ) as bento:
        for _ in range(3):
            assert bento.tags.list() == []
            time.sleep(0.5)  # past the server's keep-alive
