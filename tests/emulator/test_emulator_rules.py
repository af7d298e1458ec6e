"""Pure rules and state logic, without HTTP: property tests and edge cases."""

from __future__ import annotations

import itertools
import string
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from bento_emulator import EmulatorState
from bento_emulator._handlers._common import (
    InvalidItem,
    is_flat,
    is_truthy,
    parse_date,
    parse_tag_list,
)
from bento_emulator._handlers._render import iso
from bento_emulator._state import field_name_for

words = st.lists(st.text(string.ascii_lowercase, min_size=1, max_size=8), min_size=1, max_size=5)
tag_names = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters=","), min_size=1
).filter(lambda name: name.strip() == name)


@pytest.mark.parametrize("key", ["thisIsAKey", "this is a key", "this-is-a-key", "this_is_a_key"])
def test_field_name_examples(key):
    """The four documented spellings all become `This Is A Key`."""
    assert field_name_for(key) == "This Is A Key"


@given(words)
def test_field_name_ignores_the_spelling_of_a_key(parts):
    """snake, kebab, spaced and camel spellings of the same words give the same name."""
    assume(not any(len(a) == len(b) == 1 for a, b in itertools.pairwise(parts)))
    expected = " ".join(part.capitalize() for part in parts)
    camel = parts[0] + "".join(part.capitalize() for part in parts[1:])
    for key in ("_".join(parts), "-".join(parts), " ".join(parts), camel):
        assert field_name_for(key) == expected


@given(st.text(string.ascii_letters + string.digits + " _-"))
def test_field_name_is_idempotent(key):
    """Deriving a name from a derived name changes nothing."""
    name = field_name_for(key)
    assert field_name_for(name) == name


@given(st.lists(tag_names, max_size=6))
def test_tag_list_string_and_array_agree(names):
    """A comma string and an array of the same names parse to the same list."""
    assert parse_tag_list(",".join(names)) == parse_tag_list(names) == names


@given(st.lists(tag_names, max_size=6))
def test_tag_list_drops_blanks_and_padding(names):
    """Spaces around names and empty entries are ignored."""
    padded = " , ".join(f"  {name} " for name in names) + ", ,"
    assert parse_tag_list(padded) == names


@pytest.mark.parametrize("value", [5, {"a": 1}, ["a", 2], True])
def test_tag_list_of_the_wrong_type_is_invalid(value):
    """A tag list that is neither a string nor an array of strings is refused."""
    with pytest.raises(InvalidItem):
        parse_tag_list(value)


@given(st.datetimes(timezones=st.just(timezone.utc)))
def test_dates_round_trip_through_iso(moment):
    """An ISO 8601 rendering parses back to the same instant (to the second)."""
    assert parse_date(iso(moment)) == moment.replace(microsecond=0)


@given(st.recursive(st.none() | st.booleans() | st.integers() | st.text(), st.lists, max_leaves=5))
def test_scalars_and_scalar_arrays_are_flat(value):
    """A value is flat exactly when it is a scalar or an array holding no containers."""
    expected = not isinstance(value, list) or not any(isinstance(v, list) for v in value)
    assert is_flat(value) == expected
    assert not is_flat({"nested": value})


@pytest.mark.parametrize(
    ("flag", "truthy"),
    [
        (True, True),
        ("true", True),
        (" True ", True),
        (False, False),
        ("false", False),
        (None, False),
        (1, False),
        ("yes", False),
    ],
)
def test_bypass_flag_reading(flag, truthy):
    """Only true and the string "true" (any case) count as set."""
    assert is_truthy(flag) is truthy


def test_state_change_email_keeps_lookups_consistent():
    """After change_email the old address is free and the new one finds the same person."""
    state = EmulatorState()
    person, _ = state.find_or_create_subscriber("Old@Example.com")
    state.change_email("old@example.com", "New@Example.com")
    assert state.subscriber_by_email("old@example.com") is None
    assert state.subscriber_by_email("new@example.com").id == person.id
    state.change_email("new@example.com", "NEW@example.com")  # a change of case only
    assert state.subscriber_by_email("new@example.com").email == "NEW@example.com"
    other, created = state.find_or_create_subscriber("old@example.com")
    assert created
    with pytest.raises(ValueError, match="taken"):
        state.change_email(other.email, "new@example.com")


def test_state_snapshots_do_not_change_under_the_reader():
    """A subscriber read earlier keeps its values after later writes."""
    state = EmulatorState()
    before = state.set_fields("a@example.com", {"plan": "free"})
    after = state.set_fields("a@example.com", {"plan": "pro"})
    assert (before.fields, after.fields) == ({"plan": "free"}, {"plan": "pro"})
    assert state.subscriber_by_email("a@example.com") == after


def test_state_uses_its_clock():
    """Timestamps come from the injected clock."""
    moment = datetime(2024, 1, 7, tzinfo=timezone.utc)
    state = EmulatorState(clock=lambda: moment)
    person = state.unsubscribe("a@example.com")
    assert person.created_at == person.unsubscribed_at == moment
    assert state.find_or_create_field("last_name")[0].created_at == moment
    assert iso(moment + timedelta(hours=1)) == "2024-01-07T01:00:00Z"


def test_purchases_without_a_key_are_never_deduplicated():
    """Purchases with no unique key all count."""
    state = EmulatorState()
    now = state.clock()
    assert state.record_purchase("a@example.com", None, 100, "USD", now)
    assert state.record_purchase("a@example.com", None, 100, "USD", now)
    assert state.record_purchase("a@example.com", "k", 100, "USD", now)
    assert not state.record_purchase("b@example.com", "k", 100, "USD", now)
    assert state.revenue_of("a@example.com") == {"USD": 300}
    assert state.subscriber_by_email("b@example.com") is None


def test_tags_survive_discard_and_restore():
    """Discarding keeps memberships; find_or_create restores the same tag."""
    state = EmulatorState()
    state.add_tags("a@example.com", ["vip"])
    tag = state.tag_by_name("vip")
    assert state.discard_tag(tag.id).discarded_at is not None
    assert state.discard_tag("999") is None
    assert state.active_tags() == []
    assert state.tag_names_of("a@example.com") == ["vip"]
    restored, created = state.find_or_create_tag("vip")
    assert (restored.id, restored.discarded_at, created) == (tag.id, None, False)
    assert state.tag_names_of("nobody@example.com") == []
