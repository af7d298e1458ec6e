"""Bulk work against the emulator over real sockets: chunked imports, fan-out lookups,
failures, cancellation and dry runs."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from _bulk_faults import Faults, install

from bento_async import (
    AsyncBento,
    BulkCancelledError,
    BulkProgress,
    ChunkCancelledError,
    Event,
    RateLimit,
    RateLimits,
    RetryPolicy,
    ServerError,
    ValidationError,
)
from bento_emulator import BentoEmulator

pytestmark = pytest.mark.anyio

FAST_RETRY = RetryPolicy(attempts=2, backoff_initial=0.001, backoff_max=0.001)


@pytest.fixture
def faults(monkeypatch: pytest.MonkeyPatch) -> Faults:
    """Faults applied by every emulator started in this test."""
    return install(monkeypatch)


@pytest.fixture
async def emu(faults: Faults) -> AsyncIterator[BentoEmulator]:
    """An emulator (with the faults middleware) on this test's loop."""
    async with BentoEmulator() as emulator:
        yield emulator


@pytest.fixture
async def client(emu: BentoEmulator) -> AsyncIterator[AsyncBento]:
    """A client with limits off and quick retries."""
    async with AsyncBento(**emu.credentials, rate_limits=RateLimits.off(), retry=FAST_RETRY) as c:
        yield c


def _emails(emu: BentoEmulator) -> set[str]:
    return {s.email for s in emu.state.subscribers}


def _record(i: int) -> dict[str, Any]:
    if i % 997 == 5:
        return {"email": f"broken{i}", "n": i}  # rejected client-side
    if i in (7_000, 19_001):
        return {"email": f"user{i}@example.com", "grid": [[1, 2]]}  # rejected by the API
    return {"email": f"user{i}@example.com", "n": i}


async def test_import_25k_with_failing_chunks_adds_up_and_replays(
    client: AsyncBento, emu: BentoEmulator, faults: Faults
) -> None:
    """25,000 records, three poisoned chunks: every record is accounted for, and replaying
    failed_records imports exactly the rest."""
    faults.poisoned = {"user3000@example.com", "user11111@example.com", "user24999@example.com"}
    result = await client.subscribers.import_many(_record(i) for i in range(25_000))

    invalid = [i for i in range(25_000) if i % 997 == 5]
    assert [r.position for r in result.invalid] == invalid
    assert result.total == 25_000
    assert result.accepted + result.failed + len(result.invalid) == 25_000
    lost = [c for c in result.chunks if c.error is not None]
    assert len(lost) == 3
    assert all(isinstance(c.error, ServerError) and c.error.attempts == 2 for c in lost)
    failed_emails = [r["email"] for r in result.failed_records]
    assert faults.poisoned <= set(failed_emails)
    assert len(result.failed_records) == sum(c.count for c in lost)
    assert failed_emails == sorted(failed_emails, key=lambda e: int(e[4:].split("@")[0]))
    # The two nested-list records were refused by the API inside answered chunks.
    assert result.failed == len(result.failed_records) + 2
    assert sum(c.failed for c in result.chunks if c.error is None) == 2
    valid = {f"user{i}@example.com" for i in range(25_000) if i not in invalid}
    refused = {"user7000@example.com", "user19001@example.com"}
    assert _emails(emu) == valid - refused - set(failed_emails)
    assert result.accepted == len(_emails(emu))

    faults.poisoned.clear()
    replay = await client.subscribers.import_many(result.failed_records)
    assert replay.ok
    assert replay.accepted == len(result.failed_records)
    assert _emails(emu) == valid - refused


async def test_failed_event_chunk_is_not_retried_but_kept(
    client: AsyncBento, faults: Faults
) -> None:
    """An event chunk failing with 500 is not repeated (it would fire automations twice);
    a chunk of purchases is; both keep the caller's own objects."""
    faults.poisoned = {"poison@example.com"}
    events = [
        Event.custom("poison@example.com", "signed_up"),
        {"email": "a@example.com", "type": "x"},
    ]
    result = await client.events.track_many(events)
    (chunk,) = result.chunks
    assert isinstance(chunk.error, ServerError)
    assert chunk.error.attempts == 1
    assert result.failed_records[0] is events[0]
    assert result.failed_records[1] is events[1]
    purchases = [Event.purchase("poison@example.com", key="o-1", amount=100)]
    result = await client.events.track_many(purchases)
    assert isinstance(result.chunks[0].error, ServerError)
    assert result.chunks[0].error.attempts == 2


