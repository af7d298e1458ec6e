"""Property tests of the bulk engine's chunking and bookkeeping, with an in-memory API."""

from __future__ import annotations

import asyncio
import itertools
import random
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bento_async import (
    AuthenticationError,
    BulkCancelledError,
    BulkProgress,
    BulkResult,
    ChunkCancelledError,
    InputIssue,
    NotSentError,
    ServerError,
)
from bento_async._bulk import BulkSpec, StopBulk, Tally, answered, run_bulk
from bento_async._fanout import collect_lookups, stream_lookups
from bento_async._fatal import departing
from bento_async.models.bulk import ChunkOutcome, InvalidRecord

# Records are ints: negative ones are invalid; a chunk holding a multiple of 11 fails as a
# request; inside answered chunks the "API" refuses multiples of 7. With ``fatal``, a chunk
# holding a multiple of 13 gets a 401.


class FakeApi:
    """Answers chunks in memory, in a shuffled order, and records what it was sent.

    Each send first "waits for a rate-limit slot" (a few loop turns), then departs.
    """

    def __init__(self, seed: int, *, fatal: bool = False) -> None:
        self.random = random.Random(seed)
        self.fatal = fatal
        self.sent: list[list[int]] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self.departed = 0
        self.answered = 0
        self.max_before_answer = 0  # most chunks out at once before the first answer
        self.refused: int | None = None  # ``departed`` when the first 401 was given
        self.ok: list[int] = []  # the records of chunks answered without an error

    def check(self, record: Any, path: str, issues: list[InputIssue]) -> int | None:
        if record < 0:
            issues.append(InputIssue(path, "negative"))
            return None
        return int(record)

    async def send(self, chunk: list[int]) -> tuple[int, int]:
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        if not self.answered:
            self.max_before_answer = max(self.max_before_answer, self.in_flight)
        try:
            for _ in range(self.random.randrange(4)):
                await asyncio.sleep(0)
            departing()
            self.departed += 1
            for _ in range(self.random.randrange(3)):
                await asyncio.sleep(0)
            self.sent.append(list(chunk))
            answer = self._answer(chunk)
            self.ok.extend(chunk)
            return answer
        finally:
            self.answered += 1
            self.in_flight -= 1

    def _answer(self, chunk: list[int]) -> tuple[int, int]:
        if self.fatal and any(r % 13 == 0 for r in chunk):
            if self.refused is None:
                self.refused = self.departed
            raise AuthenticationError("Unauthorized", status=401, method="POST", path="b/x")
        if any(r % 11 == 0 for r in chunk):
            raise ServerError("boom", status=500, method="POST", path="batch/x")
        refused = sum(1 for r in chunk if r % 7 == 0)
        return len(chunk) - refused, refused

    def spec(self, limit: int = 10) -> BulkSpec[int]:
        return BulkSpec("items", limit, self.check, self.send)


records_lists = st.lists(st.integers(-30, 500), max_size=120)
shapes = st.tuples(st.integers(1, 10), st.integers(1, 5), st.sampled_from(["list", "gen", "async"]))


def _source(records: list[int], kind: str) -> Iterable[int] | AsyncIterator[int]:
    if kind == "list":
        return records
    if kind == "gen":
        return iter(records)

    async def agen() -> AsyncIterator[int]:
        for r in records:
            yield r

    return agen()


def _assert_monotonic(seen: list[BulkProgress]) -> None:
    for before, after in itertools.pairwise(seen):
        for field in ("sent", "accepted", "failed", "invalid", "waiting"):
            assert getattr(after, field) >= getattr(before, field), field


def _assert_accounts(result: BulkResult[Any], records: list[int]) -> None:
    assert result.total == len(records)
    assert result.accepted + result.failed + len(result.invalid) == len(records)
    assert [r.position for r in result.invalid] == [i for i, r in enumerate(records) if r < 0]
    assert [c.index for c in result.chunks] == list(range(len(result.chunks)))
    firsts = [c.first for c in result.chunks]
    assert firsts == sorted(firsts)
    lost = [r for c in result.chunks if c.error is not None for r in _records_of(c, records)]
    assert list(result.failed_records) == lost


def _run(
    api: FakeApi,
    source: Iterable[int] | AsyncIterator[int],
    chunk_size: int,
    concurrency: int,
    on_progress: Callable[[BulkProgress], object] | None = None,
) -> BulkResult[Any]:
    return asyncio.run(
        run_bulk(
            api.spec(),
            source,
            chunk_size=chunk_size,
            concurrency=concurrency,
            on_progress=on_progress,
            dry_run=False,
        )
    )


