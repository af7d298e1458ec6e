"""`bento import` end to end against the emulator: bad rows, failed-rows replay, dry run."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from bento_emulator import BentoEmulator

Run = Callable[..., Result]

HEADER = ["email", "first_name", "last_name", "tags", "plan", "age:int"]


def _contacts(path: Path, rows: int = 5000) -> dict[int, str]:
    """Write a contacts CSV; return the file lines of the bad rows and what is wrong."""
    bad: dict[int, str] = {}
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        for i in range(rows):
            line = i + 2
            email, age = f"user{i}@example.com", str(20 + i % 50)
            if i % 500 == 7:
                email = f"user{i}-at-example.com"
                bad[line] = f"email: 'user{i}-at-example.com' is not a valid email address"
            elif i % 1000 == 123:
                age = "old"
                bad[line] = "column 'age:int': not a whole number"
            writer.writerow([email, f"First{i}", f"Last{i}", "imported,csv", "pro", age])
    return bad


def test_5000_rows_with_bad_ones_then_replay_the_fixed_failed_rows(
    bento_env: BentoEmulator, bento: Run, tmp_path: Path
) -> None:
    """Good rows land in chunks of 1000; bad ones are reported by line, saved, and replayable."""
    source = tmp_path / "contacts.csv"
    bad = _contacts(source)
    result = bento("import", "subscribers", str(source))

    assert result.exit_code == 1
    good = 5000 - len(bad)
    assert (
        f"5,000 records, {good:,} accepted, 0 failed, {len(bad)} invalid (5 requests)."
        in result.stdout
    )
    for line, reason in bad.items():
        assert f"line {line}: {reason}" in result.stderr
    assert "Importing subscribers: " in result.stderr  # the plain progress lines
    assert len(bento_env.state.subscribers) == good
    first = bento_env.state.subscriber_by_email("user0@example.com")
    assert first is not None
    assert first.fields == {"first_name": "First0", "last_name": "Last0", "plan": "pro", "age": 20}
    assert sorted(bento_env.state.tag_names_of(first)) == ["csv", "imported"]

    failed = tmp_path / "contacts.failed.csv"
    assert f"rows not imported are in {failed}" in result.stdout
    rows = list(csv.reader(failed.read_text(encoding="utf-8").splitlines()))
    assert rows[0] == HEADER
    assert [r[0].replace("-at-", "@") for r in rows[1:]] == [
        f"user{line - 2}@example.com" for line in sorted(bad)
    ]

    fixed = failed.read_text().replace("-at-", "@").replace(",old\n", ",33\n")
    failed.write_text(fixed)
    replay = bento("import", "subscribers", str(failed))
    assert replay.exit_code == 0, replay.output
    assert f"{len(bad)} records, {len(bad)} accepted, 0 failed, 0 invalid" in replay.stdout
    assert len(bento_env.state.subscribers) == 5000
    assert not (tmp_path / "contacts.failed.failed.csv").exists()


def test_dry_run_reports_every_bad_line_and_sends_nothing(
    no_credentials: None, bento: Run, tmp_path: Path
) -> None:
    """A dry run needs no account, lists the bad rows by line and exits 1 when any is bad."""
    source = tmp_path / "contacts.csv"
    bad = _contacts(source, rows=1200)
    with source.open("a", encoding="utf-8") as out:
        out.write("short@example.com\n")  # line 1202: too few cells
    result = bento("import", "subscribers", str(source), "--dry-run", "--all-errors")
    assert result.exit_code == 1
    assert (
        f"Dry run of {source}: 1,201 records, {1201 - len(bad) - 1:,} valid, "
        f"{len(bad) + 1} invalid; nothing was sent." in result.stdout
    )
    lines = [x for x in result.stderr.splitlines() if x.startswith("line ")]
    assert lines == [f"line {n}: {reason}" for n, reason in sorted(bad.items())] + [
        "line 1202: the row has 1 cells but the header has 6"
    ]
    assert not (tmp_path / "contacts.failed.csv").exists()


def test_clean_dry_run_exits_0(bento_env: BentoEmulator, bento: Run, tmp_path: Path) -> None:
    """A dry run of a clean file succeeds and nothing reaches the API."""
    source = tmp_path / "ok.csv"
    source.write_text("email,tags\na@example.com,x\nb@example.com,\n")
    result = bento("import", "subscribers", str(source), "--dry-run")
    assert result.exit_code == 0, result.output
    assert "2 records, 2 valid, 0 invalid; nothing was sent." in result.stdout
    assert bento_env.requests == []


def test_events_jsonl_with_a_bad_line_and_a_json_summary(
    bento_env: BentoEmulator, bento: Run, tmp_path: Path
) -> None:
    """Events pass through as objects; a broken line is reported and kept for replay."""
    events = [
        {"email": "a@example.com", "type": "signed_up", "details": {"plan": "pro"}},
        {
            "email": "a@example.com",
            "type": "$purchase",
            "details": {"unique": {"key": "o-1"}, "value": {"amount": 800, "currency": "USD"}},
        },
        {"email": "b@example.com", "type": "$purchase", "details": {}},
    ]
    text = "\n".join(json.dumps(e) for e in events) + "\n{broken\n"
    source = tmp_path / "events.jsonl"
    source.write_text(text)
    result = bento("import", "events", str(source), "--json")
    assert result.exit_code == 1
    summary = json.loads(result.stdout)
    assert (summary["records"], summary["accepted"], summary["invalid"]) == (4, 2, 2)
    assert [p["line"] for p in summary["problems"]] == [3, 4]
    assert summary["problems"][0]["message"].startswith("details.unique.key: a $purchase needs")
    assert bento_env.state.revenue_of("a@example.com") == {"USD": 800}
    failed = Path(summary["failed_file"])
    assert failed.name == "events.failed.jsonl"
    assert failed.read_text().splitlines() == [json.dumps(events[2]), "{broken"]


def test_events_csv_columns_map_to_fields_and_details(
    bento_env: BentoEmulator, bento: Run, tmp_path: Path
) -> None:
    """fields.X columns become fields; other columns nest into details; types apply."""
    source = tmp_path / "purchases.csv"
    source.write_text(
        "email,type,fields.plan,unique.key,value.amount:int,value.currency\n"
        "a@example.com,$purchase,pro,o-9,1200,EUR\n"
    )
    result = bento("import", "events", str(source))
    assert result.exit_code == 0, result.output
    assert bento_env.state.revenue_of("a@example.com") == {"EUR": 1200}
    subscriber = bento_env.state.subscriber_by_email("a@example.com")
    assert subscriber is not None
    assert subscriber.fields["plan"] == "pro"


def test_bad_credentials_fail_the_import_in_one_line(
    bento_env: BentoEmulator, bento: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every chunk is refused: exit 1, the reason names the settings, rows saved for later."""
    monkeypatch.setenv("BENTO_PUBLISHABLE_KEY", "pk_wrong_key_for_this_site")
    source = tmp_path / "contacts.csv"
    source.write_text("email\na@example.com\nb@example.com\n")
    result = bento("import", "subscribers", str(source))
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == (
        "bento: authentication failed (401): check BENTO_PUBLISHABLE_KEY / BENTO_SECRET_KEY "
        "/ BENTO_SITE_UUID"
    )
    assert "pk_wrong_key_for_this_site" not in result.output
    assert (tmp_path / "contacts.failed.csv").read_text().splitlines() == [
        "email",
        "a@example.com",
        "b@example.com",
    ]


def test_unusable_header_is_a_usage_error(
    bento_env: BentoEmulator, bento: Run, tmp_path: Path
) -> None:
    """A CSV without an email column is refused before anything is read or sent."""
    source = tmp_path / "names.csv"
    source.write_text("name\nAda\n")
    result = bento("import", "subscribers", str(source))
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        f"bento: {source}: the header has no 'email' column (the header is 'name'); "
        "name the one to use with --map 'HEADER=email'"
    )
    assert bento_env.requests == []


def test_import_from_standard_input(bento_env: BentoEmulator, bento: Run, tmp_path: Path) -> None:
    """`-` with --format jsonl streams records from stdin."""
    lines = '{"email": "a@example.com", "plan": "pro"}\n{"email": "b@example.com"}\n'
    result = bento("import", "subscribers", "-", "--format", "jsonl", input=lines)
    assert result.exit_code == 0, result.output
    assert "2 records, 2 accepted" in result.stdout
    subscriber = bento_env.state.subscriber_by_email("a@example.com")
    assert subscriber is not None
    assert subscriber.fields == {"plan": "pro"}
