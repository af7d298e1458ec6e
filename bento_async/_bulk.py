"""The bulk engine: chunked writes and fan-out lookups, with bounded work in flight.

Writes (:func:`run_bulk`). Records are read lazily from any iterable, async
iterable or :class:`RecordBatches`, never all at once. Each is checked; a bad
one is reported with its input position and never sent. Good ones are gathered
into chunks of ``chunk_size`` and sent, at most ``concurrency`` at a time,
through the client's single send path (rate limiter, retries). The first chunk
goes alone: until it is answered no other is started, so a wrong key costs one
request, not ``concurrency``. A chunk whose request still fails is reported
with its records kept, and the run goes on, unless its error is fatal.
At any moment the engine holds at most ``concurrency`` chunks in flight, the one
being filled, one input batch, and the records of failed chunks.

Fatal errors (:func:`ends_run`, the one place that decides): errors that no later
chunk could escape, because they belong to the client, not to the chunk: 401
(keys, site), 403 (blocked or access denied), the author not authorized to send,
a closed client, a TLS failure. The first one ends the run at once: no chunk is
started after it; chunks still waiting for a rate-limit slot are withdrawn;
chunks whose request already left are awaited; the rest of the input is read (not
checked: a replay will check it) and every record not sent lands in ``failed_records``,
its chunk's error a :class:`NotSentError` naming the fatal one. The result carries it
in ``fatal_error``. Every other error (400/422, 404, 429 after retries, 5xx,
timeouts, dropped connections, a bad body, a rate-limit wait past ``max_wait``)
is that chunk's alone.

Sent or not: the send path calls :func:`departing` as a request leaves; the
chunk's task notes it. A chunk stopped before that point is reported not sent
(replaying it is always safe), one stopped after it as maybe processed.

Stopping early:

* The task is cancelled: no chunk is started; chunks in flight are cancelled
  and reported failed: ``ChunkCancelledError(maybe_processed=True)`` when their
  request had left, ``maybe_processed=False`` when it had not (waiting for a
  rate-limit slot); records read but not sent are reported failed
  (``maybe_processed=False``); then :class:`BulkCancelledError` carrying the
  partial result is raised.
* The input raises :class:`StopBulk` (the sync client does on Ctrl-C): no chunk
  is started, chunks still waiting for a slot are withdrawn (not sent), chunks
  whose request left finish, records read but not sent are reported failed (not
  sent), and the result is returned with ``cancelled=True``.
* The input or ``on_progress`` raises anything else: the chunks in flight are
  cancelled and the exception propagates as it is, without a result.

Lookups (fan-outs of single reads) live in ``_fanout.py`` and follow the same
fatal and sent/not-sent rules.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections.abc import (
    AsyncIterable,
    AsyncIterator,
    Awaitable,
    Callable,
    Iterable,
    Mapping,
    MutableSequence,
    Sequence,
)
from typing import Any, Generic, TypeVar

import anyio
import attrs

from ._errors import BentoError, BulkCancelledError, ChunkCancelledError, InputIssue, NotSentError
from ._fatal import Departure, ends_run, listen_departure
from ._ratelimit import wait_meter
from ._validate import raise_if
from .models.bulk import BulkProgress, BulkResult, ChunkOutcome, InvalidRecord

__all__ = [
    "BulkSpec",
    "RecordBatches",
    "StopBulk",
    "Tally",
    "check_input",
    "run_bulk",
    "settle",
    "Source",
]

W = TypeVar("W")
R = TypeVar("R")

ProgressCallback = Callable[[BulkProgress], object]


class StopBulk(Exception):
    """Raised by an input to end a bulk call between chunks; ``rest`` are records read but
    not yet handed over, reported failed (not sent) with the others."""

    def __init__(self, rest: Iterable[Any] = ()) -> None:
        super().__init__("bulk input stopped")
        self.rest = list(rest)


class RecordBatches:
    """An input that hands over records a batch at a time (the sync client's feed).

    Subclasses implement ``__anext__``, returning a non-empty list, raising
    StopAsyncIteration at the end or StopBulk to stop early.
    """

    def __aiter__(self) -> RecordBatches:
        return self

    async def __anext__(self) -> list[Any]:
        raise StopAsyncIteration


@attrs.frozen
class BulkSpec(Generic[W]):
    """How one bulk method checks and sends its records.

    ``check(record, path, issues)`` returns the record's wire form, or None after
    appending what is wrong; ``send(wire_items)`` posts one chunk and returns
    (accepted, failed) as the API reports them. ``check_batch``, when given, checks
    a whole batch at once and returns the wire forms only when every record is
    surely valid (None: check them one by one).
    """

    name: str
    limit: int
    check: Callable[[Any, str, list[InputIssue]], W | None]
    send: Callable[[list[W]], Awaitable[tuple[int, int]]]
    check_batch: Callable[[list[Any]], Sequence[W] | None] | None = None


def check_input(value: object, what: str, issues: list[InputIssue]) -> None:
    """Require an iterable or async iterable of items, not one item such as a string."""
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(
        value, (Iterable, AsyncIterable, RecordBatches)
    ):
        issues.append(
            InputIssue(what, f"expected an iterable of {what}, got {type(value).__name__}")
        )


def _check_options(spec: BulkSpec[Any], chunk_size: object, concurrency: object) -> None:
    issues: list[InputIssue] = []
    if not isinstance(chunk_size, int) or not 1 <= chunk_size <= spec.limit:
        issues.append(InputIssue("chunk_size", f"must be between 1 and {spec.limit}"))
    if not isinstance(concurrency, int) or concurrency < 1:
        issues.append(InputIssue("concurrency", "must be at least 1"))
    raise_if(issues)


class Source:
    """Reads an iterable, async iterable or RecordBatches into a list the caller owns.

    Items are appended to the caller's list as they arrive, so none is lost if
    the read is cancelled halfway.
    """

    def __init__(self, items: Iterable[Any] | AsyncIterable[Any] | RecordBatches) -> None:
        self._sync: Iterable[Any] | None = None
        self._async: AsyncIterator[Any] | None = None
        self._batches: RecordBatches | None = None
        if isinstance(items, RecordBatches):
            self._batches = items
        elif isinstance(items, AsyncIterable):
            self._async = items.__aiter__()
        else:
            self._sync = iter(items)

    async def fill(self, into: MutableSequence[Any], n: int) -> bool:
        """Append up to ``n`` items (a whole batch for RecordBatches); False when exhausted."""
        if self._sync is not None:
            before = len(into)
            into.extend(itertools.islice(self._sync, n))
            return len(into) > before
        if self._batches is not None:
            try:
                into.extend(await self._batches.__anext__())
            except StopAsyncIteration:
                return False
            return True
        assert self._async is not None
        for _ in range(n):
            try:
                into.append(await self._async.__anext__())
            except StopAsyncIteration:
                return bool(into)
        return True


class Tally:
    """The running counts of one bulk call; gives progress snapshots and the result.

    Pure bookkeeping: every count only grows, and ``accepted + failed`` equals the
    records of the chunks finished so far.
    """

    def __init__(self) -> None:
        self.sent = 0
        self.accepted = 0
        self.failed = 0
        self.waiting = 0.0
        self.requests = 0
        self.invalid: list[InvalidRecord[Any]] = []
        self.outcomes: list[ChunkOutcome] = []
        self._failed: list[tuple[int, list[Any]]] = []

    def reject(self, record: InvalidRecord[Any]) -> None:
        """Count a record rejected client-side."""
        self.invalid.append(record)

    def start(self, count: int) -> None:
        """Count a chunk request of ``count`` records leaving (or, in a dry run, checked)."""
        self.sent += count
        self.requests += 1

    def finish(self, outcome: ChunkOutcome, records: list[Any]) -> None:
        """Count a finished chunk; keep its records when its request failed."""
        self.accepted += outcome.accepted
        self.failed += outcome.failed
        self.outcomes.append(outcome)
        if outcome.error is not None:
            self._failed.append((outcome.first, records))

    def waited(self, seconds: float) -> None:
        """Count seconds a request spent waiting for a rate-limit slot."""
        self.waiting += max(seconds, 0.0)

    def progress(self) -> BulkProgress:
        """Return the counts so far."""
        return BulkProgress(self.sent, self.accepted, self.failed, len(self.invalid), self.waiting)

    def result(
        self, *, cancelled: bool, dry_run: bool, fatal: BentoError | None = None
    ) -> BulkResult[Any]:
        """Return the result: chunks by index, failed records and invalid ones in input order."""
        failed = sorted(self._failed, key=lambda item: item[0])
        return BulkResult(
            accepted=self.accepted,
            failed=self.failed,
            chunks=tuple(sorted(self.outcomes, key=lambda o: o.index)),
            failed_records=tuple(r for _, records in failed for r in records),
            invalid=tuple(sorted(self.invalid, key=lambda r: r.position)),
            requests=self.requests,
            cancelled=cancelled,
            dry_run=dry_run,
            fatal_error=fatal,
        )


def answered(index: int, first: int, count: int, accepted: int) -> ChunkOutcome:
    """Return the outcome of an answered chunk: what the API did not accept counts as failed."""
    accepted = min(max(accepted, 0), count)
    return ChunkOutcome(index, first, count, accepted, count - accepted)


def lost(index: int, first: int, count: int, error: Exception) -> ChunkOutcome:
    """Return the outcome of a chunk whose request failed or was cancelled: all failed."""
    return ChunkOutcome(index, first, count, 0, count, error)


@attrs.define
class _Chunk(Generic[W]):
    index: int
    first: int
    records: list[Any] = attrs.Factory(list)
    wire: list[W] = attrs.Factory(list)
    departure: Departure | None = None  # set as it is sent (see _send)

    @property
    def left(self) -> bool:
        """Whether its request went to the transport (it may have been processed)."""
        return self.departure is not None and self.departure.left


async def settle(tasks: Iterable[asyncio.Task[Any]]) -> None:
    """Wait for cancelled tasks to end, even if the caller is cancelled again meanwhile."""
    pending = [t for t in tasks if not t.done()]
    if not pending:
        return
    # A second native cancel ends the wait early; the tasks then end on their own.
    with anyio.CancelScope(shield=True), contextlib.suppress(asyncio.CancelledError):
        await asyncio.wait(pending)


class _BulkRun(Generic[W]):
    """One bulk call: the chunk being built, the chunks in flight, and the tally."""

    def __init__(
        self,
        spec: BulkSpec[W],
        chunk_size: int,
        concurrency: int,
        on_progress: ProgressCallback | None,
        dry_run: bool,
    ) -> None:
        self.spec = spec
        self.chunk_size = chunk_size
        self.concurrency = concurrency
        self.on_progress = on_progress
        self.dry_run = dry_run
        self.tally = Tally()
        self.in_flight: dict[asyncio.Task[ChunkOutcome], _Chunk[W]] = {}
        self.backlog: list[Any] = []  # records read but not yet checked
        self.position = 0  # input position of backlog[0]
        self.building: _Chunk[W] = _Chunk(0, 0)
        self.shown: BulkProgress | None = None  # the last progress passed to on_progress
        self.answered = False  # a chunk was answered: the rest may go ``concurrency`` at once
        self.fatal: BentoError | None = None  # the error that ended the run (ends_run)

    async def run(
        self, records: Iterable[Any] | AsyncIterable[Any] | RecordBatches
    ) -> BulkResult[Any]:
        token = wait_meter.set(self.tally.waited)
        stopped = False
        try:
            try:
                await self._read(Source(records))
            except StopBulk as stop:
                stopped = True
                self.backlog.extend(stop.rest)
                await self._withdraw(ChunkCancelledError(maybe_processed=False))
                self._unsent()
            while self.in_flight:
                await self._collect()
        except asyncio.CancelledError as exc:
            await self._abandon()
            raise BulkCancelledError(self._result(cancelled=True), *exc.args) from None
        except BaseException:
            await self._abandon()
            raise
        finally:
            wait_meter.reset(token)
        self._emit()
        return self._result(cancelled=stopped)

    def _result(self, *, cancelled: bool) -> BulkResult[Any]:
        return self.tally.result(cancelled=cancelled, dry_run=self.dry_run, fatal=self.fatal)

    def _emit(self) -> None:
        progress = self.tally.progress()
        if self.on_progress is not None and progress != self.shown:
            self.shown = progress
            self.on_progress(progress)

    async def _read(self, source: Source) -> None:
        while await source.fill(self.backlog, self.chunk_size):
            while self.backlog:
                self._check_some()
                if len(self.building.records) >= self.chunk_size:
                    await self._dispatch()
        if self.building.records:
            await self._dispatch()

    def _check_some(self) -> None:
        """Move records from the backlog into the chunk being built, up to its room."""
        room = max(self.chunk_size - len(self.building.records), 1)
        piece, self.backlog = self.backlog[:room], self.backlog[room:]
        first, self.position = self.position, self.position + len(piece)
        self._check(piece, first)

    def _check(self, piece: list[Any], first: int) -> None:
        spec, chunk = self.spec, self.building
        if not chunk.records:
            chunk.first = first
        if self.fatal is not None:  # nothing more will be sent: carry the records unchecked
            chunk.records.extend(piece)
            return
        wire = spec.check_batch(piece) if spec.check_batch is not None else None
        if wire is not None:
            chunk.records.extend(piece)
            chunk.wire.extend(wire)
            return
        for offset, record in enumerate(piece):
            issues: list[InputIssue] = []
            position = first + offset
            item = spec.check(record, f"{spec.name}[{position}]", issues)
            if item is None:
                self.tally.reject(InvalidRecord(position, record, tuple(issues)))
                continue
            if not chunk.records:
                chunk.first = position
            chunk.records.append(record)
            chunk.wire.append(item)

    async def _dispatch(self) -> None:
        """Start the chunk being built once fewer than ``concurrency`` are in flight.

        The first chunk goes alone; after a fatal error, chunks are reported not sent.
        """
        while len(self.in_flight) >= (self.concurrency if self.answered else 1):
            await self._collect()
        chunk = self.building
        self.building = _Chunk(chunk.index + 1, self.position)
        if self.fatal is not None:
            error = NotSentError(self.fatal)
            self.tally.finish(
                lost(chunk.index, chunk.first, len(chunk.records), error), chunk.records
            )
            self._emit()
            return
        if self.dry_run:
            self.tally.start(len(chunk.records))
            self.tally.finish(ChunkOutcome(chunk.index, chunk.first, len(chunk.records), 0, 0), [])
        else:
            self.in_flight[asyncio.ensure_future(self._send(chunk))] = chunk
        self._emit()

    async def _send(self, chunk: _Chunk[W]) -> ChunkOutcome:
        count = len(chunk.records)
        # Counted as sent once its first attempt leaves; the note holds no records.
        chunk.departure = Departure(self.tally.start, count)
        listen_departure(chunk.departure)
        try:
            accepted, _ = await self.spec.send(chunk.wire)
        except Exception as exc:  # any failure is this chunk's outcome, never the run's end
            return lost(chunk.index, chunk.first, count, exc)
        return answered(chunk.index, chunk.first, count, accepted)

    async def _collect(self) -> None:
        done, _ = await asyncio.wait(self.in_flight, return_when=asyncio.FIRST_COMPLETED)
        for task in sorted(done, key=lambda t: self.in_flight[t].index):
            chunk = self.in_flight.pop(task)
            outcome = task.result()
            self.tally.finish(outcome, chunk.records)
            self.answered = True
            if self.fatal is None and outcome.error is not None and ends_run(outcome.error):
                self.fatal = outcome.error
        if self.fatal is not None:
            await self._withdraw(NotSentError(self.fatal))
        self._emit()

    async def _withdraw(self, error: BentoError) -> None:
        """Cancel the chunks in flight whose request has not left; report them with ``error``."""
        waiting: dict[asyncio.Task[ChunkOutcome], _Chunk[W]] = {}
        for task, chunk in self.in_flight.items():
            if not chunk.left and task.cancel():  # False for a task already done
                waiting[task] = chunk
        await settle(waiting)
        for task, chunk in sorted(waiting.items(), key=lambda item: item[1].index):
            del self.in_flight[task]
            if task.cancelled() or task.exception() is not None:
                outcome = lost(chunk.index, chunk.first, len(chunk.records), error)
            else:
                outcome = task.result()
            self.tally.finish(outcome, chunk.records)

    def _unsent(self) -> None:
        """Report every record read but not sent: invalid ones as such, the rest as not sent."""
        piece, self.backlog = self.backlog, []
        first, self.position = self.position, self.position + len(piece)
        self._check(piece, first)
        chunk = self.building
        if chunk.records:
            error = ChunkCancelledError(maybe_processed=False)
            self.tally.finish(
                lost(chunk.index, chunk.first, len(chunk.records), error), chunk.records
            )
            self.building = _Chunk(chunk.index + 1, self.position)

    async def _abandon(self) -> None:
        """Cancel the chunks in flight and report them, and what was not sent, as failed."""
        for task in self.in_flight:
            task.cancel()
        await settle(self.in_flight)
        for task, chunk in sorted(self.in_flight.items(), key=lambda item: item[1].index):
            if task.cancelled() or task.exception() is not None:
                error = ChunkCancelledError(maybe_processed=chunk.left)
                outcome = lost(chunk.index, chunk.first, len(chunk.records), error)
            else:
                outcome = task.result()
            self.tally.finish(outcome, chunk.records)
        self.in_flight.clear()
        self._unsent()


async def run_bulk(
    spec: BulkSpec[W],
    records: Iterable[R] | AsyncIterable[R] | RecordBatches,
    *,
    chunk_size: int,
    concurrency: int,
    on_progress: ProgressCallback | None,
    dry_run: bool,
) -> BulkResult[R]:
    """Check, chunk and send ``records`` (see the module docstring).

    Raises ValidationError for a bad ``chunk_size``, ``concurrency`` or input
    (bad records are reported, not raised), and BulkCancelledError when cancelled;
    a fatal error (:func:`ends_run`) is not raised: it ends the run and is reported.
    """
    issues: list[InputIssue] = []
    check_input(records, spec.name, issues)
    raise_if(issues)
    _check_options(spec, chunk_size, concurrency)
    run = _BulkRun(spec, chunk_size, concurrency, on_progress, dry_run)
    return await run.run(records)
