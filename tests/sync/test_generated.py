"""The sync API is generated source: up to date with bento_async, and visible to editors."""

from __future__ import annotations

import enum
from collections.abc import AsyncIterator

import jedi
import pytest

from tools import sync_api


class Mode(enum.Enum):
    """A made-up option, for a default that is no literal."""

    QUICK = "quick"


def test_generated_modules_are_up_to_date() -> None:
    """Regenerating bento_sync/resources/ from the async resources changes nothing: run
    `python -m tools.sync_api` after changing an async resource method."""
    assert sync_api._stale(sync_api.render()) == []


def test_a_changed_async_method_makes_the_check_fail(monkeypatch: pytest.MonkeyPatch) -> None:
    """The check notices an async method whose signature changed without regeneration."""
    from bento_async.resources.tags import Tags

    async def create(self: Tags, name: str, *, colour: str | None = None) -> object:
        """Create a tag (a changed twin)."""
        raise NotImplementedError

    monkeypatch.setattr(Tags, "create", create)
    diff = "".join(sync_api._stale(sync_api.render()))
    assert "+    def create(self, name: str, *, colour: str | None = None) -> object:" in diff
    assert "Create a tag (a changed twin)." in diff


def test_jedi_completes_sync_methods_with_signature_and_docstring() -> None:
    """Jedi (IPython's and Jupyter's completer) reads the sync methods from source: the
    completion of `Bento().subscribers.get` has the async method's signature and docstring."""
    code = "from bento_sync import Bento\nbento = Bento()\nbento.subscribers.ge"
    completions = jedi.Script(code).complete(3, len("bento.subscribers.ge"))
    get = next(c for c in completions if c.name == "get")
    assert get.type == "function"
    [signature] = get.get_signatures()
    assert [p.name for p in signature.params] == ["email", "uuid"]
    shown = signature.to_string().replace(" ", "")
    assert shown == "get(*,email:str|None=None,uuid:str|None=None)->Subscriber|None"
    assert "Find a subscriber by email or uuid (exactly one)" in get.docstring()


def test_jedi_sees_an_iterator_twin_as_an_iterator() -> None:
    """A sync item iterator is typed as a plain Iterator of the model for editors."""
    code = "from bento_sync import Bento\nBento().broadcasts.iter("
    signatures = jedi.Script(code).get_signatures(2, len("Bento().broadcasts.iter("))
    assert [s.to_string().replace(" ", "") for s in signatures] == [
        "iter(*,status:BroadcastStatus|str|None=None,per_page:int|None=None,start:int=1)"
        "->Iterator[Broadcast]"
    ]


async def _tags_create(self: object, name: str, *, mode: Mode = Mode.QUICK) -> object:
    r"""Create a tag (named like ``\w+``)."""
    raise NotImplementedError


def test_the_generator_copies_expressions_and_raw_docstrings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A default that is no literal is copied as written, with its import, and a
    docstring holding a backslash stays exactly as __doc__ has it."""
    from bento_async.resources.tags import Tags

    monkeypatch.setattr(Tags, "create", _tags_create)
    files = sync_api.render()
    source = files[sync_api.TARGET / "tags.py"]
    assert "def create(self, name: str, *, mode: Mode = Mode.QUICK) -> object:" in source
    assert f"from {__name__} import Mode" in source
    assert 'r"""Create a tag (named like ``\\w+``)."""' in source


def test_an_item_iterator_needs_a_pages_twin() -> None:
    """An async item iterator whose class has no `pages` with the same arguments cannot be
    generated: the sync side would run one call on the loop per item."""

    class Lonely:
        async def iter(self, *, start: int = 1) -> AsyncIterator[int]:
            yield start

    with pytest.raises(TypeError, match="has no pages"):
        sync_api._method(Lonely, "_lonely", "iter", sync_api._Imports())
