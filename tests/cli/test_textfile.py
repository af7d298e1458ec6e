"""Reading text files as users have them: bad bytes found by line, encodings told from the
first bytes, delimiters sniffed, header mappings parsed, counts in words."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bento_async.models.bulk import ChunkOutcome
from bento_cli._bulk import _runs
from bento_cli._columns import HeaderError, parse_header, parse_mapping
from bento_cli._output import counted
from bento_cli._textfile import UnreadableFile, check_decodes, detect_encoding, sniff_delimiter

lines = st.lists(
    st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n"), max_size=30),
    min_size=1,
    max_size=60,
)


@settings(max_examples=80, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=lines, at=st.integers(0, 10_000), encoding=st.sampled_from(["utf-8-sig", "utf-16"]))
def test_the_first_bad_byte_is_found_on_its_line(
    tmp_path: Path, text: list[str], at: int, encoding: str
) -> None:
    """A byte that does not decode, put anywhere in any text, is reported on its own line and
    column; the same text without it decodes."""
    line = at % len(text)
    column = at % (len(text[line]) + 1)
    path = tmp_path / "f.csv"
    codec = "utf-16-le" if encoding == "utf-16" else "utf-8"
    bad = b"\x00\xdc" if encoding == "utf-16" else b"\xff"  # a lone low surrogate / 0xff
    before = "\n".join([*text[:line], text[line][:column]])
    after = text[line][column:] + "".join("\n" + t for t in text[line + 1 :])
    prefix = codecs.BOM_UTF16_LE if encoding == "utf-16" else b""
    path.write_bytes(prefix + before.encode(codec) + after.encode(codec))
    check_decodes(str(path), encoding)
    path.write_bytes(prefix + before.encode(codec) + bad + after.encode(codec))
    with pytest.raises(UnreadableFile, match=rf"^line {line + 1}, column {column + 1}: byte 0x"):
        check_decodes(str(path), encoding)


def test_encodings_are_told_from_the_first_bytes() -> None:
    """BOMs choose the codec; --encoding wins; workbooks, PDFs and binary data are named."""
    assert detect_encoding(b"email\n", None) == "utf-8-sig"
    assert detect_encoding(codecs.BOM_UTF8 + b"email", None) == "utf-8-sig"
    assert detect_encoding(codecs.BOM_UTF16_LE + "email".encode("utf-16-le"), None) == "utf-16"
    assert detect_encoding(b"email\n", "CP1252") == "cp1252"
    assert detect_encoding(b"email\n", "utf8") == "utf-8-sig"
    with pytest.raises(UnreadableFile, match="xlsx"):
        detect_encoding(b"PK\x03\x04rest", None)
    with pytest.raises(UnreadableFile, match="97-2003"):
        detect_encoding(b"\xd0\xcf\x11\xe0rest", None)
    with pytest.raises(UnreadableFile, match="--encoding utf-16-le"):
        detect_encoding("email,name\n".encode("utf-16-le"), None)
    with pytest.raises(UnreadableFile, match="binary data"):
        detect_encoding(b"\x00\x01\x02\x03abc\x00", None)
    with pytest.raises(UnreadableFile, match="not an encoding"):
        detect_encoding(b"email", "klingon")


def test_delimiters_are_sniffed_from_the_header() -> None:
    """The commonest of , ; tab | in the header wins (comma on ties); .tsv means tab."""
    assert sniff_delimiter("email,name\n", "a.csv", None) == ","
    assert sniff_delimiter("email;first name;last name\n", "a.csv", None) == ";"
    assert sniff_delimiter("email\tname\n", "a.csv", None) == "\t"
    assert sniff_delimiter("email\n", "a.tsv", None) == "\t"
    assert sniff_delimiter("email\n", "a.csv", None) == ","
    assert sniff_delimiter("a;b,c\n", "a.csv", None) == ","
    assert sniff_delimiter("a;b\n", "a.csv", "tab") == "\t"


def test_mappings_rename_type_and_drop_columns() -> None:
    """--map values (several, comma-separated) apply before the aliases, in any case."""
    mapping = parse_mapping(["Email Address=email,Age=age:int", "LEID=-"])
    assert mapping == {"Email Address": "email", "Age": "age:int", "LEID": "-"}
    columns = parse_header(["email address", "Age", "LEID", "First Name"], "subscribers", mapping)
    assert [(c.path, c.type) for c in columns] == [
        (("email",), "str"),
        (("age",), "int"),
        ((), "str"),
        (("first_name",), "str"),
    ]
    with pytest.raises(HeaderError, match="--map names 'Phone'; the header is 'email'"):
        parse_header(["email"], "subscribers", {"Phone": "phone"})
    with pytest.raises(HeaderError, match="write HEADER=COLUMN"):
        parse_mapping(["Email Address"])
    with pytest.raises(HeaderError, match="overlap"):
        parse_header(["Email", "E-mail"], "subscribers")


def test_counts_are_said_in_words() -> None:
    """One of a thing is singular; any other count plural, with thousands separators."""
    assert counted(1, "record") == "1 record"
    assert counted(0, "request") == "0 requests"
    assert counted(1_200, "address") == "1,200 addresses"
    assert counted(2, "error") == "2 errors"


def test_runs_of_consecutive_chunks_are_grouped() -> None:
    """Not-sent chunks are reported as runs of consecutive indexes, by input position."""
    chunks = [ChunkOutcome(i, 10 * i, 10, 0, 10) for i in (2, 3, 4, 7, 9, 10)]
    assert list(_runs(chunks)) == [(20, 49, 30), (70, 79, 10), (90, 109, 20)]
    assert list(_runs([])) == []
