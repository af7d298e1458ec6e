"""Streaming readers of import and email files, line numbers, and the failed-rows file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bento_cli._files import (
    FailedRows,
    HeaderError,
    LineIndex,
    RecordFile,
    SourceRecord,
    email_file,
    format_of,
)


def _write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_csv_rows_carry_their_file_line_even_after_a_multiline_cell(tmp_path: Path) -> None:
    """A quoted cell spanning lines shifts the next row's line; blank lines are skipped."""
    path = _write(
        tmp_path,
        "s.csv",
        'email,note\na@example.com,"two\nlines"\n\nb@example.com,x\nc@example.com\n',
    )
    with RecordFile(path, "subscribers", "csv") as source:
        rows = list(source.rows())
        assert source.scan() == 3
    assert [r.line for r in rows] == [2, 5, 6]
    assert rows[0].record == {"email": "a@example.com", "note": "two\nlines"}
    assert rows[1].record is not None
    assert rows[1].record.line == 5
    assert rows[2].record is None
    assert rows[2].problem == "the row has 1 cells but the header has 2"


def test_a_byte_order_mark_does_not_hide_the_email_column(tmp_path: Path) -> None:
    """Spreadsheet exports start with a BOM; the header is still read as 'email'."""
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbfemail\na@example.com\n")
    with RecordFile(str(path), "subscribers", "csv") as source:
        assert [r.record for r in source.rows()] == [{"email": "a@example.com"}]


def test_unusable_or_empty_csv_headers_raise(tmp_path: Path) -> None:
    """The header is checked when the file is opened, before any row is read."""
    with pytest.raises(HeaderError, match="no 'email' column"):
        RecordFile(_write(tmp_path, "a.csv", "name\nAda\n"), "subscribers", "csv")
    with pytest.raises(HeaderError, match="empty"):
        RecordFile(_write(tmp_path, "b.csv", ""), "subscribers", "csv")


def test_jsonl_rows_pass_objects_through_and_flag_bad_lines(tmp_path: Path) -> None:
    """Each line is one object; bad JSON or a non-object is unreadable, with its line."""
    text = '{"email": "a@example.com", "tags": ["x"]}\n\n{oops\n[1]\n{"email": "b@example.com"}\n'
    with RecordFile(_write(tmp_path, "e.jsonl", text), "events", "jsonl") as source:
        rows = list(source.rows())
        assert source.scan() == 4
    assert [r.line for r in rows] == [1, 3, 4, 5]
    assert rows[0].record == {"email": "a@example.com", "tags": ["x"]}
    assert rows[1].problem is not None
    assert rows[1].problem.startswith("not valid JSON")
    assert rows[2].problem == "expected a JSON object, got list"


def test_format_comes_from_the_extension_unless_given() -> None:
    """.jsonl/.ndjson/.json are JSON Lines, anything else CSV; --format wins."""
    assert format_of("a.JSONL", None) == "jsonl"
    assert format_of("a.ndjson", None) == "jsonl"
    assert format_of("a.txt", None) == "csv"
    assert format_of("a.jsonl", "csv") == "csv"


@given(st.lists(st.integers(0, 3), max_size=50))
def test_line_index_gives_back_every_recorded_line(gaps: list[int]) -> None:
    """Whatever lines records start on, the index returns each one by position."""
    index = LineIndex()
    lines, line = [], 1
    for position, gap in enumerate(gaps):
        line += 1 + gap
        index.add(position, line)
        lines.append(line)
    assert [index.line_of(p) for p in range(len(lines))] == lines


def test_line_index_stores_only_the_changes() -> None:
    """A file without gaps costs one entry however long it is."""
    index = LineIndex()
    for position in range(10_000):
        index.add(position, position + 2)
    assert len(index._positions) == 1
    assert index.line_of(-1) is None


def test_failed_rows_csv_keeps_the_header_and_raw_cells(tmp_path: Path) -> None:
    """Rows are written as read, under the input's header, so the file can be fed back."""
    src = _write(tmp_path, "s.csv", "email,age:int\na@example.com,x\nb@example.com,3\n")
    out = tmp_path / "s.failed.csv"
    with RecordFile(src, "subscribers", "csv") as source:
        rows = list(source.rows())
        failed = FailedRows(out, "csv", source.columns)
        failed.write_raw(rows[0].raw)
        failed.write_record(rows[1].record)
        failed.write_record({"email": "c@example.com", "fields": {"age": 4}})
        failed.close()
    assert out.read_text() == ("email,age:int\na@example.com,x\nb@example.com,3\nc@example.com,4\n")
    with RecordFile(str(out), "subscribers", "csv") as again:
        assert [r.line for r in again.rows()] == [2, 3, 4]


def test_failed_rows_jsonl_keeps_lines_as_read(tmp_path: Path) -> None:
    """JSON Lines rows go back as their original text; foreign records as JSON."""
    out = tmp_path / "e.failed.jsonl"
    failed = FailedRows(out, "jsonl")
    failed.write_record(SourceRecord({"email": "a"}, 3, '{"email":  "a"}'))
    failed.write_record({"email": "b"})
    failed.close()
    assert out.read_text().splitlines() == ['{"email":  "a"}', '{"email": "b"}']
    assert [json.loads(x)["email"] for x in out.read_text().splitlines()] == ["a", "b"]


def test_nothing_failed_creates_no_file(tmp_path: Path) -> None:
    """The failed-rows file appears only when a row is written."""
    failed = FailedRows(tmp_path / "none.csv", "csv")
    failed.close()
    assert not (tmp_path / "none.csv").exists()


def test_email_lists_plain_and_csv(tmp_path: Path) -> None:
    """Plain lists skip blanks and comments; a CSV is read by its column."""
    rows, total = email_file(_write(tmp_path, "l.txt", "# list\na@example.com\n\n b@x.io \n"), None)
    assert [(r.line, r.email) for r in rows] == [(2, "a@example.com"), (4, "b@x.io")]
    assert total == 2
    csv_path = _write(tmp_path, "l.csv", "name,Email\nAda,a@example.com\nBo,\n")
    rows, total = email_file(csv_path, "Email")
    assert [(r.line, r.email) for r in rows] == [(2, "a@example.com"), (3, "")]
    assert total == 2
    rows, _ = email_file(csv_path, None)  # "Email" is the email column, whatever its case
    assert [r.email for r in rows] == ["a@example.com", ""]
    other = _write(tmp_path, "m.csv", "name,mail_pref\nAda,weekly\n")
    with pytest.raises(HeaderError, match=r"no email column \(the header is 'name', 'mail_pref'\)"):
        email_file(other, None)
