"""`bento import` and `bento lookup` on files as real exports write them: encodings,
byte-order marks, delimiters, Mailchimp and HubSpot headers, a workbook, a broken quote, and
a 200,000-row import with a wrong key. Real files on disk, the emulator over a socket."""

from __future__ import annotations

import codecs
import csv
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from bento_emulator import BentoEmulator

Run = Callable[..., Result]


def _fields(emu: BentoEmulator, email: str) -> dict[str, object]:
    subscriber = emu.state.subscriber_by_email(email)
    assert subscriber is not None, email
    return dict(subscriber.fields)


def test_cp1252_export_is_refused_with_its_line_then_read_with_encoding(
    bento_env: BentoEmulator, bento: Run, tmp_path: Path
) -> None:
    """An é saved by Excel (cp1252) on line 4: exit 2 naming line and byte, nothing sent;
    with --encoding cp1252 every row is imported and the name is right."""
    source = tmp_path / "excel.csv"
    text = "email,first_name\r\na@example.com,Ann\r\nb@example.com,Bob\r\nc@example.com,José\r\n"
    source.write_bytes(text.encode("cp1252"))
    refused = bento("import", "subscribers", str(source))
    assert refused.exit_code == 2
    assert refused.stderr.strip() == (
        f"bento: {source}: line 4, column 18: byte 0xe9 is not valid UTF-8; if it came from "
        "Excel or a Windows tool, try --encoding cp1252 (or latin-1)"
    )
    assert bento_env.requests == []

    result = bento("import", "subscribers", str(source), "--encoding", "cp1252")
    assert result.exit_code == 0, result.output
    assert "3 records, 3 accepted, 0 failed, 0 invalid (1 request)." in result.stdout
    assert _fields(bento_env, "c@example.com") == {"first_name": "José"}


