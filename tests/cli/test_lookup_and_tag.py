"""`bento lookup` and `bento tag add|remove` end to end against the emulator."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path

from click.testing import Result

from bento_emulator import BentoEmulator

Run = Callable[..., Result]


def test_lookup_reports_found_not_found_and_errors_in_input_order(
    bento_env: BentoEmulator, bento: Run, tmp_path: Path
) -> None:
    """One CSV row per address, in the file's order, with its line; an error exits 1."""
    for i in range(0, 40, 2):
        bento_env.state.find_or_create_subscriber(f"user{i}@example.com")
    bento_env.state.add_tags("user0@example.com", ["vip"])
    emails = [f"user{i}@example.com" for i in range(40)]
    source = tmp_path / "emails.txt"
    source.write_text("# who to check\n" + "\n".join(emails) + "\n\nnot-an-email\n")

    result = bento("lookup", str(source), "--rate-limits", "off")
    assert result.exit_code == 1
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["email"] for r in rows] == [*emails, "not-an-email"]
    assert [r["line"] for r in rows] == [str(n) for n in range(2, 42)] + ["43"]
    assert [r["status"] for r in rows[:4]] == ["found", "not_found", "found", "not_found"]
    assert rows[0]["tags"] == "vip"
    assert rows[0]["subscribed"] == "true"
    assert rows[-1]["status"] == "error"
    assert "not a valid email address" in rows[-1]["error"]
    assert "Looked up 41 addresses: 20 found, 20 not found, 1 error." in result.stderr


def test_lookup_of_unknown_addresses_is_not_a_failure(
    bento_env: BentoEmulator, bento: Run, tmp_path: Path
) -> None:
    """Addresses nobody has are 'not_found' rows, and the command still exits 0."""
    source = tmp_path / "people.csv"
    source.write_text("name,Email\nAda,ada@example.com\nBo,bo@example.com\n")
    out = tmp_path / "results.jsonl"
    result = bento("lookup", str(source), "--column", "Email", "--format", "jsonl", "-o", str(out))
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [(r["line"], r["email"], r["status"]) for r in rows] == [
        (2, "ada@example.com", "not_found"),
        (3, "bo@example.com", "not_found"),
    ]


def test_tag_add_and_remove_a_list_in_batched_commands(
    bento_env: BentoEmulator, bento: Run, tmp_path: Path
) -> None:
    """250 addresses take 3 requests of up to 100 commands; bad ones go to the failed list."""
    emails = [f"user{i}@example.com" for i in range(250)]
    source = tmp_path / "list.txt"
    source.write_text("\n".join([*emails[:100], "bad-address", *emails[100:]]) + "\n")

    added = bento("tag", "add", "vip", str(source))
    assert added.exit_code == 1
    assert "250 of 251 addresses tagged 'vip': 0 failed, 1 invalid (3 requests)." in added.stdout
    assert "line 101: email: 'bad-address' is not a valid email address" in added.stderr
    assert (tmp_path / "list.failed.txt").read_text() == "bad-address\n"
    assert all(bento_env.state.tag_names_of(e) == ["vip"] for e in emails)
    batches = [r for r in bento_env.requests if r.path.endswith("fetch/commands")]
    assert [len(r.json["command"]) for r in batches] == [100, 100, 50]

    clean = tmp_path / "first.txt"
    clean.write_text("\n".join(emails[:10]) + "\n")
    removed = bento("tag", "remove", "vip", str(clean), "--json")
    assert removed.exit_code == 0, removed.output
    assert json.loads(removed.stdout)["accepted"] == 10
    assert bento_env.state.tag_names_of(emails[0]) == []
    assert bento_env.state.tag_names_of(emails[10]) == ["vip"]


def test_lookup_reads_standard_input(bento_env: BentoEmulator, bento: Run) -> None:
    """`-` reads the list from stdin (no total is known, so no time left is shown)."""
    bento_env.state.find_or_create_subscriber("ada@example.com")
    result = bento("lookup", "-", "--format", "jsonl", input="ada@example.com\nbo@example.com\n")
    assert result.exit_code == 0, result.output
    statuses = [json.loads(line)["status"] for line in result.stdout.splitlines()]
    assert statuses == ["found", "not_found"]
    assert "left" not in result.stderr
