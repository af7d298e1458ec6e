"""Every async method has a sync twin with the same signature, and nothing else."""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator

import bento_async
import bento_sync
from bento_async import AsyncBento
from bento_sync import Bento
from bento_sync._forward import _ChunkedForward, _Forward, _StreamForward


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
            or _returns_async_iterator(member)
            or isinstance(member, (_Forward, _StreamForward))
        )
    }


def _expected_kind(method: object) -> type:
    """The forwarder a method needs: a stream for async iterators, chunked for bulk inputs."""
    if _returns_async_iterator(method):
        return _StreamForward
    params = inspect.signature(method).parameters  # type: ignore[arg-type]
    takes_stream = any("AsyncIterable" in str(p.annotation) for p in params.values())
    return _ChunkedForward if takes_stream else _Forward


def test_same_resources() -> None:
    """Both clients expose the same resource namespaces."""
    async_client = AsyncBento(publishable_key="p", secret_key="s", site_uuid="u")
    sync_client = Bento(publishable_key="p", secret_key="s", site_uuid="u")
    try:
        async_areas = {k for k, v in vars(async_client).items() if not k.startswith("_")}
        sync_areas = {k for k, v in vars(sync_client).items() if not k.startswith("_")}
        assert async_areas == sync_areas
        assert async_areas >= {"subscribers", "commands", "tags", "fields", "events"}
        for area in async_areas:
            async_methods = _public_methods(type(getattr(async_client, area)))
            sync_methods = _public_methods(type(getattr(sync_client, area)))
            assert set(async_methods) == set(sync_methods), area
            for name, method in async_methods.items():
                forwarder = sync_methods[name]
                assert type(forwarder) is _expected_kind(method), f"{area}.{name}"
                assert forwarder.__wrapped__ is method, f"{area}.{name}"
                expected = inspect.signature(method)
                params = list(expected.parameters.values())[1:]
                returns = expected.return_annotation
                if isinstance(forwarder, _StreamForward):
                    assert returns.startswith("AsyncIterator[")
                    returns = returns.replace("AsyncIterator[", "Iterator[", 1)
                expected = expected.replace(parameters=params, return_annotation=returns)
                assert forwarder.__signature__ == expected
                bound = getattr(getattr(sync_client, area), name)
                assert inspect.signature(bound) == expected
    finally:
        sync_client.close()


def test_sync_package_reexports_async_classes() -> None:
    """bento_sync re-exports the very model and error classes of bento_async, never copies."""
    for name in bento_sync.__all__:
        if name in ("Bento", "__version__"):
            continue
        assert getattr(bento_sync, name) is getattr(bento_async, name), name


def test_all_is_sorted_and_complete() -> None:
    """__all__ is sorted and names only things that exist."""
    for module in (bento_async, bento_sync):
        names = [n for n in module.__all__ if n != "__version__"]
        assert names == sorted(names)
        for name in module.__all__:
            assert hasattr(module, name)
