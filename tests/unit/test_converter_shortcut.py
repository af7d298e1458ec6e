"""Property tests of the converter's shortcut: it always gives what the cattrs path gives."""

from __future__ import annotations

import typing
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import attrs
import cattrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bento_async import make_converter
from bento_async._converter import _is_resource, _resource_hook, converter
from bento_async._http import loads
from bento_async.models import Field, Subscriber, Tag

MODELS = (Subscriber, Tag, Field)


def _cattrs_only() -> cattrs.Converter:
    # The SDK's own converter with the shortcut switched off (factories registered later win).
    conv = make_converter()
    conv.register_structure_hook_factory(
        _is_resource, lambda cls: _resource_hook(conv, cls, shortcut=False)
    )
    return conv


REFERENCE = _cattrs_only()

timestamps = st.sampled_from(
    ["2024-01-01T00:00:00Z", "2024-05-06T07:08:09.123Z", "2024-01-01 00:00:00", "soon", ""]
)
leaves = (
    st.none()
    | st.booleans()
    | st.integers(-5, 2**40)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=4)
    | timestamps
)
values = st.recursive(
    leaves,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner),
    max_leaves=6,
)


def _typed(tp: Any) -> st.SearchStrategy[Any]:
    """Values of the field's own type, as JSON has them: the kind the shortcut handles."""
    texts = st.text(max_size=5)
    by_type: dict[Any, st.SearchStrategy[Any]] = {
        str: texts,
        int: st.integers(-5, 2**40),
        bool: st.booleans(),
        datetime: timestamps,
        tuple[str, ...]: st.lists(texts, max_size=4),
        Mapping[str, Any]: st.dictionaries(texts, values, max_size=4),
    }
    inner = [t for t in typing.get_args(tp) if t is not type(None)] if _optional(tp) else [tp]
    return st.none() | st.one_of(*(by_type[t] for t in inner if t in by_type))


def _optional(tp: Any) -> bool:
    return type(None) in typing.get_args(tp)


def _attributes(model: type) -> st.SearchStrategy[dict[Any, Any]]:
    fields = attrs.fields(attrs.resolve_types(model))
    # Mostly well-typed values, so the shortcut's own path runs, and anything now and then.
    known = {f.name: _typed(f.type) | values if f.name != "extra" else values for f in fields}
    required = {f.name: known.pop(f.name) for f in fields if f.default is attrs.NOTHING}
    return st.fixed_dictionaries(required, optional=known) | st.dictionaries(
        st.sampled_from(sorted(known)) | st.text(max_size=3), values, max_size=8
    )


def _items(model: type) -> st.SearchStrategy[Any]:
    attributes = _attributes(model)
    envelope = st.fixed_dictionaries(
        {"id": st.text(min_size=1, max_size=4) | values, "attributes": attributes},
        optional={"type": st.text(max_size=8)},
    )
    return envelope | attributes | values


def _outcome(conv: cattrs.Converter, item: Any, model: type) -> tuple[Any, ...]:
    try:
        built = conv.structure(item, model)
    except Exception as exc:
        detail = cattrs.transform_error(exc) if isinstance(exc, cattrs.BaseValidationError) else []
        return ("raised", type(exc), str(exc), detail)
    kinds = [type(getattr(built, f.name)) for f in attrs.fields(model)]
    return ("built", built, kinds)


ITEMS = {model: _items(model) for model in MODELS}


@given(data=st.data(), model=st.sampled_from(MODELS))
def test_shortcut_matches_cattrs(data: st.DataObject, model: type) -> None:
    """For any item, the SDK's converter builds or raises exactly what the cattrs path does."""
    item = data.draw(ITEMS[model])
    assert _outcome(converter, item, model) == _outcome(REFERENCE, item, model)


def test_shortcut_is_taken_for_plain_items(monkeypatch: pytest.MonkeyPatch) -> None:
    """A plain subscriber item is built without the cattrs structure function."""
    conv = make_converter()

    def refuse(*_: object) -> None:
        raise AssertionError("the cattrs path ran")

    monkeypatch.setattr("bento_async._converter.make_dict_structure_fn", lambda *_: refuse)
    item = {
        "id": "7",
        "type": "visitors",
        "attributes": {
            "uuid": "u-1",
            "email": "jesse@example.com",
            "fields": {"plan": "pro"},
            "cached_tag_ids": ["1", "2"],
            "unsubscribed_at": "2024-01-01T00:00:00Z",
            "navigation_url": None,
            "bounced": False,
        },
    }
    built = conv.structure(item, Subscriber)
    assert built.cached_tag_ids == ("1", "2")
    assert built.extra == {"bounced": False, "type": "visitors"}
    assert built.unsubscribed_at is not None


def test_registered_hooks_are_respected() -> None:
    """A hook registered on a converter for a field type is used, shortcut or not."""
    conv = make_converter()
    conv.register_structure_hook(str, lambda value, _: str(value).upper())
    built = conv.structure({"id": "1", "attributes": {"uuid": "u", "email": "e@x.io"}}, Subscriber)
    assert (built.uuid, built.email) == ("U", "E@X.IO")


def test_item_type_is_one_string_for_every_model() -> None:
    """Models decoded from separate answers share one ``type`` string (fan-outs keep many)."""
    built = [
        converter.structure(
            loads(
                b'{"id": "1", "type": "visitors", "attributes": {"uuid": "u", "email": "e@x.io"}}'
            ),
            Subscriber,
        )
        for _ in range(2)
    ]
    assert built[0].extra["type"] == "visitors"
    assert built[0].extra["type"] is built[1].extra["type"]
