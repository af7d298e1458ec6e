"""``bento import subscribers|events FILE``: stream a CSV or JSON Lines file into Bento.

Rows are read one at a time and sent in chunks at the API's item limit, under the client's
rate limits, with a progress display on stderr. At the end a summary goes to stdout and the
rows that were not imported go to a failed-rows file in the input's own format, so that
``bento import subscribers NAME.failed.csv`` replays them once fixed. ``--dry-run`` checks
every row and reports the bad ones by line without sending anything.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import click

from ._bulk import BulkJob, bulk_options, default_failed_path
from ._columns import Kind, parse_mapping
from ._connection import (
    EXIT_USAGE,
    Connection,
    open_client,
    run,
)
from ._files import FailedRows, HeaderError, RecordFile, SourceRecord, format_of
from ._output import counted
from ._textfile import encoding_option

__all__ = ["import_group"]

MAX_CHUNK = 1000  # the API's item limit for subscribers and events alike


@click.group("import")
def import_group() -> None:
    """Import subscribers or events from a CSV or JSON Lines file."""


def _records(job: BulkJob, source: RecordFile) -> Iterator[SourceRecord]:
    """Return the file's readable records for the bulk call; unreadable rows are noted."""

    def readable() -> Iterator[tuple[int, SourceRecord]]:
        for row in source.rows():
            if row.record is None:
                job.skip(row.line, row.raw, row.problem or "unreadable row")
            else:
                yield row.line, row.record

    return job.feed(readable())


def _write_failed(job: BulkJob, source: RecordFile, path: Path) -> FailedRows | None:
    """Write the rows not imported; return the file, or None when none failed."""
    rows = job.sorted_failed()
    if job.dry_run or not rows:
        return None
    out = FailedRows(path, source.format, source.columns)
    try:
        for row in rows:
            if isinstance(row, (str, tuple)):
                out.write_raw(row)
            else:
                out.write_record(row)
    finally:
        out.close()
    return out


def _echo_summary(summary: dict[str, Any], command: str) -> None:
    records = summary["records"]
    if summary["dry_run"]:
        valid = records - summary["invalid"]
        click.echo(
            f"Dry run of {summary['file']}: {counted(records, 'record')}, {valid:,} valid, "
            f"{summary['invalid']:,} invalid; nothing was sent."
        )
        return
    what = "Stopped importing" if summary["cancelled"] else "Imported"
    read = "after " if summary["cancelled"] else ""
    click.echo(
        f"{what} {summary['kind']} from {summary['file']}: {read}{counted(records, 'record')}, "
        f"{summary['accepted']:,} accepted, {summary['failed']:,} failed, "
        f"{summary['invalid']:,} invalid ({counted(summary['requests'], 'request')})."
    )
    if summary["failed_without_rows"]:
        click.echo(
            f"Bento reported {counted(summary['failed_without_rows'], 'record')} as failed "
            "without saying which; they are not in the failed-rows file."
        )
    if summary["failed_file"]:
        click.echo(
            f"{counted(summary['failed_rows'], 'row')} not imported "
            f"{'is' if summary['failed_rows'] == 1 else 'are'} in {summary['failed_file']}; "
            f"fix them and run: bento {command} {summary['failed_file']}"
        )


def _open(kind: Kind, file: str, options: dict[str, Any]) -> tuple[RecordFile, int | None]:
    """Open and scan the file (nothing is sent yet); return it and its row count.

    Exits with a usage error when the file cannot be read, decoded or parsed.
    """
    try:
        source = RecordFile(
            file,
            kind,
            format_of(file, options["fmt"]),
            encoding=options["encoding"],
            delimiter=options["delimiter"],
            mapping=parse_mapping(options["mapping"]),
        )
    except HeaderError as exc:
        raise SystemExit(_usage(f"{file}: {exc}")) from None
    except OSError as exc:
        raise SystemExit(_usage(f"cannot read {file}: {exc.strerror or exc}")) from None
    try:
        total = source.scan()
    except HeaderError as exc:
        source.close()
        raise SystemExit(_usage(f"{file}: {exc}")) from None
    if source.format == "csv" and source.delimiter != ",":
        click.echo(f"bento: reading {file} as {source.separated}", err=True)
    return source, total


def _import(kind: Kind, file: str, options: dict[str, Any], connection: Connection) -> None:
    source, total = _open(kind, file, options)
    suffix = ".jsonl" if source.format == "jsonl" else ".csv"
    failed_path = Path(options["failed"] or default_failed_path(file, suffix))
    if file != "-" and failed_path.resolve() == Path(file).resolve():
        source.close()
        raise SystemExit(_usage("--failed must not be the input file"))
    dry_run = options["dry_run"]

    async def main() -> int:
        with source:
            async with open_client(connection, offline=dry_run) as bento:
                job = BulkJob(
                    label=f"{'Checking' if dry_run else 'Importing'} {kind}",
                    total=total,
                    chunk_size=options["chunk_size"],
                    concurrency=options["concurrency"],
                    dry_run=dry_run,
                    limit=bento.config.rate_limits.batch,
                )
                send: Callable[..., Any] = (
                    bento.subscribers.import_many
                    if kind == "subscribers"
                    else bento.events.track_many
                )
                result = await job.run(send, _records(job, source))
        failed = _write_failed(job, source, failed_path)
        summary = {"file": file, "kind": kind, **job.summary(result)}
        summary["failed_file"] = str(failed.path) if failed else None
        summary["failed_rows"] = failed.count if failed else 0
        return job.report(
            result, summary, options, lambda: _echo_summary(summary, f"import {kind}")
        )

    run(main, connection)


def _usage(message: str) -> int:
    click.echo(f"bento: {message}", err=True)
    return EXIT_USAGE


_import_options = bulk_options(
    click.argument("file"),
    click.option(
        "--format",
        "fmt",
        type=click.Choice(["csv", "jsonl"]),
        help="File format [default: by extension; .jsonl/.ndjson are JSON Lines].",
    ),
    encoding_option,
    click.option(
        "--delimiter",
        help="CSV delimiter, e.g. ';' or tab [default: sniffed from the header row].",
    ),
    click.option(
        "--map",
        "mapping",
        multiple=True,
        metavar="HEADER=COLUMN,...",
        help="Map headers to columns, e.g. 'Email Address=email,Phone=phone,Notes=-' "
        "(- drops a column; a type may follow: Age=age:int).",
    ),
    chunk_max=MAX_CHUNK,
    chunk_unit="Records",
    row="row",
    failed_help="Where rows not imported go [default: FILE's name + .failed].",
)


@import_group.command("subscribers")
@_import_options
def import_subscribers(file: str, connection: Connection, **options: Any) -> None:
    """Import (upsert) subscribers from FILE; no automations fire.

    CSV: a header row; email, first_name, last_name, tags and remove_tags (comma-separated),
    and every other column a field. Headers may carry a type: age:int, vip:bool, prefs:json.
    JSON Lines: one subscriber object a line, as the SDK takes it.
    """
    _import("subscribers", file, options, connection)


@import_group.command("events")
@_import_options
def import_events(file: str, connection: Connection, **options: Any) -> None:
    """Track events from FILE (events fire automations unless bypass_workflows is set).

    CSV: a header row; email, type and date (ISO 8601); fields.NAME columns into the
    event's fields; every other column into its details, dots nesting (value.amount:int).
    JSON Lines: one event object a line (email, type, fields, details, date).
    """
    _import("events", file, options, connection)
