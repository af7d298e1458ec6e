"""Both clients have the same areas, methods, signatures, docstrings and options."""

from __future__ import annotations

import inspect
import re
from collections.abc import AsyncIterator, Callable
from typing import Any

import bento_async
import bento_sync
from bento_async import AsyncBento
from bento_async._client import AREAS as ASYNC_AREAS
from bento_sync import Bento
from bento_sync.resources import AREAS as SYNC_AREAS
from tools.sync_api import kind_of, sync_signature


def _public_methods(cls: type) -> dict[str, Callable[..., Any]]:
    return {
        name: member
        for name, member in inspect.getmembers(cls, inspect.isfunction)
        if not name.startswith("_")
    }


def test_same_areas() -> None:
    """Both clients expose the same resource namespaces, from the one list AsyncBento
    declares, and carry them as attributes."""
    assert [(a, c.__name__) for a, c in SYNC_AREAS] == [(a, c.__name__) for a, c in ASYNC_AREAS]
    async_client = AsyncBento(publishable_key="p", secret_key="s", site_uuid="u")
    with Bento(publishable_key="p", secret_key="s", site_uuid="u") as sync_client:
        for area, cls in SYNC_AREAS:
            assert type(getattr(sync_client, area)) is cls
            assert type(getattr(async_client, area)).__name__ == cls.__name__
        view = sync_client.with_options(timeout=5)
        assert all(type(getattr(view, area)) is cls for area, cls in SYNC_AREAS)
    assert {a for a, _ in ASYNC_AREAS} >= {"subscribers", "commands", "tags", "fields", "events"}


def test_every_async_method_has_a_sync_twin() -> None:
    """Every public async method has a sync twin of the same name with its signature
    (an AsyncIterator result becomes an Iterator) and its docstring, and nothing else."""
    for (area, async_cls), (_, sync_cls) in zip(ASYNC_AREAS, SYNC_AREAS, strict=True):
        async_methods = _public_methods(async_cls)
        sync_methods = _public_methods(sync_cls)
        assert set(async_methods) == set(sync_methods), area
        for name, method in async_methods.items():
            twin = sync_methods[name]
            where = f"{area}.{name}"
            expected = sync_signature(method)
            assert inspect.signature(twin).replace(parameters=[]) == expected.replace(
                parameters=[]
            ), where
            assert list(inspect.signature(twin).parameters.values())[1:] == list(
                expected.parameters.values()
            ), where
            assert inspect.getdoc(twin) == inspect.getdoc(method), where


def test_each_twin_runs_its_method_through_the_fitting_bridge() -> None:
    """Coroutines forward their result (bulk ones feed their input a chunk at a time),
    streams of outcomes forward as streams, page iterators forward pages, and item
    iterators go through a pages twin with the same arguments, so the sync facade goes to
    the loop a page at a time."""
    kinds: dict[str, set[str]] = {}
    for (area, async_cls), (_, sync_cls) in zip(ASYNC_AREAS, SYNC_AREAS, strict=True):
        for name, method in _public_methods(async_cls).items():
            kind = kind_of(method)
            kinds.setdefault(kind, set()).add(f"{area}.{name}")
            target = "pages" if kind == "_items" else name
            source = "".join(inspect.getsource(getattr(sync_cls, name)).split())
            call = f"returnself.{kind}(_{area}.{async_cls.__name__}.{target}"
            assert re.search(re.escape(call) + "[,)]", source), f"{area}.{name}"
    assert "subscribers.import_many" in kinds["_write_many"]
    assert "subscribers.get_many" in kinds["_read_many"]
    assert kinds["_stream"] == {"subscribers.stream_many"}
    assert "broadcasts.pages" in kinds["_pages"]
    assert "broadcasts.iter" in kinds["_items"]


def test_constructors_take_the_same_options() -> None:
    """Bento takes exactly AsyncBento's options (names, kinds, types and defaults) but
    `session` (an aiohttp session belongs to one loop, and Bento's runs on its own thread),
    and with_options the same per-call ones."""
    async_init = inspect.signature(AsyncBento.__init__)
    shared = [p for name, p in async_init.parameters.items() if name != "session"]
    assert inspect.signature(Bento.__init__) == async_init.replace(parameters=shared)
    sync_view = inspect.signature(Bento.with_options)
    async_view = inspect.signature(AsyncBento.with_options)
    assert sync_view.parameters == async_view.parameters


def test_sync_all_is_async_all_with_bento_for_async_bento() -> None:
    """bento_sync exports every public name of bento_async, AsyncBento replaced by Bento."""
    expected = (set(bento_async.__all__) - {"AsyncBento"}) | {"Bento"}
    assert set(bento_sync.__all__) == expected


def test_sync_package_reexports_async_classes() -> None:
    """bento_sync re-exports the very model and error classes of bento_async, never copies."""
    for name in bento_sync.__all__:
        if name in ("Bento", "EventQueue", "__version__"):
            continue
        assert getattr(bento_sync, name) is getattr(bento_async, name), name


def test_all_is_sorted_and_complete() -> None:
    """__all__ is sorted and names only things that exist."""
    for module in (bento_async, bento_sync):
        names = [n for n in module.__all__ if n != "__version__"]
        assert names == sorted(names)
        for name in module.__all__:
            assert hasattr(module, name)


def test_sync_signature_turns_async_iterators_into_iterators() -> None:
    """The sync twin of an async iterator method is typed as a plain iterator, without self."""

    async def pages(self: object, *, start: int = 1) -> AsyncIterator[int]:
        yield start

    signature = sync_signature(pages)
    assert list(signature.parameters) == ["start"]
    assert signature.return_annotation == "Iterator[int]"
