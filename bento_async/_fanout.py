"""Fan-out lookups: many single reads with bounded work in flight.

:func:`stream_lookups` keeps ``concurrency`` lookups in flight, reads keys only
as slots free up, and yields each outcome as it completes; :func:`collect_lookups`
does the same and returns them all, in input order. The first lookup goes alone;
after a fatal error (:func:`bento_async._fatal.ends_run`) nothing more is sent and
every lookup not sent says so (:class:`NotSentError`).

The lookups are made by ``concurrency`` long-lived runner tasks, each taking the
next key as it finishes one. A task per key, and an ``asyncio.wait`` over all of them
each time one ended, made several short-lived objects per lookup that the cyclic GC
tracks: a fan-out over 100,000 keys ran about 60 young collections per 1,000 keys,
and some 50 full ones, each traversing every lookup kept so far (a third of the run's
CPU). Runners that hand their lookups straight to the result list make almost none.
"""

from __future__ import annotations

import asyncio
import collections
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable, Iterable

from ._bulk import RecordBatches, Source, settle
from ._errors import BentoError, NotSentError
from ._fatal import Departure, ends_run, listen_departure
from .models.bulk import Lookup
from .models.subscribers import Subscriber

__all__ = ["collect_lookups", "stream_lookups"]

Keys = Iterable[str] | AsyncIterable[str] | RecordBatches
Fetch = Callable[[str], Awaitable[Subscriber | None]]


class _Ask:
    """One key being looked up: its input position, and whether its request left."""

    __slots__ = ("departure", "index", "key")

    def __init__(self, index: int, key: str) -> None:
        self.index = index
        self.key = key
        self.departure = Departure()

    @property
    def left(self) -> bool:
        """Whether its request went to the transport."""
        return self.departure.left