def test_utf8_bom_and_utf16_bom_files_are_read_without_options(
    bento_env: BentoEmulator, bento: Run, tmp_path: Path
) -> None:
    """Excel's "CSV UTF-8" (a UTF-8 byte-order mark) and "Unicode text" (UTF-16 with a mark,
    tab-separated) both import as they are."""
    utf8 = tmp_path / "utf8.csv"
    utf8.write_bytes(codecs.BOM_UTF8 + "Email,First Name\nann@example.com,Ånn\n".encode())
    utf16 = tmp_path / "unicode.txt"
    utf16.write_text("Email\tFirst Name\nbo@example.com\tBø, Jr.\n", encoding="utf-16")
    assert utf16.read_bytes()[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
    for path in (utf8, utf16):
        result = bento("import", "subscribers", str(path))
        assert result.exit_code == 0, result.output
    assert f"bento: reading {utf16} as tab-separated" in result.stderr
    assert _fields(bento_env, "ann@example.com") == {"first_name": "Ånn"}
    assert _fields(bento_env, "bo@example.com") == {"first_name": "Bø, Jr."}


def test_semicolon_and_tab_separated_files_are_sniffed(
    bento_env: BentoEmulator, bento: Run, tmp_path: Path
) -> None:
    """European Excel writes `;`; a .tsv uses tabs: both are sniffed, and said so."""
    semi = tmp_path / "europe.csv"
    semi.write_text('email;first_name;city\na@example.com;Ann;"Paris; 11e"\n', encoding="utf-8")
    tabs = tmp_path / "export.tsv"
    tabs.write_text("email\tfirst_name\nb@example.com\tBob, Jr.\n", encoding="utf-8")
    one = bento("import", "subscribers", str(semi))
    assert one.exit_code == 0, one.output
    assert f"bento: reading {semi} as semicolon-separated" in one.stderr
    two = bento("import", "subscribers", str(tabs))
    assert two.exit_code == 0, two.output
    assert f"bento: reading {tabs} as tab-separated" in two.stderr
    assert _fields(bento_env, "a@example.com") == {"first_name": "Ann", "city": "Paris; 11e"}
    assert _fields(bento_env, "b@example.com") == {"first_name": "Bob, Jr."}


MAILCHIMP = [
    "Email Address",
    "First Name",
    "Last Name",
    "Address",
    "Phone Number",
    "MEMBER_RATING",
    "OPTIN_TIME",
    "LEID",
    "TAGS",
]


def test_mailchimp_export_maps_its_headers_and_takes_a_map(
    bento_env: BentoEmulator, bento: Run, tmp_path: Path
) -> None:
    """Mailchimp's headers: Email Address, First Name, Last Name are understood; --map names
    the others and drops some; the failed-rows file keeps the original header."""
    source = tmp_path / "members_export.csv"
    with source.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(MAILCHIMP)
        writer.writerow(
            ["ann@example.com", "Ann", "Lee", "", "555-1", "2", "2024-01-01", "9", "vip"]
        )
        writer.writerow(["not-an-email", "Bo", "Ng", "", "", "1", "", "8", ""])
    result = bento(
        "import",
        "subscribers",
        str(source),
        "--map",
        "Phone Number=phone,MEMBER_RATING=rating:int",
        "--map",
        "OPTIN_TIME=-,LEID=-,Address=-",
    )
    assert result.exit_code == 1, result.output
    assert "2 records, 1 accepted, 0 failed, 1 invalid (1 request)." in result.stdout
    assert _fields(bento_env, "ann@example.com") == {
        "first_name": "Ann",
        "last_name": "Lee",
        "phone": "555-1",
        "rating": 2,
    }
    ann = bento_env.state.subscriber_by_email("ann@example.com")
    assert ann is not None
    assert bento_env.state.tag_names_of(ann) == ["vip"]
    failed = (tmp_path / "members_export.failed.csv").read_text(encoding="utf-8").splitlines()
    assert failed[0] == ",".join(MAILCHIMP)
    assert failed[1].startswith("not-an-email,Bo,Ng")


def test_hubspot_export_and_a_missing_email_column_lists_the_header(
    bento_env: BentoEmulator, bento: Run, tmp_path: Path
) -> None:
    """HubSpot writes `Email`; a file with no email column is refused with its header
    listed and the --map to use, nothing sent."""
    hubspot = tmp_path / "hubspot-crm-exports-all-contacts.csv"
    hubspot.write_text(
        "Record ID,First Name,Last Name,Email,Create Date\n"
        "101,Ann,Lee,ann@example.com,2024-01-02 10:00\n",
        encoding="utf-8",
    )
    ok = bento("import", "subscribers", str(hubspot), "--map", "Record ID=-,Create Date=-")
    assert ok.exit_code == 0, ok.output
    assert _fields(bento_env, "ann@example.com") == {"first_name": "Ann", "last_name": "Lee"}

    nameless = tmp_path / "people.csv"
    nameless.write_text("Name,Contact\nAnn,ann@example.com\n", encoding="utf-8")
    refused = bento("import", "subscribers", str(nameless))
    assert refused.exit_code == 2
    assert refused.stderr.strip() == (
        f"bento: {nameless}: the header has no 'email' column (the header is 'Name', "
        "'Contact'); name the one to use with --map 'HEADER=email'"
    )
    mapped = bento("import", "subscribers", str(nameless), "--map", "Contact=email")
    assert mapped.exit_code == 0, mapped.output
    assert len(bento_env.requests) == 2


def _xlsx(path: Path) -> None:
    """Write a small but real Excel workbook (one sheet, one cell)."""
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats'
            '.org/package/2006/content-types"><Default Extension="xml" ContentType="application'
            '/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxml'
            'formats-officedocument.spreadsheetml.sheet.main+xml"/></Types>'
        ),
        "xl/workbook.xml": (
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheets>'
            '<sheet name="Sheet1" sheetId="1"/></sheets></workbook>'
        ),
        "xl/worksheets/sheet1.xml": (
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>email</t></is></c></row>'
            "</sheetData></worksheet>"
        ),
    }
    with zipfile.ZipFile(path, "w") as book:
        for name, xml in parts.items():
            book.writestr(name, xml)


