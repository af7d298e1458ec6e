"""Converter edge cases: booleans, datetimes and unknown keys."""

from __future__ import annotations

import cattrs
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
