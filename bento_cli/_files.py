"""Streaming readers of import and email files, with line numbers, and the failed-rows file.

Files are read a row at a time, so memory stays bounded whatever their size. Line numbers
are the file's own (a CSV header is line 1); a CSV row whose quoted cell spans lines starts
on the line given. ``-`` reads standard input. Encodings, delimiters and non-text files are
handled in ``_textfile.py``; a file is scanned whole (:meth:`RecordFile.scan`) before
anything is sent, so an undecodable byte or a quote never closed stops the command first.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import sys
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Literal

import attrs

from ._columns import Column, HeaderError, Kind, build_record, own_name, parse_header, render_cells
from ._textfile import (
    DELIMITERS,
    DecodedLines,
    UnreadableFile,
    check_decodes,
    detect_encoding,
    open_text,
    sniff_delimiter,
)

__all__ = [
    "EmailList",
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
_HEAD = 1 << 16  # bytes looked at to tell the encoding and spot non-text files


def format_of(path: str, given: str | None) -> FileFormat:
    """Return the format of a file: the one given, else JSON Lines for .jsonl/.ndjson, else CSV."""
    if given is not None:
        return "jsonl" if given == "jsonl" else "csv"
    return "jsonl" if path.lower().endswith(_JSONL_SUFFIXES) else "csv"


def _head(path: str) -> bytes:
    """Return the first bytes of a file (of standard input: what can be peeked, if any)."""
    if path == "-":
        peek = getattr(sys.stdin.buffer, "peek", None)
        return peek(_HEAD)[:_HEAD] if peek is not None else b""
    with open(path, "rb") as stream:
        return stream.read(_HEAD)


Text = IO[str] | DecodedLines


def _close(stream: Text) -> None:
    """Close a stream; for standard input, only let go of it."""
    if isinstance(stream, io.TextIOWrapper) and stream.buffer is getattr(sys.stdin, "buffer", None):
        stream.detach()
    else:
        stream.close()


def _csv_reader(stream: Text, path: str, delimiter: str | None) -> tuple[Any, str]:
    """Return a strict CSV reader over ``stream`` and its delimiter, sniffed from line 1."""
    first = stream.readline()
    found = sniff_delimiter(first, path, delimiter)
    return csv.reader(itertools.chain([first], stream), delimiter=found, strict=True), found


def _csv_lines(reader: Any, encoding: str) -> Iterator[tuple[int, list[str] | None, str]]:
    """Yield ``(line, cells, "")`` for each non-blank row of a strict reader, and
    ``(line, None, why)`` for a malformed one.

    Raises UnreadableFile for text that does not decode (only standard input gets this far).
    """
    start = reader.line_num + 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except UnicodeDecodeError as exc:
            bad = f"line {start} is not valid {encoding}: {exc.reason}"
            raise UnreadableFile(bad) from None
        except csv.Error as exc:
            end = reader.line_num
            yield (
                start,
                None,
                _quote_problem(start, end) if end > start else f"unreadable CSV: {exc}",
            )
        else:
            if cells:
                yield start, cells, ""
        start = reader.line_num + 1


def _quote_problem(start: int, end: int) -> str:
    return (
        f"a quote opened on line {start} is not closed where it should be: lines "
        f"{start}-{end} would merge into one cell; fix the quotes on line {start}"
    )


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

    ``encoding`` and ``delimiter`` default to what the file shows (see ``_textfile.py``);
    ``mapping`` maps headers to columns (``--map``).

    Raises HeaderError (on opening) when a CSV header cannot be used or the file is not
    text, OSError when the file cannot be read.
    """

    def __init__(
        self,
        path: str,
        kind: Kind,
        fmt: FileFormat,
        *,
        encoding: str | None = None,
        delimiter: str | None = None,
        mapping: dict[str, str] | None = None,
    ) -> None:
        self.path = path
        self.kind = kind
        self.format = fmt
        self.header: tuple[str, ...] = ()
        self.columns: tuple[Column, ...] = ()
        self.encoding = detect_encoding(_head(path), encoding)
        self.delimiter = ","
        self._stream = open_text(path, self.encoding)
        self._reader: Any = None
        if fmt == "csv":
            try:
                self._open_csv(delimiter, mapping)
            except BaseException:
                self.close()
                raise

    def _open_csv(self, delimiter: str | None, mapping: dict[str, str] | None) -> None:
        try:
            self._reader, self.delimiter = _csv_reader(self._stream, self.path, delimiter)
            self.header = tuple(next(self._reader, ()))
        except UnicodeDecodeError as exc:
            if self.path != "-":
                check_decodes(self.path, self.encoding)  # raises, naming line and column
            raise UnreadableFile(f"line 1 is not valid {self.encoding}: {exc.reason}") from None
        if not self.header:
            raise HeaderError("the file is empty: a CSV needs a header row")
        try:
            self.columns = parse_header(self.header, self.kind, mapping)
        except HeaderError as exc:
            if self.delimiter == ",":
                raise
            raise HeaderError(f"{exc} (read as {self.separated})") from None

    @property
    def separated(self) -> str:
        """Say how the CSV is delimited, as ``semicolon-separated``."""
        return f"{DELIMITERS.get(self.delimiter, repr(self.delimiter))}-separated"

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
        """Close the file (let go of standard input without closing it)."""
        _close(self._stream)

    def scan(self) -> int | None:
        """Read the whole file once before anything is sent; return its rows (None: stdin).

        Raises UnreadableFile for a byte that does not decode or a quote never closed
        (both with their line).
        """
        if self.path == "-":
            return None
        check_decodes(self.path, self.encoding)
        with open_text(self.path, self.encoding) as stream:
            if self.format == "jsonl":
                return sum(1 for line in stream if line.strip())
            rows, _ = _csv_reader(stream, self.path, self.delimiter)
            count, start = 0, 1
            while True:
                try:
                    count += bool(next(rows))
                except StopIteration:
                    return count - 1
                except csv.Error:
                    if rows.line_num > start:
                        raise UnreadableFile(_quote_problem(start, rows.line_num)) from None
                    count += 1  # a malformed row: reported with its line when read
                start = rows.line_num + 1

    def rows(self) -> Iterator[SourceRow]:
        """Yield the rows after the header, one at a time, blank lines skipped."""
        if self.format == "csv":
            yield from self._csv_rows()
        else:
            yield from self._jsonl_rows()

    def _csv_rows(self) -> Iterator[SourceRow]:
        for line, cells, why in _csv_lines(self._reader, self.encoding):
            if cells is None:
                yield SourceRow(line, "", None, why)
                continue
            raw = tuple(cells)
            data, problem = build_record(self.columns, raw)
            record = None if data is None else SourceRecord(data, line, raw)
            yield SourceRow(line, raw, record, problem)

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
        self._stream: IO[str] | None = None  # the failed-rows file
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


