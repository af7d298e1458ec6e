"""Property and example tests of the client-side input checks."""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bento_async import Command, Event, InputIssue, ValidationError
from bento_async._validate import check_flat_fields, check_json_value, valid_email
from bento_async.resources.commands import check_command
from bento_async.resources.events import check_event
from bento_async.resources.subscribers import import_record

local = st.from_regex(r"[a-z0-9][a-z0-9._+-]{0,20}", fullmatch=True)
label = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?", fullmatch=True)


@given(local, st.lists(label, min_size=2, max_size=4))
def test_plausible_emails_are_valid(user: str, labels: list[str]) -> None:
    """Addresses of the usual shape pass."""
    assert valid_email(f"{user}@{'.'.join(labels)}")


@pytest.mark.parametrize(
    "value",
    [
        "",
        "plain",
        "@example.com",
        "a@",
        "a@b",
        "a b@example.com",
        "a@exa mple.com",
        "a@b.co\n",
        "a@@example.com",
        "a@-example.com",
        None,
        42,
    ],
)
def test_malformed_emails_are_rejected(value: Any) -> None:
    """Missing parts, spaces and non-strings fail."""
    assert not valid_email(value)


json_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.text()
    | st.floats(allow_nan=False, allow_infinity=False)
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=10,
)


@given(json_values)
def test_json_values_pass(value: Any) -> None:
    """Anything JSON can carry raises no issue."""
    issues: list[InputIssue] = []
    check_json_value(value, "x", issues)
    assert issues == []


@pytest.mark.parametrize("value", [object(), {1, 2}, math.nan, math.inf, b"bytes", {"k": object()}])
def test_non_json_values_fail(value: Any) -> None:
    """Objects, sets, bytes, NaN and infinity are caught before sending."""
    issues: list[InputIssue] = []
    check_json_value(value, "x", issues)
    assert issues


def test_nested_fields_are_rejected_with_their_path() -> None:
    """Fields must be flat; the issue names the key."""
    issues: list[InputIssue] = []
    check_flat_fields({"ok": 1, "address": {"city": "Paris"}, "": 2}, "fields", issues)
    paths = sorted(i.path for i in issues)
    assert paths == ["fields", "fields.address"]


def test_command_checks() -> None:
    """Empty tags, bad emails, unknown commands and bad add_field queries are all reported."""
    issues: list[InputIssue] = []
    assert check_command(Command.add_tag("a@example.com", "vip"), "c[0]", issues) is not None
    assert check_command(Command.add_tag("a@example.com", " "), "c[1]", issues) is None
    assert check_command(Command.add_field("nope", "k", 1), "c[2]", issues) is None
    assert check_command({"command": "explode", "email": "a@example.com"}, "c[3]", issues) is None
    assert (
        check_command(
            {"command": "add_field", "email": "a@example.com", "query": "k"}, "c[4]", issues
        )
        is None
    )
    assert check_command(Command.change_email("a@example.com", "bad"), "c[5]", issues) is None
    assert [i.path for i in issues] == [
        "c[1].query",
        "c[2].email",
        "c[3].command",
        "c[4].query",
        "c[5].query",
    ]


def test_event_checks() -> None:
    """Purchases need a key, integer cents and a currency; dates must be ISO 8601."""
    issues: list[InputIssue] = []
    good = Event.purchase("a@example.com", key="o-1", amount=8000)
    assert check_event(good, "e[0]", issues) is good
    bad_amount = Event.purchase("a@example.com", key="o-1", amount=80.5)  # type: ignore[arg-type]
    assert check_event(bad_amount, "e[1]", issues) is None
    assert (
        check_event({"email": "a@example.com", "type": "x", "date": "yesterday"}, "e[2]", issues)
        is None
    )
    assert check_event({"email": "a@example.com", "type": ""}, "e[3]", issues) is None
    assert (
        check_event({"email": "a@example.com", "type": "x", "colour": "red"}, "e[4]", issues)
        is None
    )
    assert [i.path for i in issues] == [
        "e[1].details.value.amount",
        "e[2].date",
        "e[3].type",
        "e[4]",
    ]


@given(st.lists(st.from_regex(r"[a-z]{1,8}", fullmatch=True), min_size=1, max_size=5))
def test_import_tags_list_becomes_comma_string(tags: list[str]) -> None:
    """Tag lists are sent as the comma-separated string Bento expects."""
    issues: list[InputIssue] = []
    wire = import_record(
        {"email": "a@example.com", "tags": tags, "fields": {"plan": "pro"}}, "s[0]", issues
    )
    assert issues == []
    assert wire == {"email": "a@example.com", "tags": ",".join(tags), "plan": "pro"}


def test_validation_error_message_lists_issues() -> None:
    """The message is one line naming each problem (first five, then a count)."""
    issues = [InputIssue(f"events[{i}].email", "bad") for i in range(7)]
    err = ValidationError(issues)
    assert "\n" not in str(err)
    assert "events[0].email: bad" in str(err)
    assert str(err).endswith("and 2 more")
    assert err.issues == tuple(issues)
