"""Converter edge cases: booleans, datetimes, unknown keys, and shared empty mappings."""

from __future__ import annotations

import copy
import json
import pickle

import attrs
import cattrs
import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bento_async import Field, Subscriber, converter


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(True, True), (False, False), ("false", False), ("True", True), (0, False), (1, True)],
)
def test_booleans_parse_by_meaning(raw: object, expected: bool) -> None:
    """A string "false" is False, not truthy."""
    item = {"id": "1", "attributes": {"key": "k", "whitelisted": raw}}
    assert converter.structure(item, Field).whitelisted is expected


def test_nonsense_boolean_is_rejected() -> None:
    """A value that is no boolean fails loudly instead of becoming True."""
    with pytest.raises(cattrs.BaseValidationError) as info:
        converter.structure({"id": "1", "attributes": {"key": "k", "whitelisted": "maybe"}}, Field)
    assert "whitelisted" in " ".join(cattrs.transform_error(info.value))


@given(st.dictionaries(st.from_regex(r"[a-z_]{1,12}", fullmatch=True), st.integers(), max_size=5))
def test_unknown_keys_are_kept_in_extra(unknown: dict[str, int]) -> None:
    """Attribute keys the model does not know never break parsing and stay reachable."""
    known = {
        "uuid",
        "email",
        "fields",
        "cached_tag_ids",
        "unsubscribed_at",
        "navigation_url",
        "id",
        "extra",
    }
    unknown = {k: v for k, v in unknown.items() if k not in known}
    item = {
        "id": "5",
        "type": "visitors",
        "attributes": {"uuid": "u", "email": "a@example.com", **unknown},
    }
    sub = converter.structure(item, Subscriber)
    for key, value in unknown.items():
        assert sub.extra[key] == value


@pytest.mark.parametrize(
    "stamp", ["2024-01-01T00:00:00Z", "2024-01-01T00:00:00.123456789Z", "2024-01-01T01:00:00+01:00"]
)
def test_timestamps_parse_to_the_same_instant(stamp: str) -> None:
    """Z suffixes, long fractions and offsets all parse to aware datetimes."""
    item = {
        "id": "5",
        "attributes": {"uuid": "u", "email": "a@example.com", "unsubscribed_at": stamp},
    }
    parsed = converter.structure(item, Subscriber).unsubscribed_at
    assert parsed is not None
    assert parsed.utcoffset() is not None
    assert parsed.timestamp() == pytest.approx(1704067200, abs=1)


_PLAIN = {"id": "7", "type": "visitors", "attributes": {"uuid": "u", "email": "a@example.com"}}


@pytest.mark.parametrize(
    "item",
    [
        _PLAIN,
        {**_PLAIN, "attributes": {**_PLAIN["attributes"], "fields": {}}},
        {**_PLAIN, "attributes": {**_PLAIN["attributes"], "fields": None}},
        # a value the one-pass builder leaves to cattrs (a numeric timestamp)
        {**_PLAIN, "attributes": {**_PLAIN["attributes"], "unsubscribed_at": 0}},
    ],
)
def test_empty_mappings_and_a_type_only_extra_are_shared_and_read_only(
    item: dict[str, object],
) -> None:
    """Models parsed apart share one empty `fields` and one `{"type": ...}` extra (a fan-out
    keeps thousands); both refuse changes, and compare, copy and serialise as dicts."""
    first, second = converter.structure(item, Subscriber), converter.structure(item, Subscriber)
    assert first.fields == {}
    assert first.extra == {"type": "visitors"}
    assert first.fields is second.fields
    assert first.extra is second.extra
    for change in (
        lambda m: m.__setitem__("k", 1),
        lambda m: m.update(k=1),
        lambda m: m.pop("type"),
        lambda m: m.setdefault("k", 1),
        lambda m: m.clear(),
    ):
        with pytest.raises(TypeError, match="copy it with dict"):
            change(first.extra)
    assert dict(first.extra) == {"type": "visitors"}
    assert first.extra | {"k": 1} == {"type": "visitors", "k": 1}
    again = pickle.loads(pickle.dumps(first))
    assert again == first
    assert type(again.extra) is dict
    assert copy.deepcopy(first) == first
    as_dict = attrs.asdict(first)
    for encoded in (json.dumps(as_dict, default=str), orjson.dumps(as_dict)):
        assert json.loads(encoded)["extra"] == {"type": "visitors"}
        assert json.loads(encoded)["fields"] == {}
    assert converter.unstructure(first)["extra"] == {"type": "visitors"}
    assert orjson.loads(orjson.dumps(first.extra)) == json.loads(json.dumps(first.extra))


def test_mappings_with_items_stay_plain_dicts_of_their_own() -> None:
    """A model's non-empty `fields` and an `extra` with unknown keys are its own dicts."""
    item = {**_PLAIN, "attributes": {**_PLAIN["attributes"], "fields": {"a": 1}, "zz": 2}}
    first, second = converter.structure(item, Subscriber), converter.structure(item, Subscriber)
    assert type(first.fields) is dict
    assert first.fields == {"a": 1}
    assert first.extra == {"zz": 2, "type": "visitors"}
    assert first.fields is not second.fields
    assert first.extra is not second.extra


def test_models_carry_no_instance_dict() -> None:
    """Resource and plain-object models are fully slotted: no per-instance __dict__."""
    sub = converter.structure(_PLAIN, Subscriber)
    field = converter.structure({"id": "1", "attributes": {"key": "k"}}, Field)
    for model in (sub, field):
        assert not hasattr(model, "__dict__")
