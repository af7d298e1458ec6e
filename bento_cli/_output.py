"""What commands print: readable rich tables by default, JSON with ``--json``."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from bento_async import Field, SiteStats, Subscriber, Tag, converter

__all__ = [
    "FoundSubscriber",
    "counted",
    "echo_json",
    "fields_table",
    "make_console",
    "stats_table",
    "subscribers_table",
    "tags_table",
    "to_json",
]

_PIPE_WIDTH = 160  # tables printed to a pipe or file are not cut at 80 columns
FoundSubscriber = tuple[Subscriber, Sequence[str]]  # a subscriber and its tag names


def counted(count: int, noun: str) -> str:
    """Return ``count`` and ``noun``, plural unless one: ``1 record``, ``1,200 addresses``."""
    if count == 1:
        return f"1 {noun}"
    suffix = "es" if noun.endswith(("s", "x", "ch", "sh")) else "s"
    return f"{count:,} {noun}{suffix}"


def make_console(*, stderr: bool = False) -> Console:
    """Return a console on stdout (or stderr) as it is now (click's runner swaps them)."""
    console = Console(file=sys.stderr if stderr else sys.stdout, highlight=False)
    if not console.is_terminal:
        console.width = _PIPE_WIDTH
    return console


def to_json(value: Any) -> Any:
    """Return a model (or a list or mapping of them) as plain JSON data, ``extra`` kept."""
    return converter.unstructure(value)


def echo_json(value: Any) -> None:
    """Print a value as indented JSON on stdout."""
    click.echo(json.dumps(to_json(value), indent=2, default=str, ensure_ascii=False))


def _when(value: Any) -> str:
    return "" if value is None else value.isoformat(timespec="seconds")


def _fields(fields: Mapping[str, Any]) -> str:
    return ", ".join(f"{key}={json.dumps(value, default=str)}" for key, value in fields.items())


def subscribers_table(found: Iterable[FoundSubscriber], missing: Sequence[str] = ()) -> Table:
    """Return a table of subscribers with their tag names and fields; missing ones marked."""
    table = Table("Email", "UUID", "Status", "Tags", "Fields")
    for subscriber, tags in found:
        status = "subscribed" if subscriber.subscribed else "unsubscribed"
        table.add_row(
            subscriber.email, subscriber.uuid, status, ", ".join(tags), _fields(subscriber.fields)
        )
    for email in missing:
        table.add_row(email, "", "not found", "", "")
    return table


def tags_table(tags: Iterable[Tag]) -> Table:
    """Return a table of tags."""
    table = Table("Name", "ID", "Created")
    for tag in tags:
        table.add_row(tag.name, tag.id, _when(tag.created_at))
    return table


def fields_table(fields: Iterable[Field]) -> Table:
    """Return a table of custom field definitions."""
    table = Table("Key", "Name", "ID", "Created")
    for field in fields:
        table.add_row(field.key, field.name or "", field.id, _when(field.created_at))
    return table


def stats_table(stats: SiteStats) -> Table:
    """Return a one-row table of a site's counts."""
    table = Table()
    for name in ("Users", "Subscribed", "Unsubscribed"):
        table.add_column(name, justify="right")
    table.add_row(
        f"{stats.user_count:,}", f"{stats.subscriber_count:,}", f"{stats.unsubscriber_count:,}"
    )
    return table
