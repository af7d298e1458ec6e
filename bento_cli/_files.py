"""Streaming readers of import and email files, with line numbers, and the failed-rows file.

Files are read a row at a time, so memory stays bounded whatever their size. Line numbers
are the file's own (a CSV header is line 1); a CSV row whose quoted cell spans lines starts
on the line given. ``-`` reads standard input.
"""

from __future__ import annotations

import csv
import json
import sys
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Literal

import attrs

from ._columns import Column, HeaderError, Kind, build_record, parse_header, render_cells

__all__ = [
    "EmailRow",
    "FailedRows",
    "FileFormat",
    "HeaderError",
    "LineIndex",
    "RecordFile",
    "SourceRecord",
    "SourceRow",
    "email_file",
    "format_of",
]

FileFormat = Literal["csv", "jsonl"]
_JSONL_SUFFIXES = (".jsonl", ".ndjson", ".json")
_ENCODING = "utf-8-sig"  # spreadsheet exports often start with a byte-order mark


def format_of(path: str, given: str | None) -> FileFormat:
    """Return the format of a file: the one given, else JSON Lines for .jsonl/.ndjson, else CSV."""
    if given is not None:
        return "jsonl" if given == "jsonl" else "csv"
    return "jsonl" if path.lower().endswith(_JSONL_SUFFIXES) else "csv"


def _open(path: str) -> IO[str]:
    if path == "-":
        return sys.stdin
    return open(path, encoding=_ENCODING, newline="")


class SourceRecord(dict[str, Any]):
    """A record read from a file, remembering its line and its text for the failed-rows file."""

    __slots__ = ("line", "raw")

    def __init__(self, data: dict[str, Any], line: int, raw: Sequence[str] | str) -> None:
        super().__init__(data)
        self.line = line
        self.raw = raw


@attrs.frozen
class SourceRow:
    """One row of a file: its line, its text, and its record or why it could not be read."""

    line: int
    raw: tuple[str, ...] | str
    record: SourceRecord | None
    problem: str | None = None