class _FanOut:
    """The runners of one fan-out, the keys they share, and what they found.

    ``kept`` (the list :func:`collect_lookups` returns) takes each lookup at its index
    as it ends; without it lookups queue for the reader (:meth:`next_batch`), and a
    runner takes no new key while ``concurrency`` of them wait there.
    """

    def __init__(
        self, keys: Keys, fetch: Fetch, concurrency: int, kept: list[Lookup | None] | None
    ) -> None:
        self._source = Source(keys)
        self._buffer: collections.deque[str] = collections.deque()
        self._index = 0
        self._exhausted = False
        self._reading = asyncio.Lock()
        self._fetch = fetch
        self._concurrency = concurrency
        self._kept = kept
        self._queued: collections.deque[Lookup] = collections.deque()
        self._runners: dict[asyncio.Task[None], _Ask | None] = {}  # each one's lookup in flight
        self._withdrawn: set[asyncio.Task[None]] = set()
        self._wake_reader: asyncio.Future[None] | None = None
        self._room: asyncio.Future[None] | None = None  # runners waiting for the reader
        self._answered = False
        self._live = 0  # runners not ended
        self._in_flight = 0  # runners with a lookup in flight
        self.fatal: BentoError | None = None

    def _start_runner(self) -> None:
        task = asyncio.ensure_future(self._run())
        self._runners[task] = None
        self._live += 1
        task.add_done_callback(self._runner_ended)

    async def _run(self) -> None:
        task = asyncio.current_task()
        assert task is not None
        fetch = self._fetch
        while True:
            # In flight and waiting for the reader, together, stay within ``concurrency``.
            while self._kept is None and len(self._queued) + self._in_flight >= self._concurrency:
                if self._room is None or self._room.done():
                    self._room = asyncio.get_running_loop().create_future()
                await self._room
            ask = await self._next()
            if ask is None:
                return
            self._runners[task] = ask
            self._in_flight += 1
            listen_departure(ask.departure)  # replaces the previous lookup's note
            try:
                lookup = Lookup(ask.index, ask.key, await fetch(ask.key))
            except Exception as exc:  # any failure is this lookup's outcome; the others go on
                lookup = Lookup(ask.index, ask.key, None, exc)
            self._runners[task] = None
            self._in_flight -= 1
            self._finish(lookup)

    async def _next(self) -> _Ask | None:
        """Return the next key to look up, reading more if none is left; None for none."""
        if not self._buffer and not self._exhausted and self.fatal is None:
            async with self._reading:  # one reader of the source at a time
                if not self._buffer and not self._exhausted and self.fatal is None:
                    self._exhausted = not await self._source.fill(self._buffer, self._concurrency)
        if not self._buffer or self.fatal is not None:
            return None
        ask = _Ask(self._index, self._buffer.popleft())
        self._index += 1
        return ask

    def _finish(self, lookup: Lookup) -> None:
        if self.fatal is None and lookup.error is not None and ends_run(lookup.error):
            self.fatal = lookup.error
            self._wake()
        if self._kept is not None:
            self._keep(lookup)
        else:
            self._queued.append(lookup)
            self._wake()
        if not self._answered:  # the first answer lets the others go
            self._answered = True
            for _ in range(self._concurrency - 1 if self.fatal is None else 0):
                self._start_runner()

    def _keep(self, lookup: Lookup) -> None:
        kept = self._kept
        assert kept is not None
        if lookup.index >= len(kept):
            kept.extend([None] * (lookup.index + 1 - len(kept)))
        kept[lookup.index] = lookup

    def _runner_ended(self, task: asyncio.Task[None]) -> None:
        self._live -= 1
        self._wake()

    def _wake(self) -> None:
        waiter = self._wake_reader
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    async def next_batch(self) -> list[Lookup] | None:
        """Return the lookups ended since the last call (by index); None once all are.

        Waits for one. After a fatal error, cancels the lookups whose request has not
        left, and reports them and every key not yet read as not sent. Re-raises what
        ended a runner other than that (a cancellation from outside, a BaseException).
        """
        self._runners_fail()
        while not self._queued and self._running() and not self._must_withdraw():
            self._wake_reader = asyncio.get_running_loop().create_future()
            try:
                await self._wake_reader
            finally:
                self._wake_reader = None
            self._runners_fail()
        if self._must_withdraw():
            await self._withdraw()
        batch = sorted(self._queued, key=lambda lookup: lookup.index)
        self._queued.clear()
        if self._room is not None and not self._room.done():
            self._room.set_result(None)
        if not batch and not self._running():
            if self.fatal is None or (self._exhausted and not self._buffer):
                return None
            batch = await self._not_read()
        return batch

    def _running(self) -> bool:
        return self._live > 0

    def _must_withdraw(self) -> bool:
        return self.fatal is not None and bool(self._unsent())

    def _unsent(self) -> list[asyncio.Task[None]]:
        """Return the runners whose lookup in flight has not left, not yet withdrawn."""
        return [
            task
            for task, ask in self._runners.items()
            if ask is not None and not ask.left and task not in self._withdrawn
        ]

    def _runners_fail(self) -> None:
        for task in self._runners:
            if task.done() and task not in self._withdrawn:
                task.result()  # raises what ended it, if anything did

    async def _withdraw(self) -> None:
        """Cancel the lookups in flight whose request has not left; report them not sent."""
        assert self.fatal is not None
        waiting = self._unsent()
        for task in waiting:
            self._withdrawn.add(task)
            task.cancel()
        await settle(waiting)
        for task in waiting:
            ask = self._runners[task]
            if ask is not None and (task.cancelled() or task.exception() is not None):
                self._in_flight -= 1
                self._finish(Lookup(ask.index, ask.key, None, NotSentError(self.fatal)))

    async def _not_read(self) -> list[Lookup]:
        """After a fatal error, with no runner left: report the next keys not sent.

        A buffer's worth at a time, so that an endless input stops when its reader does.
        :func:`collect_lookups` gets them in its list and an empty batch.
        """
        assert self.fatal is not None
        if not self._buffer and not self._exhausted:
            self._exhausted = not await self._source.fill(self._buffer, self._concurrency)
        lost = []
        while self._buffer:
            lost.append(Lookup(self._index, self._buffer.popleft(), None, NotSentError(self.fatal)))
            self._index += 1
        if self._kept is None:
            return lost
        for lookup in lost:
            self._keep(lookup)
        return []

    def begin(self) -> None:
        """Start the first runner: it goes alone until the first answer."""
        self._start_runner()

    async def close(self) -> None:
        """End every runner; cancel the lookups in flight."""
        for task in self._runners:
            task.cancel()
        await settle(self._runners)


async def stream_lookups(keys: Keys, fetch: Fetch, *, concurrency: int) -> AsyncIterator[Lookup]:
    """Yield one Lookup per key as each completes, with ``concurrency`` lookups in flight.

    Keys are read only as slots free up; the first lookup goes alone. After a fatal
    error (:func:`ends_run`) nothing more is sent: lookups waiting for a rate-limit
    slot and every key still to come are yielded with a NotSentError. Closing the
    iterator early cancels the lookups in flight.
    """
    fan = _FanOut(keys, fetch, concurrency, kept=None)
    fan.begin()
    try:
        while (batch := await fan.next_batch()) is not None:
            for lookup in batch:
                yield lookup
    finally:
        await fan.close()


async def collect_lookups(keys: Keys, fetch: Fetch, *, concurrency: int) -> list[Lookup]:
    """Return one Lookup per key, in input order, as :func:`stream_lookups` finds them."""
    kept: list[Lookup | None] = []
    fan = _FanOut(keys, fetch, concurrency, kept=kept)
    fan.begin()
    try:
        while await fan.next_batch() is not None:
            pass
    finally:
        await fan.close()
    return [lookup for lookup in kept if lookup is not None]