async def test_fan_out_thousands_one_outcome_per_input_in_order(
    client: AsyncBento, emu: BentoEmulator, faults: Faults
) -> None:
    """3,000 lookups, some found, some missing, some failing, some malformed: one Lookup per
    input, in input order, each with its own outcome."""
    keys = []
    for i in range(3_000):
        kind = i % 6
        email = f"user{i}@example.com" if kind != 5 else f"user{i}"
        keys.append(email)
        if kind < 3:
            emu.state.find_or_create_subscriber(email)
        elif kind == 4:
            faults.failing.add(email)

    async def source() -> AsyncIterator[str]:
        for key in keys:
            yield key

    lookups = await client.subscribers.get_many(source(), concurrency=64)
    assert [lk.index for lk in lookups] == list(range(3_000))
    assert [lk.key for lk in lookups] == keys
    for i, lookup in enumerate(lookups):
        kind = i % 6
        if kind < 3:
            assert lookup.found
            assert lookup.subscriber is not None
            assert lookup.subscriber.email == keys[i]
        elif kind == 3:
            assert (lookup.found, lookup.error) == (False, None)
        elif kind == 4:
            assert isinstance(lookup.error, ServerError)
            assert lookup.error.attempts == 2
        else:
            assert isinstance(lookup.error, ValidationError)
    assert faults.max_in_flight <= 64
    assert faults.lookups == 2_500 + 500  # malformed keys never reach the server


async def test_fan_out_runs_one_task_per_slot_not_per_key(
    client: AsyncBento, emu: BentoEmulator
) -> None:
    """get_many and stream_many over 400 keys start at most `concurrency` tasks of their own
    (long-lived runners), not one per key."""
    for i in range(0, 400, 2):
        emu.state.find_or_create_subscriber(f"user{i}@example.com")
    loop = asyncio.get_running_loop()
    made: list[str] = []

    def counting(loop: asyncio.AbstractEventLoop, coro: Any, **kwargs: Any) -> asyncio.Task[Any]:
        code = getattr(coro, "cr_code", None)
        if code is not None and "bento_async" in code.co_filename:  # not the emulator's
            made.append(coro.__qualname__)
        return asyncio.Task(coro, loop=loop, **kwargs)

    keys = [f"user{i}@example.com" for i in range(400)]
    loop.set_task_factory(counting)
    try:
        lookups = await client.subscribers.get_many(keys, concurrency=16)
        streamed = [lk async for lk in client.subscribers.stream_many(keys, concurrency=16)]
    finally:
        loop.set_task_factory(None)
    assert [lk.found for lk in lookups] == [i % 2 == 0 for i in range(400)]
    assert sorted(lk.index for lk in streamed) == list(range(400))
    assert made.count("_FanOut._run") <= 2 * 16
    assert len(made) <= 2 * 16 + 4, sorted(set(made))


async def test_lookups_by_uuid(client: AsyncBento, emu: BentoEmulator) -> None:
    """get_many looks up by uuid too."""
    subs = [emu.state.find_or_create_subscriber(f"u{i}@example.com")[0] for i in range(3)]
    lookups = await client.subscribers.get_many(uuids=[s.uuid for s in subs] + ["nope"])
    assert [lk.subscriber.email if lk.subscriber else None for lk in lookups] == [
        "u0@example.com",
        "u1@example.com",
        "u2@example.com",
        None,
    ]


async def test_stream_yields_as_completed_with_bounded_input(
    client: AsyncBento, faults: Faults
) -> None:
    """stream_many yields fast lookups before slow ones, keeps `concurrency` in flight, and
    reads an endless input only as slots free up (the first lookup goes alone)."""
    faults.slow = {"user1@example.com": 0.3}
    read = 0

    def endless() -> Iterator[str]:
        nonlocal read
        for i in itertools.count():
            read += 1
            yield f"user{i}@example.com"

    seen = []
    stream = client.subscribers.stream_many(endless(), concurrency=8)
    async with contextlib.aclosing(stream):  # type: ignore[type-var]
        async for lookup in stream:
            seen.append(lookup.index)
            if len(seen) == 100:
                break
    assert seen[0] == 0
    assert 1 not in seen[:50]
    assert faults.max_in_flight <= 8
    assert read <= 100 + 8 + 8
    runners = [t for t in asyncio.all_tasks() if "_FanOut._run" in repr(t.get_coro())]
    assert runners == []  # closing ended the runners and cancelled the lookups in flight


