"""The background event queue against the emulator: batching, overflow, failures, accounting."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import AsyncIterator

import pytest

from bento_async import (
    AsyncBento,
    Event,
    EventQueue,
    QueueFullError,
    RateLimitError,
    RateLimits,
    RetryPolicy,
    ServerError,
    UndeliveredError,
    ValidationError,
)
from bento_emulator import BentoEmulator

pytestmark = pytest.mark.anyio

FAST_RETRY = RetryPolicy(attempts=3, backoff_initial=0.01, backoff_max=0.05)


class Failures:
    """An on_error callback that keeps what it was given."""

    def __init__(self) -> None:
        self.calls: list[tuple[list[Event], BaseException]] = []

    def __call__(self, events: list[Event], error: BaseException) -> None:
        self.calls.append((events, error))

    @property
    def events(self) -> int:
        return sum(len(events) for events, _ in self.calls)


@pytest.fixture
async def fast_emulator() -> AsyncIterator[BentoEmulator]:
    """An emulator with its rate limits off (the 100k run would otherwise wait an hour)."""
    async with BentoEmulator(rate_limits=None) as emu:
        yield emu


@pytest.fixture
async def client(fast_emulator: BentoEmulator) -> AsyncIterator[AsyncBento]:
    """A client with fast retries and no client-side limits."""
    async with AsyncBento(
        **fast_emulator.credentials, rate_limits=RateLimits.off(), retry=FAST_RETRY
    ) as bento:
        yield bento


def _batch_sizes(emulator: BentoEmulator) -> list[int]:
    return [
        len(r.json["events"])  # type: ignore[index, call-overload, arg-type]
        for r in emulator.requests
        if r.path.endswith("batch/events")
    ]


async def test_every_event_is_sent_reported_or_dropped(
    fast_emulator: BentoEmulator, client: AsyncBento
) -> None:
    """100,000 events from 8 threads and 4 tasks with 10% of requests failing (500s, not
    re-sent) and 5% more refused with 429 (retried): each event ends up sent, handed to
    on_error, or dropped, and the emulator holds exactly the sent ones."""
    fast_emulator.faults.fail_fraction(0.1, status=500, family="batch", seed=7)
    fast_emulator.faults.fail_fraction(0.05, status=429, family="batch", seed=8)
    failures = Failures()
    queue = client.events.queue(
        max_queue=100_000, overflow="drop_new", on_error=failures, interval=0.05, concurrency=4
    )
    per_worker = 100_000 // 12
    extra = 100_000 - per_worker * 12

    def thread_body(n: int, count: int) -> None:
        for i in range(count):
            queue.track(f"t{n}-{i}@example.com", "$visit")

    async def task_body(n: int) -> None:
        for i in range(per_worker):
            queue.track(f"a{n}-{i}@example.com", "$visit")
            if i % 500 == 0:
                await asyncio.sleep(0)  # let the sender and the other tasks run

    threads = [
        threading.Thread(target=thread_body, args=(n, per_worker + (extra if n == 0 else 0)))
        for n in range(8)
    ]
    for thread in threads:
        thread.start()
    await asyncio.gather(*(task_body(n) for n in range(4)))
    await asyncio.get_running_loop().run_in_executor(None, lambda: [t.join() for t in threads])
    await queue.close()

    stats = queue.stats
    assert stats.tracked == 100_000
    assert stats.queued == stats.in_flight == 0
    assert stats.sent + stats.failed + stats.dropped == 100_000
    assert stats.dropped == 0  # max_queue holds everything: overflow has its own tests
    assert failures.events == stats.failed
    assert stats.failed > 0  # the faults hit some batches, and those were not re-sent
    assert all(isinstance(error, (ServerError, RateLimitError)) for _, error in failures.calls)
    limited = [r for r in fast_emulator.requests if r.status == 429]
    assert limited  # and those batches were retried: the 429s outnumber what reached on_error
    assert len(limited) > sum(isinstance(e, RateLimitError) for _, e in failures.calls)
    assert len(fast_emulator.state.events) == stats.sent
    assert max(_batch_sizes(fast_emulator)) <= 1000


async def test_ambiguous_failures_are_resent_only_when_asked(
    fast_emulator: BentoEmulator, client: AsyncBento
) -> None:
    """A 500 on a batch of events is not retried (it may have fired automations) unless
    resend_ambiguous is set; either way the outcome is counted."""
    fast_emulator.faults.fail_next(1, status=500)
    failures = Failures()
    queue = client.events.queue(on_error=failures)
    queue.track("a@example.com", "signup")
    await queue.close()
    assert queue.stats.failed == 1
    assert queue.stats.sent == 0
    assert isinstance(failures.calls[0][1], ServerError)
    assert [e.email for e in failures.calls[0][0]] == ["a@example.com"]
    assert _batch_sizes(fast_emulator) == [1]

    fast_emulator.faults.fail_next(1, status=500)
    resending = client.events.queue(on_error=failures, resend_ambiguous=True)
    resending.track("b@example.com", "signup")
    await resending.close()
    assert resending.stats.sent == 1
    assert resending.stats.failed == 0
    assert _batch_sizes(fast_emulator) == [1, 1, 1]
    assert [e.email for e in fast_emulator.state.events] == ["b@example.com"]


async def test_track_checks_the_event_in_the_caller(client: AsyncBento) -> None:
    """A bad event raises ValidationError from track and is not counted."""
    queue = client.events.queue()
    with pytest.raises(ValidationError, match="email"):
        queue.track("not-an-email", "signup")
    with pytest.raises(ValidationError, match="amount"):
        queue.track_purchase("a@example.com", key="o1", amount=12.5)  # type: ignore[arg-type]
    assert queue.stats.tracked == 0
    await queue.close()


async def test_batches_fill_to_batch_size(fast_emulator: BentoEmulator, client: AsyncBento) -> None:
    """2,500 events go out as 1,000 + 1,000 + 500; purchases travel with the rest."""
    queue = client.events.queue(interval=60)
    for i in range(2499):
        queue.track(f"u{i}@example.com", "$visit", fields={"n": i})
    queue.track_purchase("buyer@example.com", key="order-1", amount=999)
    assert await queue.flush(timeout=30)
    assert sorted(_batch_sizes(fast_emulator)) == [500, 1000, 1000]
    assert queue.stats.sent == 2500
    assert fast_emulator.state.revenue_of("buyer@example.com") == {"USD": 999}
    await queue.close()


async def test_a_partial_batch_goes_out_after_the_interval(
    fast_emulator: BentoEmulator, client: AsyncBento
) -> None:
    """Without a flush, a few events are sent once the interval has passed."""
    queue = client.events.queue(interval=0.05)
    for i in range(3):
        queue.track(f"u{i}@example.com", "signup")
    deadline = time.monotonic() + 10
    while len(fast_emulator.state.events) < 3 and time.monotonic() < deadline:  # noqa: ASYNC110
        await asyncio.sleep(0.02)
    assert len(fast_emulator.state.events) == 3
    assert _batch_sizes(fast_emulator) == [3]
    await queue.close()


async def test_drop_new_counts_and_warns(
    client: AsyncBento, caplog: pytest.LogCaptureFixture
) -> None:
    """Past max_queue, drop_new drops the newest events, counts them and logs one WARNING."""
    queue = client.events.queue(max_queue=5, overflow="drop_new")
    with caplog.at_level(logging.WARNING, logger="bento_async.queue"):
        for i in range(8):  # the sender cannot run in between: no await
            queue.track(f"u{i}@example.com", "signup")
    assert queue.stats.dropped == 3
    assert queue.stats.queued == 5
    assert [r.levelname for r in caplog.records] == ["WARNING"]
    assert "dropping" in caplog.records[0].getMessage()
    await queue.close()
    assert queue.stats.sent == 5


async def test_raise_policy_and_block_on_the_loop_raise(client: AsyncBento) -> None:
    """overflow='raise' raises QueueFullError; 'block' cannot wait on the draining loop."""
    for overflow in ("raise", "block"):
        queue = client.events.queue(max_queue=2, overflow=overflow)  # type: ignore[arg-type]
        queue.track("a@example.com", "signup")
        queue.track("b@example.com", "signup")
        with pytest.raises(QueueFullError):
            queue.track("c@example.com", "signup")
        assert queue.stats.tracked == 2
        await queue.close()


async def test_block_policy_waits_for_room_in_a_thread(
    fast_emulator: BentoEmulator, client: AsyncBento
) -> None:
    """A thread tracking into a full 'block' queue waits until the sender makes room."""
    fast_emulator.faults.latency(0.05, times=None)
    queue = client.events.queue(max_queue=3, overflow="block", batch_size=2, interval=0.01)

    def produce() -> None:
        for i in range(20):
            queue.track(f"u{i}@example.com", "signup")

    await asyncio.get_running_loop().run_in_executor(None, produce)
    await queue.close()
    assert queue.stats.sent == 20
    assert queue.stats.dropped == 0
    assert len(fast_emulator.state.events) == 20


async def test_flush_timeout_and_close_report_what_was_cut_off(
    fast_emulator: BentoEmulator, client: AsyncBento
) -> None:
    """flush(timeout) returns False on a stalled API; close(timeout) cancels the send and
    reports its events as maybe sent, and the queue refuses new events."""
    fast_emulator.faults.stall(5.0)
    failures = Failures()
    queue = client.events.queue(on_error=failures)
    queue.track("a@example.com", "signup")
    assert not await queue.flush(timeout=0.2)
    assert queue.stats.in_flight == 1
    await queue.close(timeout=0.1)
    assert queue.stats.failed == 1
    assert queue.stats.in_flight == 0
    error = failures.calls[0][1]
    assert isinstance(error, UndeliveredError)
    assert error.maybe_sent
    with pytest.raises(RuntimeError, match="closed"):
        queue.track("b@example.com", "signup")


async def test_closing_the_client_flushes_its_queues(fast_emulator: BentoEmulator) -> None:
    """AsyncBento.aclose closes its queues first, so nothing queued is left behind."""
    async with AsyncBento(**fast_emulator.credentials, rate_limits=RateLimits.off()) as bento:
        queue = bento.events.queue(interval=60)
        queue.track("a@example.com", "signup")
    assert queue.stats.sent == 1
    assert [e.email for e in fast_emulator.state.events] == ["a@example.com"]


async def test_events_left_when_the_loop_ends_are_reported() -> None:
    """A queue whose loop ends without close hands its events to on_error, not to silence."""
    failures = Failures()

    def run() -> EventQueue:
        async def main() -> EventQueue:
            client = AsyncBento(publishable_key="p", secret_key="s", site_uuid="u")
            queue = client.events.queue(on_error=failures, interval=60)
            queue.track("a@example.com", "signup")
            await asyncio.sleep(0)  # the sender starts and waits for the interval
            return queue

        return asyncio.run(main())

    queue = await asyncio.get_running_loop().run_in_executor(None, run)
    assert queue.stats.failed == 1
    assert failures.events == 1
    assert isinstance(failures.calls[0][1], UndeliveredError)


async def test_bad_options_raise(client: AsyncBento) -> None:
    """Options are checked when the queue is made."""
    with pytest.raises(ValidationError) as info:
        client.events.queue(
            max_queue=0,
            overflow="sometimes",  # type: ignore[arg-type]
            batch_size=1001,
            interval=0,
            concurrency=0,
            on_error=42,  # type: ignore[arg-type]
            exit_timeout=-1,
        )
    paths = {issue.path for issue in info.value.issues}
    assert paths == {
        "max_queue",
        "overflow",
        "batch_size",
        "interval",
        "concurrency",
        "on_error",
        "exit_timeout",
    }
