"""Bulk work through the sync facade: inputs read in the caller's thread, chunks handed to the
loop, callbacks in the caller's thread, Ctrl-C between chunks with the partial result."""

from __future__ import annotations

import _thread
import threading
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from _bulk_faults import Faults, install

from bento_async import RateLimits, RetryPolicy
from bento_emulator import BentoEmulator
from bento_sync import (
    Bento,
    BulkInterruptedError,
    BulkProgress,
    BulkResult,
    ChunkCancelledError,
    ServerError,
    ValidationError,
)

FAST_RETRY = RetryPolicy(attempts=2, backoff_initial=0.001, backoff_max=0.001)


@pytest.fixture
def faults(monkeypatch: pytest.MonkeyPatch) -> Faults:
    """Faults applied by every emulator started in this test."""
    return install(monkeypatch)


@pytest.fixture
def emu(faults: Faults) -> Iterator[BentoEmulator]:
    """A threaded emulator with the faults middleware."""
    with BentoEmulator() as emulator:
        yield emulator


@pytest.fixture
def client(emu: BentoEmulator) -> Iterator[Bento]:
    """A sync client with limits off and quick retries."""
    with Bento(**emu.credentials, rate_limits=RateLimits.off(), retry=FAST_RETRY) as c:
        yield c


class Reader:
    """A plain iterator of records that notes which threads read it."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.read: list[dict[str, Any]] = []
        self.threads: set[int] = set()

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for i in range(self.n):
            self.threads.add(threading.get_ident())
            record = {"email": f"user{i}@example.com"} if i % 500 != 7 else {"email": "bad"}
            self.read.append(record)
            yield record


def _emails(emu: BentoEmulator) -> set[str]:
    return {s.email for s in emu.state.subscribers}


def _check_accounts(result: BulkResult, reader: Reader, emu: BentoEmulator) -> None:
    """Every record read is accepted (and in the emulator), kept as failed, or invalid."""
    assert result.total == len(reader.read)
    assert result.accepted + result.failed + len(result.invalid) == len(reader.read)
    failed = {r["email"] for r in result.failed_records}
    invalid_positions = [r.position for r in result.invalid]
    assert invalid_positions == [i for i, r in enumerate(reader.read) if r["email"] == "bad"]
    good = {r["email"] for r in reader.read} - {"bad"}
    assert failed | _emails(emu) == good


def test_import_reads_input_and_runs_callbacks_in_callers_thread(
    client: Bento, emu: BentoEmulator, faults: Faults
) -> None:
    """The loop never iterates the caller's iterable; progress arrives in the caller's
    thread, only growing; a failed chunk is kept for replay."""
    faults.poisoned = {"user1234@example.com"}
    reader = Reader(5_000)
    seen: list[tuple[int, BulkProgress]] = []
    result = client.subscribers.import_many(
        reader, chunk_size=500, on_progress=lambda p: seen.append((threading.get_ident(), p))
    )
    assert reader.threads == {threading.get_ident()}
    assert {thread for thread, _ in seen} == {threading.get_ident()}
    counts = [(p.sent, p.accepted, p.failed, p.invalid) for _, p in seen]
    assert counts == sorted(counts)
    assert seen[-1][1].accepted == result.accepted
    (lost,) = [c for c in result.chunks if c.error is not None]
    assert isinstance(lost.error, ServerError)
    _check_accounts(result, reader, emu)
    assert len(result.failed_records) == 500
    faults.poisoned.clear()
    assert client.subscribers.import_many(result.failed_records).accepted == 500


def test_ctrl_c_in_callback_stops_between_chunks(
    client: Bento, emu: BentoEmulator, faults: Faults
) -> None:
    """KeyboardInterrupt from on_progress ends the import between chunks: chunks in flight
    finish, so every outcome is known, and the partial result rides on the exception."""
    faults.batch_delay = 0.01
    reader = Reader(50_000)

    def progress(p: BulkProgress) -> None:
        if p.accepted >= 1_000:
            raise KeyboardInterrupt

    with pytest.raises(BulkInterruptedError) as info:
        client.subscribers.import_many(reader, chunk_size=100, on_progress=progress)
    assert isinstance(info.value, KeyboardInterrupt)
    result = info.value.result
    assert result.cancelled
    assert len(reader.read) < 50_000
    _check_accounts(result, reader, emu)
    assert result.accepted == len(_emails(emu))  # nothing in doubt: in-flight chunks finished
    assert all(
        isinstance(c.error, ChunkCancelledError) and not c.error.maybe_processed
        for c in result.chunks
        if c.error is not None
    )


def test_second_ctrl_c_cancels_chunks_in_flight(
    client: Bento, emu: BentoEmulator, faults: Faults
) -> None:
    """A second Ctrl-C while the in-flight chunks finish cancels them; they are reported
    failed, in doubt, with their records kept."""
    faults.batch_delay = 0.5
    reader = Reader(50_000)
    timers: list[threading.Timer] = []

    def progress(p: BulkProgress) -> None:
        if p.sent >= 400 and not timers:
            timers.append(threading.Timer(0.15, _thread.interrupt_main))  # while in flight
            timers[0].start()
            raise KeyboardInterrupt

    with pytest.raises(BulkInterruptedError) as info:
        client.subscribers.import_many(reader, chunk_size=100, on_progress=progress)
    timers[0].join()
    result = info.value.result
    doubtful = [c for c in result.chunks if getattr(c.error, "maybe_processed", False)]
    assert doubtful
    _check_accounts(result, reader, emu)


def test_ctrl_c_from_signal_stops_promptly(
    client: Bento, emu: BentoEmulator, faults: Faults
) -> None:
    """A real Ctrl-C (interrupt_main) during a slow import stops it promptly with the
    partial result."""
    faults.batch_delay = 0.05
    reader = Reader(100_000)
    timer = threading.Timer(0.4, _thread.interrupt_main)
    timer.start()
    start = time.monotonic()
    with pytest.raises(BulkInterruptedError) as info:
        client.subscribers.import_many(reader, chunk_size=100)
    assert time.monotonic() - start < 3
    result = info.value.result
    assert result.cancelled
    assert 0 < result.accepted < 100_000
    _check_accounts(result, reader, emu)
    assert result.accepted == len(_emails(emu))


def test_events_and_commands_in_chunks(client: Bento, emu: BentoEmulator) -> None:
    """track_many and commands.run take plain generators of any length."""
    events = ({"email": f"u{i}@example.com", "type": "seen"} for i in range(1_500))
    assert client.events.track_many(events).accepted == 1_500
    commands = (
        {"command": "add_tag", "email": f"u{i}@example.com", "query": "vip"} for i in range(250)
    )
    result = client.commands.run(commands)
    assert (result.accepted, result.requests) == (250, 3)
    assert len(emu.state.events) == 1_500


def test_lookups_in_order_and_as_completed(
    client: Bento, emu: BentoEmulator, faults: Faults
) -> None:
    """get_many answers in input order; stream_many yields as lookups complete, reading
    its input in the caller's thread; breaking out stops it."""
    for i in range(0, 300, 2):
        emu.state.find_or_create_subscriber(f"user{i}@example.com")
    faults.failing = {"user9@example.com"}
    keys = [f"user{i}@example.com" for i in range(300)]
    lookups = client.subscribers.get_many(iter(keys), concurrency=16)
    assert [lk.key for lk in lookups] == keys
    assert [lk.found for lk in lookups] == [i % 2 == 0 for i in range(300)]
    assert isinstance(lookups[9].error, ServerError)

    faults.slow = {"user1@example.com": 0.3}  # the first lookup goes alone, then 16
    threads: set[int] = set()

    def source() -> Iterator[str]:
        for key in keys:
            threads.add(threading.get_ident())
            yield key

    order = [lk.index for lk in client.subscribers.stream_many(source(), concurrency=16)]
    assert sorted(order) == list(range(300))
    assert order[0] == 0
    assert order[1] != 1
    assert threads == {threading.get_ident()}

    faults.slow = {}
    stream = client.subscribers.stream_many(iter(keys), concurrency=4)
    first = [next(stream) for _ in range(10)]
    stream.close()  # type: ignore[attr-defined]
    assert len(first) == 10


def test_bad_inputs_raise_in_the_caller(client: Bento, emu: BentoEmulator) -> None:
    """Bad arguments raise ValidationError at the call, before anything is read or sent."""

    async def agen() -> AsyncIterator[dict[str, Any]]:
        yield {"email": "a@example.com"}

    with pytest.raises(ValidationError):
        client.subscribers.import_many(agen())  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        client.subscribers.import_many("a@example.com")  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        client.subscribers.import_many(Reader(10), chunk_size=0)
    with pytest.raises(ValidationError):
        client.subscribers.stream_many(["a@example.com"], uuids=["x"])
    with pytest.raises(ValidationError):
        client.subscribers.stream_many(["a@example.com"], concurrency=0)
    assert emu.requests == []
