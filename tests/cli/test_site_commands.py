"""`bento subscribers|tags|fields|stats` end to end against the emulator: tables and JSON."""

from __future__ import annotations

import json
from collections.abc import Callable

from click.testing import Result

from bento_emulator import BentoEmulator

Run = Callable[..., Result]
NoKeys = Callable[[Result, BentoEmulator], None]


def test_tags_create_then_list_as_table_and_json(
    bento_env: BentoEmulator, bento: Run, assert_no_keys: NoKeys
) -> None:
    """A created tag shows up in the table and in the JSON list."""
    created = bento("tags", "create", "vip")
    assert created.exit_code == 0, created.output
    assert "vip" in created.stdout
    table = bento("tags", "list")
    assert table.exit_code == 0
    assert "Name" in table.stdout
    assert "vip" in table.stdout
    listed = json.loads(bento("tags", "list", "--json").stdout)
    assert [t["name"] for t in listed] == ["vip"]
    assert [t.name for t in bento_env.state.active_tags()] == ["vip"]
    assert_no_keys(table, bento_env)


def test_fields_create_then_list(bento_env: BentoEmulator, bento: Run) -> None:
    """A created field definition is listed with the name Bento derives from its key."""
    assert bento("fields", "create", "favouriteFood").exit_code == 0
    listed = json.loads(bento("fields", "list", "--json").stdout)
    assert [(f["key"], f["name"]) for f in listed] == [("favouriteFood", "Favourite Food")]
    table = bento("fields", "list").stdout
    assert "favouriteFood" in table
    assert "Favourite Food" in table


def test_subscribers_create_and_get(bento_env: BentoEmulator, bento: Run) -> None:
    """create finds-or-creates; get shows tags and fields, and marks a missing address."""
    made = bento("subscribers", "create", "ada@example.com", "--json")
    assert made.exit_code == 0, made.output
    assert json.loads(made.stdout)["email"] == "ada@example.com"
    bento_env.state.add_tags("ada@example.com", ["customer"])
    bento_env.state.set_fields("ada@example.com", {"plan": "pro"})

    found = bento("subscribers", "get", "ada@example.com")
    assert found.exit_code == 0, found.output
    assert "customer" in found.stdout
    assert 'plan="pro"' in found.stdout
    assert "subscribed" in found.stdout

    mixed = bento("subscribers", "get", "ada@example.com", "nobody@example.com", "--json")
    assert mixed.exit_code == 1
    rows = json.loads(mixed.stdout)
    assert [(r["email"], r["found"], r["tags"]) for r in rows] == [
        ("ada@example.com", True, ["customer"]),
        ("nobody@example.com", False, []),
    ]
    assert rows[0]["subscriber"]["fields"] == {"plan": "pro"}

    bad = bento("subscribers", "get", "ada@example.com", "not-an-email", "--json")
    assert bad.exit_code == 1
    first, second = json.loads(bad.stdout)
    assert first["error"] is None
    assert "not a valid email address" in second["error"]
    assert bad.stderr.strip().endswith("bento: 1 of 2 lookups failed")


def test_stats_site_counts_subscribers(bento_env: BentoEmulator, bento: Run) -> None:
    """stats site counts everyone, the subscribed and the unsubscribed."""
    for email in ("a@example.com", "b@example.com"):
        bento_env.state.find_or_create_subscriber(email)
    bento_env.state.unsubscribe("b@example.com")
    result = bento("stats", "site", "--json")
    assert result.exit_code == 0, result.output
    counts = json.loads(result.stdout)
    assert (counts["user_count"], counts["subscriber_count"], counts["unsubscriber_count"]) == (
        2,
        1,
        1,
    )
    assert "Unsubscribed" in bento("stats", "site").stdout


def test_emulator_flag_needs_no_account(no_credentials: None, bento: Run) -> None:
    """--emulator runs a command against a fresh embedded emulator, no credentials set."""
    result = bento("subscribers", "create", "jesse@example.com", "--emulator")
    assert result.exit_code == 0, result.output
    assert "jesse@example.com" in result.stdout
    assert bento("tags", "list", "--emulator", "--json").stdout.strip() == "[]"