async def test_cancelling_mid_import_accounts_for_every_record(
    client: AsyncBento, emu: BentoEmulator, faults: Faults
) -> None:
    """Cancelling the task raises BulkCancelledError whose result accounts for every record
    read: accepted, failed with records kept (in flight or never sent), or invalid."""
    faults.batch_delay = 0.02
    read: list[dict[str, Any]] = []

    def records() -> Iterator[dict[str, Any]]:
        for i in range(20_000):
            read.append(_record(i))
            yield read[-1]

    def progress(p: BulkProgress) -> None:
        if p.accepted >= 500 and not task.cancelled():
            task.cancel()

    task = asyncio.ensure_future(
        client.subscribers.import_many(
            records(), chunk_size=100, concurrency=3, on_progress=progress
        )
    )
    with pytest.raises(asyncio.CancelledError) as info:
        await task
    assert task.cancelled()
    result = BulkCancelledError.result_of(info.value)  # the error itself on Python 3.11+
    assert result is not None
    assert result.cancelled
    assert len(read) < 20_000
    assert result.total == len(read)
    assert result.accepted + result.failed + len(result.invalid) == len(read)
    errors = [c.error for c in result.chunks if c.error is not None]
    assert all(isinstance(e, ChunkCancelledError) for e in errors)
    in_flight = [c for c in result.chunks if getattr(c.error, "maybe_processed", False)]
    assert in_flight, "some chunks were in flight when cancelled"
    assert len(errors) - len(in_flight) <= 1  # at most one chunk was read and not sent
    failed = {r["email"] for r in result.failed_records}
    invalid = {r.record["email"] for r in result.invalid}
    assert failed | invalid | _emails(emu) == {r["email"] for r in read}
    maybe = sum(c.count for c in in_flight)
    assert result.accepted <= len(_emails(emu)) <= result.accepted + maybe


async def test_dry_run_sends_nothing(client: AsyncBento, emu: BentoEmulator) -> None:
    """A dry run checks every record and reports requests, records and invalid positions."""
    seen: list[BulkProgress] = []
    records = [_record(i) for i in range(2_500)]
    result = await client.subscribers.import_many(records, dry_run=True, on_progress=seen.append)
    assert emu.requests == []
    assert (result.dry_run, result.requests, result.accepted, result.failed) == (True, 3, 0, 0)
    assert [r.position for r in result.invalid] == [5, 1002, 1999]
    assert [c.count for c in result.chunks] == [1000, 1000, 497]
    assert [c.first for c in result.chunks] == [0, 1001, 2003]
    assert result.total == 2_500
    assert result.failed_records == ()
    assert seen[-1] == BulkProgress(sent=2_497, accepted=0, failed=0, invalid=3, waiting=0.0)


async def test_progress_grows_and_counts_limiter_waits(emu: BentoEmulator) -> None:
    """Progress counts only grow, end at the result's figures, and include limiter waits."""
    limits = RateLimits.profile("seed", batch=RateLimit(10, 0.2))
    seen: list[BulkProgress] = []
    async with AsyncBento(**emu.credentials, rate_limits=limits) as client:
        result = await client.subscribers.import_many(
            (_record(i) for i in range(600)), chunk_size=100, on_progress=seen.append
        )
    for before, after in itertools.pairwise(seen):
        assert after.sent >= before.sent
        assert after.accepted >= before.accepted
        assert after.failed >= before.failed
        assert after.invalid >= before.invalid
        assert after.waiting >= before.waiting
    last = seen[-1]
    assert (last.accepted, last.failed, last.invalid) == (
        result.accepted,
        result.failed,
        len(result.invalid),
    )
    assert last.waiting > 0


async def test_async_input_is_read_lazily(client: AsyncBento, emu: BentoEmulator) -> None:
    """An async input is read a chunk at a time: never more than the chunks in flight,
    the one being filled and one more ahead of what was answered."""
    read = 0
    worst = 0

    async def source() -> AsyncIterator[dict[str, Any]]:
        nonlocal read
        for i in range(5_000):
            read += 1
            yield {"email": f"user{i}@example.com"}

    def progress(p: BulkProgress) -> None:
        nonlocal worst
        worst = max(worst, read - p.accepted - p.failed - p.invalid)

    result = await client.subscribers.import_many(
        source(), chunk_size=100, concurrency=2, on_progress=progress
    )
    assert result.ok
    assert result.accepted == 5_000
    assert 0 < worst <= (2 + 2) * 100
    assert len(_emails(emu)) == 5_000


class _Record(dict[str, Any]):
    """A record that can be watched through a weak reference."""


async def test_sent_records_are_not_kept_after_the_run(bento: AsyncBento) -> None:
    """Once a run ends, nothing of the SDK keeps its accepted records alive, not even the
    pooled connections whose contexts outlive the chunk tasks that opened them."""
    import gc
    import weakref

    refs: list[weakref.ref[_Record]] = []

    def records() -> Iterator[_Record]:
        for i in range(2_500):
            record = _Record(email=f"user{i}@example.com", fields={"plan": "pro"})
            refs.append(weakref.ref(record))
            yield record

    result = await bento.subscribers.import_many(records(), chunk_size=500, concurrency=4)
    assert result.accepted == 2_500
    del result
    gc.collect()
    alive = sum(ref() is not None for ref in refs)
    assert alive == 0, f"{alive} sent records still alive after the run"