def _records_of(chunk: ChunkOutcome, records: list[int]) -> list[int]:
    valid = [r for r in records[chunk.first :] if r >= 0]
    return valid[: chunk.count]


@settings(max_examples=150, deadline=None)
@given(records=records_lists, shape=shapes, seed=st.integers(0, 1000))
def test_every_record_is_accounted_for(
    records: list[int], shape: tuple[int, int, str], seed: int
) -> None:
    """Whatever the chunk size, concurrency and failures: each valid record is sent once, in
    chunks of at most chunk_size, and ends up accepted, failed or invalid, exactly once."""
    chunk_size, concurrency, kind = shape
    api = FakeApi(seed)
    seen: list[BulkProgress] = []
    result = _run(api, _source(records, kind), chunk_size, concurrency, seen.append)
    valid = [r for r in records if r >= 0]
    assert sorted(r for chunk in api.sent for r in chunk) == sorted(valid)
    assert all(1 <= len(chunk) <= chunk_size for chunk in api.sent)
    assert api.max_in_flight <= concurrency
    assert result.requests == len(api.sent)
    _assert_accounts(result, records)
    answered_ok = [c for c in result.chunks if c.error is None]
    assert result.failed == len(result.failed_records) + sum(c.failed for c in answered_ok)
    assert sum(c.failed for c in answered_ok) == sum(
        1 for c in answered_ok for r in _records_of(c, records) if r % 7 == 0
    )
    assert not result.cancelled
    _assert_monotonic(seen)
    if seen:
        assert seen[-1] == BulkProgress(
            len(valid), result.accepted, result.failed, len(result.invalid)
        )