@attrs.frozen
class EmailList:
    """How to read an email list: a CSV (``column``, or its email column) or one per line."""

    path: str
    encoding: str
    csv: bool
    column: str | None = None
    delimiter: str = ","

    def open(self) -> Text:
        """Open the list as text."""
        return open_text(self.path, self.encoding)


def email_file(
    path: str, column: str | None, encoding: str | None = None
) -> tuple[Iterator[EmailRow], int | None]:
    """Return the addresses of a file and, when it can tell, how many there are.

    A ``.csv`` file or a given ``column`` means a CSV whose header names the column (any
    case; by default the email column, ``Email Address`` and the like); otherwise one
    address a line, blank lines and ``#`` comments skipped. A file is scanned whole first;
    it is opened again only when the addresses are read. Raises HeaderError when the column
    is missing or the file is not text (for standard input, when reading starts).
    """
    found = detect_encoding(_head(path), encoding)
    if column is None and not path.lower().endswith(".csv"):
        plain = EmailList(path, found, csv=False)
        return _plain_emails(plain), _count_plain(plain)
    source = EmailList(path, found, csv=True, column=column)
    if path == "-":
        return _csv_emails(source), None
    check_decodes(path, found)
    with source.open() as stream:
        reader, delimiter = _csv_reader(stream, path, None)
        _column_index(next(reader, []), column)
    source = attrs.evolve(source, delimiter=delimiter)
    return _csv_emails(source), _count_csv(source)


def _column_index(header: Sequence[str], wanted: str | None) -> int:
    names = [h.strip() for h in header]
    for index, name in enumerate(names):
        if (wanted is None and own_name(name, "subscribers") == "email") or (
            wanted is not None and name.casefold() == wanted.strip().casefold()
        ):
            return index
    shown = ", ".join(repr(n) for n in names)
    what = repr(wanted) if wanted else "email"
    return _no_column(f"the header has no {what} column (the header is {shown})", header)


def _no_column(message: str, header: Sequence[str]) -> int:
    if len(header) == 1:
        for delimiter, name in DELIMITERS.items():
            if delimiter != "," and delimiter in header[0]:
                message += f"; the file looks {name}-separated"
    raise HeaderError(message + "; pick the column with --column")


def _plain_emails(source: EmailList) -> Iterator[EmailRow]:
    stream = source.open()
    line = 0
    try:
        for line, text in enumerate(stream, start=1):
            email = text.strip()
            if email and not email.startswith("#"):
                yield EmailRow(line, email)
    except UnicodeDecodeError as exc:  # standard input: files were scanned first
        bad = f"line {line + 1} is not valid {source.encoding}: {exc.reason}"
        raise UnreadableFile(bad) from None
    finally:
        _close(stream)


def _count_plain(source: EmailList) -> int | None:
    if source.path == "-":
        return None
    check_decodes(source.path, source.encoding)
    with source.open() as stream:
        return sum(1 for text in stream if text.strip() and not text.strip().startswith("#"))


def _count_csv(source: EmailList) -> int:
    with source.open() as stream:
        reader, _ = _csv_reader(stream, source.path, source.delimiter)
        return sum(1 for _ in _csv_lines(reader, source.encoding)) - 1


def _csv_emails(source: EmailList) -> Iterator[EmailRow]:
    stream = source.open()
    try:
        delimiter = source.delimiter if source.path != "-" else None
        reader, _ = _csv_reader(stream, source.path, delimiter)
        index = _column_index(next(reader, []), source.column)
        for line, cells, _ in _csv_lines(reader, source.encoding):
            # A malformed row comes as an empty address, reported on its line as invalid.
            found = cells[index].strip() if cells is not None and index < len(cells) else ""
            yield EmailRow(line, found)
    finally:
        _close(stream)
