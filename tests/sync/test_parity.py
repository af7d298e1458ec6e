"""Every async method has a sync twin with the same signature, and nothing else."""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator

import bento_async
import bento_sync
from bento_async import AsyncBento
from bento_sync import Bento
from bento_sync._forward import (
    _ChunkedForward,
    _Forward,
    _ForwardBase,
    _ForwardItems,
    _ForwardPages,
    _StreamForward,
    sync_signature,
)


def _resources(client_cls: type) -> dict[str, type]:
    hints = {k: v for k, v in inspect.get_annotations(client_cls, eval_str=True).items()}
    return hints


def _returns_async_iterator(fn: object) -> bool:
    if not inspect.isfunction(fn):
        return False
    hints = inspect.get_annotations(fn, eval_str=True)
    return getattr(hints.get("return"), "__origin__", None) is AsyncIterator


def _public_methods(cls: type) -> dict[str, object]:
    return {
        name: member
        for name, member in inspect.getmembers(cls)
        if not name.startswith("_")
        and (
            inspect.iscoroutinefunction(member)
            or inspect.isasyncgenfunction(member)
            or _returns_async_iterator(member)
            or isinstance(member, (_ForwardBase, _StreamForward))
        )
    }


def _check_forwarder(area: str, name: str, method: object, forwarder: object) -> None:
    """The forwarder kind fits the async method: coroutines forward their result (bulk
    ones feed their input a chunk at a time), streams of outcomes forward as streams, page
    iterators forward pages, and item iterators go through a pages twin with the same
    arguments (so the sync facade crosses the portal a page at a time)."""
    if inspect.iscoroutinefunction(method):
        params = inspect.signature(method).parameters  # type: ignore[arg-type]
        takes_stream = any("AsyncIterable" in str(p.annotation) for p in params.values())
        kind = _ChunkedForward if takes_stream else _Forward
        assert type(forwarder) is kind, f"{area}.{name}"
        return
    if not inspect.isasyncgenfunction(method):
        assert _returns_async_iterator(method), f"{area}.{name}"
        assert isinstance(forwarder, _StreamForward), f"{area}.{name}"
        return
    returns = inspect.signature(method).return_annotation  # type: ignore[arg-type]
    if returns.startswith("AsyncIterator[Page["):
        assert isinstance(forwarder, _ForwardPages), f"{area}.{name}"
        return
    assert isinstance(forwarder, _ForwardItems), f"{area}.{name} must iterate through pages"
    pages = forwarder.pages
    assert inspect.isasyncgenfunction(pages), f"{area}.{name}"
    assert inspect.signature(pages).return_annotation.startswith("AsyncIterator[Page[")
    assert list(inspect.signature(pages).parameters.values()) == list(
        inspect.signature(method).parameters.values()  # type: ignore[arg-type]
    ), f"{area}.{name} and its pages twin {pages.__name__} take different arguments"


def test_same_resources() -> None:
    """Both clients expose the same resource namespaces."""
    async_client = AsyncBento(publishable_key="p", secret_key="s", site_uuid="u")
    sync_client = Bento(publishable_key="p", secret_key="s", site_uuid="u")
    try:
        async_areas = {k for k, v in vars(async_client).items() if not k.startswith("_")}
        sync_areas = {k for k, v in vars(sync_client).items() if not k.startswith("_")}
        assert async_areas == sync_areas
        assert async_areas >= {"subscribers", "commands", "tags", "fields", "events"}
        assert async_areas >= {"broadcasts", "emails", "sequences", "workflows"}
        assert async_areas >= {"email_templates", "forms", "search", "segments"}
        for area in async_areas:
            async_methods = _public_methods(type(getattr(async_client, area)))
            sync_methods = _public_methods(type(getattr(sync_client, area)))
            assert set(async_methods) == set(sync_methods), area
            for name, method in async_methods.items():
                forwarder = sync_methods[name]
                _check_forwarder(area, name, method, forwarder)
                assert forwarder.__wrapped__ is method, f"{area}.{name}"
                expected = inspect.signature(method)
                params = list(expected.parameters.values())[1:]
                twin = expected.replace(parameters=params)
                returns = expected.return_annotation
                if isinstance(returns, str) and returns.startswith("AsyncIterator["):
                    twin = twin.replace(return_annotation=returns.removeprefix("Async"))
                assert forwarder.__signature__ == twin
                bound = getattr(getattr(sync_client, area), name)
                assert inspect.signature(bound) == twin
    finally:
        sync_client.close()


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
