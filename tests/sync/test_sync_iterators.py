"""Paged lists in the sync facade: plain iterators that go to the client's loop a page at a time."""

from __future__ import annotations

import gc
import warnings
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from bento_async import Broadcast, Page, ValidationError
from bento_async.resources.broadcasts import Broadcasts as AsyncBroadcasts
from bento_emulator import BentoEmulator
from bento_sync import Bento


def _count_crossings(client: Bento, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count the calls that this client runs on its loop."""
    crossings = [0]
    run: Callable[..., Any] = client._run

    def counting(target: Any) -> Any:
        crossings[0] += 1
        return run(target)

    monkeypatch.setattr(client, "_run", counting)
    return crossings


def test_iter_goes_to_the_loop_a_page_at_a_time(
    sync_bento: Bento, threaded_emulator: BentoEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """60 broadcasts (3 pages) cost one crossing per page plus start, end and close."""
    for i in range(60):
        threaded_emulator.state.add_broadcast(f"b{i:02d}")
    crossings = _count_crossings(sync_bento, monkeypatch)
    items = sync_bento.broadcasts.iter()
    first = next(items)
    assert isinstance(first, Broadcast)
    assert len(threaded_emulator.requests) == 1  # lazy: one page fetched so far
    rest = [next(items) for _ in range(25)]
    assert rest[-1].name == "b25"
    assert len(threaded_emulator.requests) == 2
    names = [first.name, *(b.name for b in rest), *(b.name for b in items)]
    assert names == [f"b{i:02d}" for i in range(60)]
    assert crossings[0] == 1 + 3 + 1 + 1  # start, three pages, the end, closing


def test_pages_forwarder_yields_pages(sync_bento: Bento, threaded_emulator: BentoEmulator) -> None:
    """The sync `pages` yields Page values with numbers and meta."""
    for i in range(7):
        threaded_emulator.state.add_sequence(f"s{i}")
    for i in range(30):
        threaded_emulator.state.add_broadcast(f"b{i}")
    pages = list(sync_bento.broadcasts.pages(per_page=10, start=2))
    assert [(p.number, len(p)) for p in pages] == [(2, 10), (3, 10)]
    assert all(isinstance(p, Page) for p in pages)
    assert [s.name for s in sync_bento.sequences.iter()] == [f"s{i}" for i in range(7)]


def test_leaving_early_closes_the_async_generator(
    sync_bento: Bento, threaded_emulator: BentoEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A `break` closes the async pages generator at once, with no warning, no more requests."""
    for i in range(60):
        threaded_emulator.state.add_broadcast(f"b{i}")
    events: list[str] = []
    original = AsyncBroadcasts.pages

    async def instrumented(self: AsyncBroadcasts, **kwargs: Any) -> AsyncIterator[Page[Broadcast]]:
        events.append("opened")
        try:
            async for page in original(self, **kwargs):
                yield page
        finally:
            events.append("closed")

    monkeypatch.setattr(AsyncBroadcasts, "pages", instrumented)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for broadcast in sync_bento.broadcasts.iter():
            assert broadcast.name == "b0"
            break
        assert events == ["opened", "closed"]
        gc.collect()
    assert len(threaded_emulator.requests) == 1


def test_bad_arguments_raise_in_the_caller(
    sync_bento: Bento, threaded_emulator: BentoEmulator
) -> None:
    """Validation happens when iteration starts, and the error reaches the calling thread."""
    items = sync_bento.broadcasts.iter(status="archived")
    with pytest.raises(ValidationError, match="status"):
        next(items)
    assert threaded_emulator.requests == []


def test_iterator_outliving_its_client(threaded_emulator: BentoEmulator) -> None:
    """After the client closes, a started iterator refuses to go on and is dropped quietly."""
    threaded_emulator.state.add_broadcast("only")
    threaded_emulator.state.add_broadcast("two")
    client = Bento(**threaded_emulator.credentials, rate_limits="docs")
    items = client.broadcasts.iter(per_page=1)
    assert next(items).name == "only"
    client.close()
    with pytest.raises(RuntimeError, match="closed"):
        next(items)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        del items
        gc.collect()
