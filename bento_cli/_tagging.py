"""``bento tag add|remove TAG FILE``: tag (or untag) a list of subscribers in batched commands."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

from bento_async import Command

from ._bulk import BulkJob, bulk_options, default_failed_path
from ._connection import Connection, open_client, run
from ._files import EmailRow
from ._lookup import open_emails
from ._output import counted
from ._textfile import encoding_option

__all__ = ["tag_group"]

MAX_COMMANDS = 100  # the API's limit of commands per call


@click.group("tag")
def tag_group() -> None:
    """Add or remove a tag on every subscriber of a list."""


def _commands(job: BulkJob, rows: Iterator[EmailRow], tag: str, how: str) -> Iterator[Command]:
    make = {
        "add": Command.add_tag,
        "add_via_event": Command.add_tag_via_event,
        "remove": Command.remove_tag,
    }[how]
    return job.feed((row.line, make(row.email, tag)) for row in rows)


def _write_failed(job: BulkJob, path: Path) -> int:
    """Write the addresses not tagged, one a line (a list the same command takes back)."""
    rows = job.sorted_failed()
    if job.dry_run or not rows:
        return 0
    with open(path, "w", encoding="utf-8") as out:
        for row in rows:
            out.write(f"{row.email if isinstance(row, Command) else row}\n")
    return len(rows)


def _tag(how: str, tag: str, file: str, options: dict[str, Any], connection: Connection) -> None:
    rows, total = open_emails(file, options["column"], options["encoding"])
    failed_path = Path(options["failed"] or default_failed_path(file, ".txt"))
    dry_run = options["dry_run"]
    verb = "remove" if how == "remove" else "add"

    async def main() -> int:
        async with open_client(connection, offline=dry_run) as bento:
            job = BulkJob(
                label=f"{'Checking' if dry_run else 'Tagging' if verb == 'add' else 'Untagging'}",
                total=total,
                chunk_size=options["chunk_size"],
                concurrency=options["concurrency"],
                dry_run=dry_run,
                limit=bento.config.rate_limits.fetch,
                noun="email",
            )
            result = await job.run(bento.commands.run, _commands(job, rows, tag, how))
        written = _write_failed(job, failed_path)
        summary = {"file": file, "tag": tag, "action": verb, **job.summary(result)}
        summary["failed_file"] = str(failed_path) if written else None
        summary["failed_rows"] = written
        return job.report(result, summary, options, lambda: _echo_summary(summary))

    run(main, connection)


def _echo_summary(summary: dict[str, Any]) -> None:
    action, tag = summary["action"], summary["tag"]
    addresses = counted(summary["records"], "address")
    if summary["dry_run"]:
        valid = summary["records"] - summary["invalid"]
        click.echo(
            f"Dry run of {summary['file']}: {addresses}, {valid:,} valid, "
            f"{summary['invalid']:,} invalid; nothing was sent."
        )
        return
    done = "tagged" if action == "add" else "untagged"
    click.echo(
        f"{summary['accepted']:,} of {addresses} {done} {tag!r}: "
        f"{summary['failed']:,} failed, {summary['invalid']:,} invalid "
        f"({counted(summary['requests'], 'request')})."
    )
    if summary["failed_file"]:
        rows = summary["failed_rows"]
        click.echo(
            f"{counted(rows, 'address')} not {done} {'is' if rows == 1 else 'are'} in "
            f"{summary['failed_file']}; run again with: bento tag {action} {tag} "
            f"{summary['failed_file']}"
        )


_tag_options = bulk_options(
    click.argument("tag"),
    click.argument("file"),
    click.option("--column", help="The CSV column holding the addresses [default: email]."),
    encoding_option,
    chunk_max=MAX_COMMANDS,
    chunk_unit="Commands",
    row="address",
    failed_help="Where addresses not tagged go [default: FILE's name + .failed.txt].",
)


@tag_group.command("add")
@_tag_options
@click.option(
    "--via-event",
    is_flag=True,
    help="Tag through an event, firing the automations the tag triggers.",
)
def add(tag: str, file: str, via_event: bool, connection: Connection, **options: Any) -> None:
    """Add TAG to every address of FILE (one a line, or a CSV with an email column).

    No automations fire unless --via-event is given.
    """
    _tag("add_via_event" if via_event else "add", tag, file, options, connection)


@tag_group.command("remove")
@_tag_options
def remove(tag: str, file: str, connection: Connection, **options: Any) -> None:
    """Remove TAG from every address of FILE (one a line, or a CSV with an email column)."""
    _tag("remove", tag, file, options, connection)
