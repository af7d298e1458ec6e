"""The pure rules of upsert(wait=): when a subscriber shows an import, and the tag lists."""

from __future__ import annotations

import string

from hypothesis import given
from hypothesis import strategies as st

from bento_async import Subscriber
from bento_async.resources._upsert import shows, tag_names

names = st.text(string.ascii_letters + string.digits + "-_ ", min_size=1, max_size=8).filter(
    str.strip
)
values = st.one_of(st.integers(), st.text(max_size=5), st.booleans(), st.none())


def _subscriber(fields: dict[str, object]) -> Subscriber:
    return Subscriber(id="1", uuid="u", email="a@example.com", fields=fields)


@given(st.dictionaries(names, values), st.sets(names), st.data())
def test_a_subscriber_shows_any_part_of_what_it_has(
    fields: dict[str, object], tags: set[str], data: st.DataObject
) -> None:
    """Asking for a subset of its fields and tags (in any case) and none of its other tags
    is shown; asking to have removed a tag it has is not."""
    wanted = data.draw(st.sets(st.sampled_from(sorted(fields)))) if fields else set()
    asked_tags = data.draw(st.sets(st.sampled_from(sorted(tags)))) if tags else set()
    have = {t.casefold() for t in tags}
    gone = {g for g in data.draw(st.sets(names)) if g.casefold() not in have}
    subscriber = _subscriber(fields)
    asked_fields = {key: fields[key] for key in wanted}
    upper = [t.upper() for t in asked_tags]
    assert shows(subscriber, tags, asked_fields, upper, sorted(gone))
    if tags:
        assert not shows(subscriber, tags, asked_fields, [], [next(iter(tags))])


@given(st.dictionaries(names, st.integers(), min_size=1))
def test_a_field_value_is_compared_as_given_or_as_text(fields: dict[str, int]) -> None:
    """Bento may hand a number back as a string: either form counts; another value does not."""
    as_text = _subscriber({key: str(value) for key, value in fields.items()})
    assert shows(as_text, [], fields, [], [])
    key = next(iter(fields))
    assert not shows(as_text, [], {key: fields[key] + 1}, [], [])


def test_tag_names_from_a_string_or_a_list() -> None:
    """A comma string and a list give the same stripped names, blanks dropped."""
    assert tag_names(" a, b ,,c") == tag_names(["a", " b", "", "c"]) == ["a", "b", "c"]