@settings(max_examples=60, deadline=None)
@given(records=records_lists, chunk_size=st.integers(1, 10))
def test_dry_run_sends_nothing(records: list[int], chunk_size: int) -> None:
    """A dry run sends nothing and reports the chunks and requests it would make."""
    api = FakeApi(0)
    result = asyncio.run(
        run_bulk(
            api.spec(),
            records,
            chunk_size=chunk_size,
            concurrency=2,
            on_progress=None,
            dry_run=True,
        )
    )
    valid = [r for r in records if r >= 0]
    assert api.sent == []
    assert (result.accepted, result.failed, result.dry_run) == (0, 0, True)
    assert result.requests == -(-len(valid) // chunk_size)
    assert sum(c.count for c in result.chunks) == len(valid)
    assert result.total == len(records)


@settings(max_examples=100, deadline=None)
@given(
    records=st.lists(st.integers(1, 500).filter(lambda r: r % 11), min_size=1, max_size=150),
    shape=shapes,
    after=st.integers(0, 12),
    seed=st.integers(0, 1000),
)
def test_cancelled_run_keeps_every_record_read(
    records: list[int], shape: tuple[int, int, str], after: int, seed: int
) -> None:
    """Cancelling the task at any point raises BulkCancelledError whose result covers every
    record read: answered, in flight (in doubt) or never sent."""
    chunk_size, concurrency, _ = shape
    api = FakeApi(seed)
    read: list[int] = []

    async def source() -> AsyncIterator[int]:
        for r in records:
            read.append(r)
            yield r

    async def main() -> BulkResult[Any] | None:
        task = asyncio.ensure_future(
            run_bulk(
                api.spec(),
                source(),
                chunk_size=chunk_size,
                concurrency=concurrency,
                on_progress=None,
                dry_run=False,
            )
        )
        for _ in range(after):
            await asyncio.sleep(0)
        task.cancel()
        try:
            await task
        except asyncio.CancelledError as exc:
            assert task.cancelled()
            partial = BulkCancelledError.result_of(exc)  # the error itself on 3.11+
            if partial is None:
                assert read == []  # cancelled before it started
            return partial
        return None  # or it finished before the cancel landed

    result = asyncio.run(main())
    if result is None:
        return
    assert result.cancelled
    _assert_accounts(result, read)
    for chunk in result.chunks:
        if chunk.error is not None:
            assert isinstance(chunk.error, (ChunkCancelledError, ServerError))
    # Reported as sent (maybe processed) exactly when the request left.
    assert api.departed == sum(1 for c in result.chunks if c.sent)


@settings(max_examples=200, deadline=None)
@given(records=records_lists, shape=shapes, seed=st.integers(0, 1000))
def test_a_fatal_error_ends_the_run_and_keeps_every_unsent_record(
    records: list[int], shape: tuple[int, int, str], seed: int
) -> None:
    """After a 401 no chunk departs but those already in flight; every record is accounted
    for, the ones never sent carry NotSentError, and the first chunk went alone."""
    chunk_size, concurrency, kind = shape
    api = FakeApi(seed, fatal=True)
    result = _run(api, _source(records, kind), chunk_size, concurrency)
    # Records after the fatal error are carried unchecked, so invalid ones may be among the
    # failed: every record is accepted-or-refused by the API, failed, or invalid, once.
    assert result.total == len(records)
    assert result.accepted + result.failed + len(result.invalid) == len(records)
    invalid = [r.record for r in result.invalid]
    assert Counter(api.ok) + Counter(result.failed_records) + Counter(invalid) == Counter(records)
    assert api.max_before_answer <= 1
    assert api.departed == result.requests
    assert api.departed == sum(1 for c in result.chunks if c.sent)
    if api.refused is None:
        assert result.fatal_error is None
        assert not any(isinstance(c.error, NotSentError) for c in result.chunks)
        return
    assert isinstance(result.fatal_error, AuthenticationError)
    assert api.departed - api.refused <= concurrency - 1  # only chunks already in flight
    for chunk in result.chunks:
        if isinstance(chunk.error, NotSentError):
            assert chunk.error.reason is result.fatal_error
            assert not chunk.sent
    if api.refused == 1:  # the very first request met it: nothing else went
        assert api.departed == 1


@settings(max_examples=60, deadline=None)
@given(records=records_lists, chunk_size=st.integers(1, 10), stop_at=st.integers(0, 120))
def test_stop_ends_between_chunks(records: list[int], chunk_size: int, stop_at: int) -> None:
    """An input raising StopBulk ends the run between chunks: chunks in flight finish, and the
    records read (with the ones handed back) are accounted for; nothing is in doubt."""
    api = FakeApi(1)
    head, rest = records[:stop_at], records[stop_at : stop_at + 5]

    async def source() -> AsyncIterator[int]:
        for r in head:
            yield r
        raise StopBulk(rest)

    result = asyncio.run(
        run_bulk(
            api.spec(),
            source(),
            chunk_size=chunk_size,
            concurrency=3,
            on_progress=None,
            dry_run=False,
        )
    )
    assert result.cancelled
    _assert_accounts(result, head + rest)
    for chunk in result.chunks:
        if isinstance(chunk.error, ChunkCancelledError):
            assert not chunk.error.maybe_processed
    # Chunks waiting for a slot were withdrawn, not sent: exactly the departed ones count.
    assert api.departed == sum(1 for c in result.chunks if c.sent)


@given(
    ops=st.lists(
        st.one_of(
            st.tuples(st.just("reject"), st.integers(0, 100)),
            st.tuples(st.just("chunk"), st.integers(1, 20), st.integers(-5, 25), st.booleans()),
            st.tuples(st.just("wait"), st.floats(0, 5)),
        ),
        max_size=40,
    )
)
def test_tally_counts_only_grow(ops: list[tuple[Any, ...]]) -> None:
    """Whatever happens in whatever order, every progress count only grows, and the result
    adds up: accepted + failed covers the finished chunks."""
    tally = Tally()
    seen = [tally.progress()]
    finished = 0
    for index, op in enumerate(ops):
        if op[0] == "reject":
            tally.reject(InvalidRecord(op[1], None, ()))
        elif op[0] == "chunk":
            _, count, accepted, fails = op
            tally.start(count)
            error = ServerError("x", status=500, method="POST", path="p") if fails else None
            outcome = (
                ChunkOutcome(index, index, count, 0, count, error)
                if error
                else answered(index, index, count, accepted)
            )
            tally.finish(outcome, list(range(count)))
            finished += count
        else:
            tally.waited(op[1])
        seen.append(tally.progress())
    _assert_monotonic(seen)
    result = tally.result(cancelled=False, dry_run=False)
    assert result.accepted + result.failed == finished
    assert [r.position for r in result.invalid] == sorted(r.position for r in result.invalid)


@settings(max_examples=120, deadline=None)
@given(
    n=st.integers(0, 80),
    concurrency=st.integers(1, 8),
    seed=st.integers(0, 100),
    fatal_at=st.none() | st.integers(0, 80),
    collect=st.booleans(),
)
def test_lookups_one_per_key(
    n: int, concurrency: int, seed: int, fatal_at: int | None, collect: bool
) -> None:
    """stream_lookups and collect_lookups give exactly one outcome per key, with at most
    `concurrency` in flight and the first alone; after a fatal error no lookup starts, and
    only lookups whose request had not left are reported not sent."""
    rng = random.Random(seed)
    in_flight = worst = worst_before_answer = 0
    answered_once = fatal_seen = False
    started_after_fatal = 0
    left: set[str] = set()

    async def fetch(key: str) -> None:
        nonlocal in_flight, worst, worst_before_answer, answered_once, fatal_seen
        nonlocal started_after_fatal
        started_after_fatal += fatal_seen
        in_flight += 1
        worst = max(worst, in_flight)
        if not answered_once:
            worst_before_answer = max(worst_before_answer, in_flight)
        try:
            for _ in range(rng.randrange(4)):
                await asyncio.sleep(0)
            if rng.random() < 0.5:
                departing()
                left.add(key)
            for _ in range(rng.randrange(4)):
                await asyncio.sleep(0)
        finally:
            in_flight -= 1
            answered_once = True
        if key == f"k{fatal_at}":
            fatal_seen = True
            raise AuthenticationError("x", status=401, method="GET", path="fetch/subscribers")
        if key.endswith("3"):
            raise ServerError("x", status=503, method="GET", path="fetch/subscribers")

    async def main() -> list[Any]:
        keys = (f"k{i}" for i in range(n))
        if collect:
            return await collect_lookups(keys, fetch, concurrency=concurrency)
        return [lk async for lk in stream_lookups(keys, fetch, concurrency=concurrency)]

    lookups = asyncio.run(main())
    indices = [lk.index for lk in lookups]
    assert (indices if collect else sorted(indices)) == list(range(n))
    assert all(lk.key == f"k{lk.index}" for lk in lookups)
    for lk in lookups:
        if isinstance(lk.error, NotSentError):
            assert fatal_seen
            assert lk.key not in left
        elif lk.key == f"k{fatal_at}":
            assert isinstance(lk.error, AuthenticationError)
        else:
            assert (lk.error is not None) == lk.key.endswith("3")
    assert worst <= concurrency
    assert worst_before_answer == min(n, 1)
    assert started_after_fatal == 0


def test_after_a_fatal_error_an_endless_input_is_reported_as_its_reader_goes() -> None:
    """After a fatal error, stream_lookups reports the keys still to come as not sent a few
    at a time, so a reader of an endless input can stop; nothing more is fetched."""
    fetched: list[str] = []

    async def fetch(key: str) -> None:
        fetched.append(key)
        await asyncio.sleep(0)
        raise AuthenticationError("x", status=401, method="GET", path="fetch/subscribers")

    async def main() -> list[Any]:
        seen = []
        stream = stream_lookups((f"k{i}" for i in itertools.count()), fetch, concurrency=4)
        async for lookup in stream:
            seen.append(lookup)
            if len(seen) == 50:
                break
        await stream.aclose()  # type: ignore[attr-defined]
        return seen

    seen = asyncio.run(main())
    assert fetched == ["k0"]  # the first lookup goes alone, and its error ends the run
    assert isinstance(seen[0].error, AuthenticationError)
    assert [lk.index for lk in seen] == list(range(50))
    assert all(isinstance(lk.error, NotSentError) for lk in seen[1:])


def test_answered_counts_what_was_not_accepted_as_failed() -> None:
    """An answer that does not add up still accounts for every record of the chunk."""
    assert answered(0, 0, 10, 12) == ChunkOutcome(0, 0, 10, 10, 0)
    assert answered(0, 0, 10, 7) == ChunkOutcome(0, 0, 10, 7, 3)
    assert answered(0, 0, 10, -1) == ChunkOutcome(0, 0, 10, 0, 10)


def test_bad_options_raise_before_reading() -> None:
    """A bad chunk size or concurrency raises ValidationError without reading the input."""
    from bento_async import ValidationError

    def never() -> Iterator[int]:
        raise AssertionError("read")
        yield 0

    for options in (
        {"chunk_size": 0, "concurrency": 1},
        {"chunk_size": 11, "concurrency": 1},
        {"chunk_size": 1, "concurrency": 0},
    ):
        with pytest.raises(ValidationError):
            asyncio.run(
                run_bulk(FakeApi(0).spec(), never(), on_progress=None, dry_run=False, **options)  # type: ignore[arg-type]
            )


def test_result_of_finds_the_partial_result_in_the_context_chain() -> None:
    """result_of reaches a BulkCancelledError raised directly or as another error's context."""
    partial = BulkResult(
        accepted=1,
        failed=0,
        chunks=(),
        failed_records=(),
        invalid=(),
        requests=1,
        cancelled=True,
        dry_run=False,
    )
    direct = BulkCancelledError(partial)
    assert BulkCancelledError.result_of(direct) is partial
    fresh = asyncio.CancelledError()
    fresh.__context__ = direct  # what Python 3.10 raises when the cancelled task is awaited
    assert BulkCancelledError.result_of(fresh) is partial
    wrapped = RuntimeError("outer")
    wrapped.__cause__ = fresh
    assert BulkCancelledError.result_of(wrapped) is partial
    assert BulkCancelledError.result_of(asyncio.CancelledError()) is None
