"""The bridge under the generated sync methods: each runs one async method on the client's loop.

No behaviour lives here. Every method of a sync resource (generated in ``_resources.py``
by ``tools/sync_api.py``, which picks the kind from the async method) is one line handing
the async method and its own arguments to one of these:

- ``_call``: a coroutine method; the sync method returns its awaited result;
- ``_write_many`` / ``_read_many``: a bulk coroutine method whose input (the parameter
  that may be an async iterable) the caller's thread reads and hands over a chunk at a
  time (``_chunks.py``); Ctrl-C ends a bulk write between chunks with its partial result,
  and cancels a bulk lookup;
- ``_stream``: a method returning an async iterator of the outcomes of such an input
  (``stream_many``): a plain iterator, fed the same way;
- ``_pages``: an async iterator of pages: a plain iterator, each page crossing on its own;
- ``_items``: an async iterator of items, run through its *pages* twin: the caller's
  thread yields each page's items, so a page of 100 items costs one call on the loop;
- ``_queue``: ``events.queue``: a sync EventQueue (``_queue.py``) over the async queue
  that method makes on the client's loop.

Leaving a sync iterator early (``break``, an exception, garbage collection) closes the
async generator on the loop at once.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
from collections.abc import AsyncIterator, Callable, Coroutine, Iterable, Iterator
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec, TypeVar

from bento_async import EventQueue as AsyncEventQueue
from bento_async import InputIssue
from bento_async._bulk import check_input
from bento_async._validate import raise_if
from bento_async.models.pages import Page

from ._chunks import run_chunked, stream_chunked
from ._queue import EventQueue

if TYPE_CHECKING:
    from ._client import Bento

__all__ = ["SyncResource"]

P = ParamSpec("P")
T = TypeVar("T")


@functools.cache
def _bulk_inputs(fn: Callable[..., Any]) -> tuple[inspect.Signature, tuple[str, ...]]:
    """Return ``fn``'s signature and the parameters that may carry its bulk input: those
    that take an async iterable."""
    signature = inspect.signature(fn)
    names = tuple(p.name for p in signature.parameters.values() if "AsyncIterable" in str(p))
    return signature, names


class SyncResource:
    """A sync resource namespace: runs the methods of the async resource named ``_area``."""

    _area: str

    def __init__(self, bento: Bento) -> None:
        self._bento = bento

    def __repr__(self) -> str:
        return f"<sync {type(self).__name__} of {self._bento!r}>"

    def _twin(self) -> Any:
        """Return the async resource this one forwards to (on the client's loop only)."""
        return getattr(self._bento._async_client(), self._area)

    def _queue(
        self,
        fn: Callable[Concatenate[Any, P], AsyncEventQueue],
        /,
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> EventQueue:
        """Return a sync EventQueue over the async queue ``fn`` makes (on the client's loop)."""
        area = self._area
        return EventQueue(self._bento, lambda client: fn(getattr(client, area), *args, **kwargs))

    def _call(
        self,
        fn: Callable[Concatenate[Any, P], Coroutine[Any, Any, T]],
        /,
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        """Run the coroutine method ``fn`` and return its result."""

        def target() -> Coroutine[Any, Any, T]:
            return fn(self._twin(), *args, **kwargs)

        return self._bento._run(target)

    def _pages(
        self,
        fn: Callable[Concatenate[Any, P], AsyncIterator[T]],
        /,
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> Iterator[T]:
        """Iterate the async iterator method ``fn``, each value one call on the loop."""
        return _iterate(self, fn, args, kwargs)

    def _items(
        self,
        pages: Callable[Concatenate[Any, P], AsyncIterator[Page[T]]],
        /,
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> Iterator[T]:
        """Yield the items of the pages twin ``pages``, a page per call on the loop."""
        return _items(_iterate(self, pages, args, kwargs))

    def _write_many(
        self,
        fn: Callable[Concatenate[Any, P], Coroutine[Any, Any, T]],
        /,
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        """Run the bulk write ``fn``, feeding its input from this thread a chunk at a time.

        An ``on_progress`` callback runs in this thread. Ctrl-C ends the call between
        chunks and raises BulkInterruptedError with the partial result.
        """
        return self._many(fn, args, kwargs, interruptible=True)

    def _read_many(
        self,
        fn: Callable[Concatenate[Any, P], Coroutine[Any, Any, T]],
        /,
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        """Run the bulk lookup ``fn``, feeding its input from this thread; Ctrl-C cancels it."""
        return self._many(fn, args, kwargs, interruptible=False)

    def _many(
        self,
        fn: Callable[..., Coroutine[Any, Any, T]],
        args: Any,
        kwargs: Any,
        *,
        interruptible: bool,
    ) -> T:
        given, arguments = _bulk_arguments(fn, args, kwargs)

        def start(feed: object = None) -> Coroutine[Any, Any, T]:
            if feed is not None and given is not None:
                arguments[given] = feed
                if arguments.get("on_progress") is not None:
                    arguments["on_progress"] = feed.note  # type: ignore[attr-defined]
            return fn(self._twin(), **arguments)

        if given is None:  # nothing to feed: the async method reports the bad arguments
            return self._bento._run(start)
        items = arguments[given]
        _check_sync_input(items, given)
        return run_chunked(
            self._bento._loop_thread(),
            start,
            items,
            size=_shuttle_size(arguments),
            on_progress=arguments.get("on_progress"),
            interruptible=interruptible,
        )

    def _stream(
        self,
        fn: Callable[Concatenate[Any, P], AsyncIterator[T]],
        /,
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> Iterator[T]:
        """Iterate the outcomes of ``fn``, whose input is read here as the caller iterates."""
        given, arguments = _bulk_arguments(fn, args, kwargs)
        method: Callable[..., AsyncIterator[T]] = fn

        def start(feed: object = None) -> AsyncIterator[T]:
            if feed is not None and given is not None:
                arguments[given] = feed
            return method(self._twin(), **arguments)

        if given is None:  # nothing to feed: the async method reports the bad arguments

            async def fail() -> Iterator[T]:
                start()
                return iter(())

            return self._bento._run(fail)
        items = arguments[given]
        _check_sync_input(items, given)
        loop = self._bento._loop_thread()
        return stream_chunked(loop, start, items, size=_shuttle_size(arguments))


async def _next(agen: AsyncIterator[T]) -> tuple[bool, T | None]:
    try:
        return False, await agen.__anext__()
    except StopAsyncIteration:
        return True, None


def _iterate(
    resource: SyncResource, fn: Callable[..., AsyncIterator[Any]], args: Any, kwargs: Any
) -> Iterator[Any]:
    """Drive the async iterator method ``fn`` of ``resource``'s twin, a value per crossing."""
    bento = resource._bento

    async def start() -> AsyncIterator[Any]:
        return fn(resource._twin(), *args, **kwargs)

    agen = bento._run(start)
    try:
        while True:
            done, value = bento._run(functools.partial(_next, agen))
            if done:
                return
            yield value
    finally:
        aclose = getattr(agen, "aclose", None)
        if aclose is not None:
            # A closed client (or a call from inside its loop) cannot run it; the loop's own
            # shutdown then closes the generator.
            with contextlib.suppress(RuntimeError):
                bento._run(aclose)


def _items(pages: Iterator[Page[T]]) -> Iterator[T]:
    with contextlib.closing(pages):  # type: ignore[type-var]
        for page in pages:
            yield from page.items


# -- bulk: the caller's thread reads the input, the loop gets it a chunk at a time


def _bulk_arguments(
    fn: Callable[..., Any], args: Any, kwargs: Any
) -> tuple[str | None, dict[str, Any]]:
    """Bind a call of ``fn`` (without its ``self``); return the one input parameter given
    (None unless exactly one) and every argument by name."""
    signature, inputs = _bulk_inputs(fn)
    bound = signature.bind(None, *args, **kwargs)
    bound.apply_defaults()
    arguments = dict(bound.arguments)
    del arguments[next(iter(signature.parameters))]
    given = [name for name in inputs if arguments.get(name) is not None]
    return (given[0] if len(given) == 1 else None), arguments


def _check_sync_input(items: object, name: str) -> None:
    """Require a plain iterable: the sync client reads it in the caller's thread."""
    issues: list[InputIssue] = []
    check_input(items, name, issues)
    if not issues and not isinstance(items, Iterable):
        issues.append(InputIssue(name, "the sync client takes a plain iterable, not an async one"))
    raise_if(issues)


def _shuttle_size(arguments: dict[str, Any]) -> int:
    """How many items go to the loop at once: a chunk, or at least 100 lookups' worth."""
    size = arguments.get("chunk_size", arguments.get("concurrency"))
    if not isinstance(size, int) or size < 1:
        return 1  # the async method rejects it before asking for any input
    return size if "chunk_size" in arguments else max(size, 100)
