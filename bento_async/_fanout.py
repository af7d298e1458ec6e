"""Fan-out lookups: many single reads with bounded work in flight.

:func:`stream_lookups` keeps ``concurrency`` lookups in flight, reads keys only
as slots free up, and yields each outcome as it completes. The first lookup goes
alone; after a fatal error (:func:`bento_async._fatal.ends_run`) nothing more is
sent and every lookup not sent says so (:class:`NotSentError`).
"""

from __future__ import annotations

import asyncio
import collections
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable, Iterable

import attrs

from ._bulk import RecordBatches, Source, settle
from ._errors import BentoError, NotSentError
from ._fatal import Departure, ends_run, listen_departure
from .models.bulk import Lookup
from .models.subscribers import Subscriber

__all__ = ["stream_lookups"]


@attrs.define
class _Ask:
    index: int
    key: str
    departure: Departure = attrs.Factory(Departure)  # notes that its request left

    @property
    def left(self) -> bool:
        """Whether its request went to the transport."""
        return self.departure.left


async def _lookup(ask: _Ask, fetch: Callable[[str], Awaitable[Subscriber | None]]) -> Lookup:
    listen_departure(ask.departure)
    try:
        return Lookup(ask.index, ask.key, await fetch(ask.key))
    except Exception as exc:  # any failure is this lookup's outcome; the others go on
        return Lookup(ask.index, ask.key, None, exc)


async def _withdraw_lookups(
    pending: dict[asyncio.Task[Lookup], _Ask], fatal: BentoError
) -> list[Lookup]:
    """Cancel the lookups whose request has not left; return them marked not sent."""
    waiting = []
    for task, ask in pending.items():
        if not ask.left and task.cancel():  # False for a task already done
            waiting.append(task)
    await settle(waiting)
    withdrawn = []
    for task in waiting:
        ask = pending.pop(task)
        if task.cancelled() or task.exception() is not None:
            withdrawn.append(Lookup(ask.index, ask.key, None, NotSentError(fatal)))
        else:
            withdrawn.append(task.result())
    return withdrawn


async def stream_lookups(
    keys: Iterable[str] | AsyncIterable[str] | RecordBatches,
    fetch: Callable[[str], Awaitable[Subscriber | None]],
    *,
    concurrency: int,
) -> AsyncIterator[Lookup]:
    """Yield one Lookup per key as each completes, with ``concurrency`` lookups in flight.

    Keys are read only as slots free up; the first lookup goes alone. After a fatal
    error (:func:`ends_run`) nothing more is sent: lookups waiting for a rate-limit
    slot and every key still to come are yielded with a NotSentError. Closing the
    iterator early cancels the lookups in flight.
    """
    source = Source(keys)
    buffer: collections.deque[str] = collections.deque()
    pending: dict[asyncio.Task[Lookup], _Ask] = {}
    index = 0
    exhausted = answered = False
    fatal: BentoError | None = None
    try:
        while True:
            while len(pending) < (concurrency if answered else 1) and not exhausted:
                if not buffer and not await source.fill(buffer, concurrency):
                    exhausted = True
                    break
                ask = _Ask(index, buffer.popleft())
                index += 1
                if fatal is not None:
                    yield Lookup(ask.index, ask.key, None, NotSentError(fatal))
                else:
                    pending[asyncio.ensure_future(_lookup(ask, fetch))] = ask
            if not pending:
                return
            done, _ = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
            answered = True
            finished = [task.result() for task in done]
            for task in done:
                del pending[task]
            for lookup in finished:
                if fatal is None and lookup.error is not None and ends_run(lookup.error):
                    fatal = lookup.error
            if fatal is not None:
                finished.extend(await _withdraw_lookups(pending, fatal))
            for lookup in sorted(finished, key=lambda lk: lk.index):
                yield lookup
    finally:
        for task in pending:
            task.cancel()
        await settle(pending)
