"""Public names report their public module, and stay usable by type-hint readers."""

from __future__ import annotations

import inspect
import pickle
import typing
from types import ModuleType

import pytest

import bento_async
import bento_sync


def _claimed(package: ModuleType) -> dict[str, object]:
    return {
        name: value
        for name in package.__all__
        if isinstance(value := getattr(package, name), type) or inspect.isfunction(value)
    }


@pytest.mark.parametrize("package", [bento_async, bento_sync])
def test_every_public_class_and_function_reports_its_public_module(package: ModuleType) -> None:
    """Every class and function in __all__ says it lives in bento_async (or, for Bento,
    bento_sync), not in a private module: reprs, docs and pickles show the public path."""
    claimed = _claimed(package)
    assert len(claimed) > (60 if package is bento_async else 0)
    for name, value in claimed.items():
        home = "bento_sync" if name == "Bento" else "bento_async"
        assert value.__module__ == home, name  # type: ignore[attr-defined]
    assert repr(bento_async.AsyncBento) == "<class 'bento_async.AsyncBento'>"


def test_type_hints_of_public_classes_still_resolve() -> None:
    """typing.get_type_hints (used by attrs, cattrs and user tools) still resolves the
    annotations of every public class, although the module they name is the package."""
    for value in _claimed(bento_async).values():
        if isinstance(value, type):
            typing.get_type_hints(value)
    hints = typing.get_type_hints(bento_async.Subscriber)
    assert hints["email"] is str


def test_public_models_pickle_by_their_public_path() -> None:
    """A model pickles as bento_async.<Name> and comes back equal."""
    tag = bento_async.converter.structure(
        {"id": "1", "attributes": {"name": "vip"}}, bento_async.Tag
    )
    data = pickle.dumps(tag)
    assert b"bento_async" in data
    assert b"bento_async.models" not in data
    assert pickle.loads(data) == tag
