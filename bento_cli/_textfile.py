"""Text files as users have them: encodings, byte-order marks, delimiters, non-text files.

Nothing of a file is sent before :func:`check_decodes` has read all of it once: an
undecodable byte stops the command with the line it is on (exit 2), never halfway through
an import. Standard input cannot be read twice; there a bad byte stops reading at its line.

Default encoding: UTF-8, with or without a byte-order mark; a UTF-16 byte-order mark is
honoured. ``--encoding cp1252`` (Excel and many CRMs on Windows), ``latin-1`` or any other
Python codec name reads other files.
"""

from __future__ import annotations

import codecs
import io
import sys
from collections.abc import Iterator
from typing import IO

import click

from ._columns import HeaderError

__all__ = [
    "DELIMITERS",
    "DecodedLines",
    "UnreadableFile",
    "check_decodes",
    "detect_encoding",
    "encoding_option",
    "open_text",
    "sniff_delimiter",
]

DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
_BLOCK = 1 << 20
# (magic bytes, what the file is): spreadsheets and documents people pick by mistake.
_MAGIC = (
    (b"PK\x03\x04", "a zip archive (an Excel .xlsx or OpenDocument workbook?)"),
    (b"\xd0\xcf\x11\xe0", "an Excel 97-2003 workbook (.xls)"),
    (b"%PDF", "a PDF document"),
)
_SAVE_AS = "save it as CSV (in Excel: File > Save As > CSV UTF-8) and import that"


encoding_option = click.option(
    "--encoding",
    help="The file's encoding, e.g. cp1252 (Excel, many CRMs) or latin-1 "
    "[default: UTF-8 with or without a byte-order mark; UTF-16 with one].",
)


class UnreadableFile(HeaderError):
    """The file is not text in the expected encoding, or not a CSV: nothing is sent."""


def detect_encoding(head: bytes, given: str | None) -> str:
    """Return the codec for a file starting with ``head``; ``given`` is ``--encoding``.

    Raises UnreadableFile for a workbook, a PDF or other binary data, or an unknown codec.
    """
    for magic, what in _MAGIC:
        if head.startswith(magic):
            raise UnreadableFile(f"this is {what}, not a text file: {_SAVE_AS}")
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) and given is None:
        return "utf-16"
    if given is not None:
        try:
            name = codecs.lookup(given).name
        except LookupError:
            raise UnreadableFile(f"--encoding {given!r} is not an encoding Python knows") from None
        return "utf-8-sig" if name == "utf-8" else name
    if b"\x00" in head:
        raise UnreadableFile(_binary_hint(head))
    return "utf-8-sig"


def _binary_hint(head: bytes) -> str:
    even, odd = head[0::2], head[1::2]
    if odd and odd.count(0) > len(odd) * 0.8:
        return "the file looks like UTF-16 without a byte-order mark: pass --encoding utf-16-le"
    if even and even.count(0) > len(even) * 0.8:
        return "the file looks like UTF-16 without a byte-order mark: pass --encoding utf-16-be"
    return f"the file holds binary data (NUL bytes), not text: {_SAVE_AS}"


def _explicit(encoding: str, head: bytes) -> tuple[str, int]:
    """Return a codec that needs no byte-order mark, and how many bytes of mark to skip."""
    if encoding == "utf-16":
        if head.startswith(codecs.BOM_UTF16_LE):
            return "utf-16-le", 2
        return "utf-16-be", 2 if head.startswith(codecs.BOM_UTF16_BE) else 0
    return encoding, 0


def check_decodes(path: str, encoding: str) -> None:
    """Decode the whole file once, a block at a time; nothing is kept.

    Raises UnreadableFile naming the line (and column) of the first byte that does not
    decode, with a hint at ``--encoding``.
    """
    with open(path, "rb") as stream:
        codec, skip = _explicit(encoding, stream.read(4))
        stream.seek(skip)
        decoder = codecs.getincrementaldecoder(codec)()
        lines = 0
        while True:
            block = stream.read(_BLOCK)
            try:
                text = decoder.decode(block, final=not block)
            except UnicodeDecodeError as exc:
                raise UnreadableFile(_decode_problem(exc, codec, encoding, lines)) from None
            lines += text.count("\n")
            if not block:
                return


def _decode_problem(exc: UnicodeDecodeError, codec: str, encoding: str, lines: int) -> str:
    before = exc.object[: exc.start].decode(codec, errors="replace")
    line = lines + before.count("\n") + 1
    column = len(before) - before.rfind("\n")
    bad = exc.object[exc.start : exc.start + 1].hex()
    name = "UTF-8" if encoding == "utf-8-sig" else encoding
    hint = (
        "; if it came from Excel or a Windows tool, try --encoding cp1252 (or latin-1)"
        if encoding == "utf-8-sig"
        else "; pass the encoding it was saved in with --encoding"
    )
    return f"line {line}, column {column}: byte 0x{bad} is not valid {name}{hint}"


class DecodedLines:
    """Lines of a binary stream (standard input) decoded one at a time, for the csv module.

    A byte that does not decode raises UnreadableFile naming its line, as the scan of a
    file does. Only for encodings where a newline is the byte ``\\n``; never closes the
    stream.
    """

    def __init__(self, raw: IO[bytes], encoding: str) -> None:
        self.encoding = encoding
        self._raw = raw
        self._decoder = codecs.getincrementaldecoder(encoding)()
        self._lines = 0

    def readline(self) -> str:
        """Return the next line, newline kept ("" at the end)."""
        data = self._raw.readline()
        try:
            text = self._decoder.decode(data, final=not data)
        except UnicodeDecodeError as exc:
            raise UnreadableFile(
                _decode_problem(exc, self.encoding, self.encoding, self._lines)
            ) from None
        self._lines += 1
        return text

    def __iter__(self) -> Iterator[str]:
        return iter(self.readline, "")

    def __enter__(self) -> DecodedLines:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Let go of the stream without closing it."""


def open_text(path: str, encoding: str) -> IO[str] | DecodedLines:
    """Open ``path`` (``-``: standard input) as text for the csv module, in ``encoding``."""
    if path != "-":
        return open(path, encoding=encoding, newline="")
    if "a\n".encode(encoding).endswith(b"a\n"):  # a newline is the byte 0x0a
        return DecodedLines(sys.stdin.buffer, encoding)
    return io.TextIOWrapper(sys.stdin.buffer, encoding=encoding, newline="")


def sniff_delimiter(header: str, path: str, given: str | None) -> str:
    """Return the delimiter: the one given, tab for .tsv, else the commonest in the header."""
    if given is not None:
        return "\t" if given in ("tab", "\\t") else given
    if path.lower().endswith((".tsv", ".tab")):
        return "\t"
    counts = {d: header.count(d) for d in DELIMITERS}
    best = max(counts, key=lambda d: (counts[d], d == ","))
    return best if counts[best] else ","