class RecordFile:
    """An import file (CSV or JSON Lines) open for reading, its header already checked.

    Raises HeaderError (on opening) when a CSV header cannot be used, OSError when the file
    cannot be read.
    """

    def __init__(self, path: str, kind: Kind, fmt: FileFormat) -> None:
        self.path = path
        self.kind = kind
        self.format = fmt
        self.header: tuple[str, ...] = ()
        self.columns: tuple[Column, ...] = ()
        self._stream = _open(path)
        self._reader: Any = None
        if fmt == "csv":
            self._reader = csv.reader(self._stream)
            try:
                self.header = tuple(next(self._reader))
            except StopIteration:
                self.close()
                raise HeaderError("the file is empty: a CSV needs a header row") from None
            except BaseException:
                self.close()
                raise
            try:
                self.columns = parse_header(self.header, kind)
            except HeaderError:
                self.close()
                raise

    def __enter__(self) -> RecordFile:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the file (never standard input)."""
        if self._stream is not sys.stdin:
            self._stream.close()

    def count(self) -> int | None:
        """Return how many rows the file holds, by a quick pass of its own (None for stdin)."""
        if self.path == "-":
            return None
        with _open(self.path) as stream:
            if self.format == "jsonl":
                return sum(1 for line in stream if line.strip())
            rows = csv.reader(stream)
            return sum(1 for row in rows if row) - 1

    def rows(self) -> Iterator[SourceRow]:
        """Yield the rows after the header, one at a time, blank lines skipped."""
        if self.format == "csv":
            yield from self._csv_rows()
        else:
            yield from self._jsonl_rows()

    def _csv_rows(self) -> Iterator[SourceRow]:
        reader = self._reader
        start = reader.line_num + 1
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield SourceRow(start, "", None, f"unreadable CSV: {exc}")
                start = reader.line_num + 1
                continue
            if cells:
                raw = tuple(cells)
                data, problem = build_record(self.columns, raw)
                record = None if data is None else SourceRecord(data, start, raw)
                yield SourceRow(start, raw, record, problem)
            start = reader.line_num + 1

    def _jsonl_rows(self) -> Iterator[SourceRow]:
        for line, text in enumerate(self._stream, start=1):
            text = text.rstrip("\r\n")
            if not text.strip():
                continue
            try:
                data = json.loads(text)
            except ValueError as exc:
                yield SourceRow(line, text, None, f"not valid JSON ({exc})")
                continue
            if not isinstance(data, dict):
                kind = type(data).__name__
                yield SourceRow(line, text, None, f"expected a JSON object, got {kind}")
                continue
            yield SourceRow(line, text, SourceRecord(data, line, text))


class LineIndex:
    """File line numbers of the records passed on, by their position (0-based) in that stream.

    Only the positions where the line stops following the position are stored, so it stays
    small however many records pass.
    """

    def __init__(self) -> None:
        self._positions: list[int] = []
        self._offsets: list[int] = []

    def add(self, position: int, line: int) -> None:
        """Record the line of the record at ``position`` (positions must increase)."""
        offset = line - position
        if not self._offsets or self._offsets[-1] != offset:
            self._positions.append(position)
            self._offsets.append(offset)

    def line_of(self, position: int) -> int | None:
        """Return the line of the record at ``position``, or None if none was recorded there."""
        at = bisect_right(self._positions, position) - 1
        return None if at < 0 else position + self._offsets[at]


class FailedRows:
    """The failed-rows file: the same format and header as the input, so it can be fed back.

    It is created at the first row written; nothing is written when nothing failed.
    """

    def __init__(self, path: Path, fmt: FileFormat, columns: Sequence[Column] = ()) -> None:
        self.path = path
        self.format = fmt
        self.columns = tuple(columns)
        self.count = 0
        self._stream: IO[str] | None = None
        self._writer: Any = None

    def _ensure_open(self) -> None:
        if self._stream is not None:
            return
        self._stream = open(self.path, "w", encoding="utf-8", newline="")  # noqa: SIM115
        if self.format == "csv":
            self._writer = csv.writer(self._stream, lineterminator="\n")
            self._writer.writerow([c.header for c in self.columns])

    def write_raw(self, raw: Sequence[str] | str) -> None:
        """Write a row as it was read: CSV cells, or a JSON Lines line."""
        self._ensure_open()
        assert self._stream is not None
        if self.format == "csv":
            self._writer.writerow(raw)
        else:
            self._stream.write(f"{raw}\n")
        self.count += 1

    def write_record(self, record: Any) -> None:
        """Write a record handed back by the SDK, as the row it was read from if it knows it."""
        if isinstance(record, SourceRecord):
            self.write_raw(record.raw)
            return
        data = record.to_wire() if hasattr(record, "to_wire") else dict(record)
        if self.format == "csv":
            self.write_raw(render_cells(self.columns, data))
        else:
            self.write_raw(json.dumps(data, default=str))

    def close(self) -> None:
        """Close the file if it was created."""
        if self._stream is not None:
            self._stream.close()


@attrs.frozen
class EmailRow:
    """One address of an email list and its line."""

    line: int
    email: str


def email_file(path: str, column: str | None) -> tuple[Iterator[EmailRow], int | None]:
    """Return the addresses of a file and, when it can tell, how many there are.

    A ``.csv`` file or a given ``column`` means a CSV whose header names the column
    (``email`` by default); otherwise one address a line, blank lines and ``#`` comments
    skipped. The file is opened only when the addresses are read. Raises HeaderError when
    the column is missing (for standard input, when reading starts).
    """
    if column is None and not path.lower().endswith(".csv"):
        return _plain_emails(path), _count_plain(path)
    wanted = column or "email"
    if path == "-":
        return _csv_emails(path, wanted), None
    with _open(path) as stream:
        _column_index(next(csv.reader(stream), []), wanted)
    return _csv_emails(path, wanted), _count_csv(path)


def _column_index(header: Sequence[str], wanted: str) -> int:
    names = [h.strip() for h in header]
    if wanted not in names:
        raise HeaderError(f"the header has no {wanted!r} column (it has {', '.join(names)})")
    return names.index(wanted)


def _plain_emails(path: str) -> Iterator[EmailRow]:
    stream = _open(path)
    try:
        for line, text in enumerate(stream, start=1):
            email = text.strip()
            if email and not email.startswith("#"):
                yield EmailRow(line, email)
    finally:
        if stream is not sys.stdin:
            stream.close()


def _count_plain(path: str) -> int | None:
    if path == "-":
        return None
    with _open(path) as stream:
        return sum(1 for text in stream if text.strip() and not text.strip().startswith("#"))


def _count_csv(path: str) -> int:
    with _open(path) as stream:
        return sum(1 for row in csv.reader(stream) if row) - 1


def _csv_emails(path: str, wanted: str) -> Iterator[EmailRow]:
    stream = _open(path)
    try:
        reader = csv.reader(stream)
        index = _column_index(next(reader, []), wanted)
        start = reader.line_num + 1
        for cells in reader:
            if cells:
                email = cells[index].strip() if index < len(cells) else ""
                yield EmailRow(start, email)
            start = reader.line_num + 1
    finally:
        if stream is not sys.stdin:
            stream.close()
