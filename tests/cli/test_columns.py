"""The CSV column mapping of imports: headers, typed cells, and rendering rows back."""

from __future__ import annotations

import string
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bento_cli._columns import Column, HeaderError, build_record, parse_header, render_cells


def test_subscriber_columns_are_fields_except_email_and_tags() -> None:
    """Every column but email/tags/remove_tags becomes a field named after it."""
    columns = parse_header(["email", "first_name", "tags", "plan", "age:int"], "subscribers")
    record, problem = build_record(columns, ["a@example.com", "Ada", "x,y", "pro", "36"])
    assert problem is None
    assert record == {
        "email": "a@example.com",
        "first_name": "Ada",
        "tags": "x,y",
        "plan": "pro",
        "age": 36,
    }


def test_empty_cells_are_left_out() -> None:
    """A blank cell sets nothing (it does not clear a field)."""
    columns = parse_header(["email", "first_name", "age:int"], "subscribers")
    record, _ = build_record(columns, ["a@example.com", "", " "])
    assert record == {"email": "a@example.com"}


def test_event_columns_split_into_fields_and_nested_details() -> None:
    """fields.X go to fields; other columns to details, dots nesting, details. prefix dropped."""
    header = [
        "email",
        "type",
        "date",
        "fields.plan",
        "value.amount:int",
        "value.currency",
        "unique.key",
        "details.note",
    ]
    columns = parse_header(header, "events")
    record, problem = build_record(
        columns,
        ["a@example.com", "$purchase", "2024-01-02T03:04:05Z", "pro", "800", "USD", "o-1", "hi"],
    )
    assert problem is None
    assert record == {
        "email": "a@example.com",
        "type": "$purchase",
        "date": "2024-01-02T03:04:05Z",
        "fields": {"plan": "pro"},
        "details": {
            "value": {"amount": 800, "currency": "USD"},
            "unique": {"key": "o-1"},
            "note": "hi",
        },
    }


@pytest.mark.parametrize(
    ("header", "kind", "message"),
    [
        (["name"], "subscribers", "no 'email' column"),
        (["email"], "events", "no 'type' column"),
        (["email", "email"], "subscribers", "overlap"),
        (["email", "type", "value", "value.amount"], "events", "overlap"),
        (["email", "age:integer"], "subscribers", "unknown type"),
        (["email", ""], "subscribers", "empty name"),
    ],
)
def test_unusable_headers_are_refused(header: list[str], kind: Any, message: str) -> None:
    """A header that cannot map rows unambiguously raises HeaderError saying why."""
    with pytest.raises(HeaderError, match=message):
        parse_header(header, kind)


@pytest.mark.parametrize(
    ("header", "cell", "message"),
    [
        ("age:int", "3.5", "not a whole number"),
        ("score:float", "abc", "not a number"),
        ("score:float", "inf", "finite"),
        ("vip:bool", "maybe", "not true or false"),
        ("prefs:json", "{oops", "not valid JSON"),
    ],
)
def test_bad_typed_cells_name_their_column(header: str, cell: str, message: str) -> None:
    """A cell that does not fit its column's type makes the row unreadable, saying why."""
    columns = parse_header(["email", header], "subscribers")
    record, problem = build_record(columns, ["a@example.com", cell])
    assert record is None
    assert problem is not None
    assert header in problem
    assert message in problem


def test_a_row_with_the_wrong_number_of_cells_is_unreadable() -> None:
    """Rows must have one cell per header column."""
    columns = parse_header(["email", "name"], "subscribers")
    record, problem = build_record(columns, ["a@example.com"])
    assert record is None
    assert problem == "the row has 1 cells but the header has 2"


_names = st.text(string.ascii_lowercase + "_", min_size=1, max_size=8).filter(
    lambda n: n not in ("email", "tags", "remove_tags", "fields", "type", "date", "details")
)
_text = st.text(string.ascii_letters + string.digits + " ,.-", min_size=1, max_size=12).filter(
    lambda t: t.strip() == t and t
)
_values = {
    "str": _text,
    "int": st.integers(-(10**12), 10**12),
    "bool": st.booleans(),
    "json": st.dictionaries(_names, st.integers() | _text, max_size=3),
    "float": st.floats(allow_nan=False, allow_infinity=False, width=32),
}


@st.composite
def _rows(draw: st.DrawFn) -> tuple[tuple[Column, ...], dict[str, Any]]:
    names = draw(st.lists(_names, unique=True, max_size=5))
    types = [draw(st.sampled_from(sorted(_values))) for _ in names]
    header = ["email"] + [
        f"{n}:{t}" if t != "str" else n for n, t in zip(names, types, strict=True)
    ]
    columns = parse_header(header, "subscribers")
    record: dict[str, Any] = {"email": "a@example.com"}
    for name, type_ in zip(names, types, strict=True):
        if draw(st.booleans()):
            record[name] = draw(_values[type_])
    return columns, record


@given(_rows())
def test_render_cells_reads_back_as_the_same_record(
    case: tuple[tuple[Column, ...], dict[str, Any]],
) -> None:
    """Rendering a record into the header's cells and reading them back gives the record."""
    columns, record = case
    back, problem = build_record(columns, render_cells(columns, record))
    assert problem is None
    assert back == record


def test_render_cells_finds_subscriber_fields_sent_nested() -> None:
    """A record whose fields the SDK nested under 'fields' renders into the same columns."""
    columns = parse_header(["email", "plan", "tags"], "subscribers")
    cells = render_cells(
        columns, {"email": "a@example.com", "fields": {"plan": "pro"}, "tags": ["a", "b"]}
    )
    assert cells == ["a@example.com", "pro", "a,b"]