@pytest.mark.parametrize("command", ["import", "lookup"])
def test_an_xlsx_workbook_is_named_and_nothing_is_sent(
    bento_env: BentoEmulator, bento: Run, tmp_path: Path, command: str
) -> None:
    """A workbook given where a CSV belongs: exit 2 with how to save it as CSV."""
    book = tmp_path / "contacts.xlsx"
    _xlsx(book)
    args = ["import", "subscribers", str(book)] if command == "import" else ["lookup", str(book)]
    result = bento(*args)
    assert result.exit_code == 2
    assert result.stderr.strip().endswith(
        "this is a zip archive (an Excel .xlsx or OpenDocument workbook?), not a text file: "
        "save it as CSV (in Excel: File > Save As > CSV UTF-8) and import that"
    )
    assert bento_env.requests == []


def test_an_unterminated_quote_is_reported_where_it_opened(
    bento_env: BentoEmulator, bento: Run, tmp_path: Path
) -> None:
    """A quote opened on line 3 and never closed would swallow the rows after it: exit 2
    naming line 3, nothing sent."""
    source = tmp_path / "broken.csv"
    source.write_text(
        'email,first_name\na@example.com,Ann\nb@example.com,"Bob\nc@example.com,Carol\n'
        "d@example.com,Dan\n",
        encoding="utf-8",
    )
    result = bento("import", "subscribers", str(source))
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        f"bento: {source}: a quote opened on line 3 is not closed where it should be: lines "
        "3-5 would merge into one cell; fix the quotes on line 3"
    )
    assert bento_env.requests == []


def test_lookup_reads_a_mailchimp_csv_in_cp1252(
    bento_env: BentoEmulator, bento: Run, tmp_path: Path
) -> None:
    """Lookups find the Email Address column and take --encoding as imports do."""
    source = tmp_path / "audience.csv"
    source.write_bytes("Email Address;First Name\na@example.com;Zoë\n".encode("cp1252"))
    result = bento("lookup", str(source), "--encoding", "cp1252")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[1].startswith("2,a@example.com,not_found")


def test_200000_rows_with_a_wrong_key_stop_after_one_request(
    bento_env: BentoEmulator, bento: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Seed limits, 200,000 rows, a wrong secret key: one request is sent, every row is in
    the failed-rows file, and the command exits 1 with the authentication message."""
    monkeypatch.setenv("BENTO_SECRET_KEY", "sk_wrong")
    source = tmp_path / "contacts.csv"
    with source.open("w", encoding="utf-8") as out:
        out.write("email,first_name\n")
        out.writelines(f"user{i}@example.com,User{i}\n" for i in range(200_000))
    result = bento("import", "subscribers", str(source))
    assert result.exit_code == 1
    assert [r.status for r in bento_env.requests] == [401]
    assert result.stderr.splitlines()[-1] == (
        "bento: authentication failed (401): check BENTO_PUBLISHABLE_KEY / BENTO_SECRET_KEY "
        "/ BENTO_SITE_UUID"
    )
    assert "200,000 records, 0 accepted, 200,000 failed, 0 invalid (1 request)." in result.stdout
    assert "line 2: 1,000 records on lines 2-1001 failed: authentication failed" in result.stderr
    assert (
        "line 1002: 199,000 records on lines 1002-200001 not sent (the run stopped at the "
        "error above); safe to send again"
    ) in result.stderr
    failed = tmp_path / "contacts.failed.csv"
    with failed.open(encoding="utf-8") as rows:
        assert next(rows) == "email,first_name\n"
        assert sum(1 for _ in rows) == 200_000
    assert failed.read_bytes() == source.read_bytes()
    assert "sk_wrong" not in result.output


def test_standard_input_stops_at_the_undecodable_line(bento_env: BentoEmulator, bento: Run) -> None:
    """Standard input cannot be scanned first: reading stops at the bad line, which is named;
    the chunk being filled is not sent."""
    data = "email,first_name\na@example.com,Ann\nb@example.com,José\n".encode("cp1252")
    result = bento("import", "subscribers", "-", input=data)
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == (
        "bento: line 3, column 18: byte 0xe9 is not valid UTF-8; if it came from Excel or a "
        "Windows tool, try --encoding cp1252 (or latin-1)"
    )
    assert bento_env.requests == []
    again = bento("import", "subscribers", "-", "--encoding", "cp1252", input=data)
    assert again.exit_code == 0, again.output
    assert _fields(bento_env, "b@example.com") == {"first_name": "José"}
