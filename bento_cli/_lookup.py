"""``bento lookup FILE``: look up many subscribers at once, results as CSV or JSON Lines.

Lookups run concurrently under the fetch family's rate limit, with a progress display on
stderr; results come out in the input's order, one row per address: found, not found, or
the error met.
"""

from __future__ import annotations

import asyncio
import csv
import json
from collections.abc import AsyncIterator, Iterator
from typing import IO, Any

import click

from bento_async import AsyncBento, Lookup

from ._bulk import setup_error
from ._connection import (
    EXIT_FAILURE,
    Connection,
    Interrupted,
    connection_options,
    describe_error,
    open_client,
    run,
)
from ._files import EmailRow, HeaderError, LineIndex, email_file
from ._output import counted, make_console, to_json
from ._progress import ProgressDisplay
from ._textfile import encoding_option

__all__ = ["lookup", "open_emails"]

CSV_COLUMNS = ("line", "email", "status", "uuid", "subscribed", "tags", "fields", "error")


def open_emails(
    file: str, column: str | None, encoding: str | None = None
) -> tuple[Iterator[EmailRow], int | None]:
    """Open an email list, exiting with a usage error when it cannot be read."""
    try:
        return email_file(file, column, encoding)
    except HeaderError as exc:
        click.echo(f"bento: {file}: {exc}", err=True)
    except OSError as exc:
        click.echo(f"bento: cannot read {file}: {exc.strerror or exc}", err=True)
    raise SystemExit(2)


class ResultWriter:
    """Writes one result row per address, as CSV or JSON Lines."""

    def __init__(self, stream: IO[str], fmt: str) -> None:
        self.stream = stream
        self.format = fmt
        self._csv: Any = None
        if fmt == "csv":
            self._csv = csv.writer(stream, lineterminator="\n")
            self._csv.writerow(CSV_COLUMNS)

    def write(self, line: int | None, lookup: Lookup, tags: list[str]) -> None:
        """Write the result of one lookup."""
        status = "error" if lookup.error is not None else "found" if lookup.found else "not_found"
        error = describe_error(lookup.error) if lookup.error is not None else None
        subscriber = lookup.subscriber
        if self._csv is not None:
            self._csv.writerow(
                [
                    line,
                    lookup.key,
                    status,
                    subscriber.uuid if subscriber else "",
                    "" if subscriber is None else str(subscriber.subscribed).lower(),
                    ",".join(tags),
                    json.dumps(to_json(subscriber.fields), default=str) if subscriber else "",
                    error or "",
                ]
            )
            return
        row = {
            "line": line,
            "email": lookup.key,
            "status": status,
            "subscriber": to_json(subscriber) if subscriber else None,
            "tags": tags,
            "error": error,
        }
        self.stream.write(json.dumps(row, default=str) + "\n")


class LookupJob:
    """Looks up every address of a list and writes the results in the input's order."""

    def __init__(self, rows: Iterator[EmailRow], writer: ResultWriter, concurrency: int) -> None:
        self.rows = rows
        self.writer = writer
        self.concurrency = concurrency
        self.lines = LineIndex()
        self.counts = {"found": 0, "not found": 0, "errors": 0}

    def emails(self) -> Iterator[str]:
        """Yield the addresses, remembering the line of each."""
        for position, row in enumerate(self.rows):
            self.lines.add(position, row.line)
            yield row.email

    def _count(self, lookup: Lookup) -> None:
        key = "errors" if lookup.error is not None else "found" if lookup.found else "not found"
        self.counts[key] += 1

    async def run(self, bento: AsyncBento, display: ProgressDisplay) -> None:
        """Look everything up, writing results in input order.

        A setup error (bad keys, wrong URL) stops it and is raised; Ctrl-C writes the
        results at hand and raises Interrupted.
        """
        stream: AsyncIterator[Lookup] = bento.subscribers.stream_many(
            self.emails(), concurrency=self.concurrency
        )
        ready: dict[int, tuple[Lookup, list[str]]] = {}
        written = 0
        try:
            async for lookup in stream:
                blocking = setup_error([lookup.error])
                if blocking is not None:
                    raise blocking
                subscriber = lookup.subscriber
                tags = await bento.tags.names_for(subscriber) if subscriber else []
                ready[lookup.index] = (lookup, tags)
                while written in ready:
                    done, done_tags = ready.pop(written)
                    self.writer.write(self.lines.line_of(written), done, done_tags)
                    written += 1
                self._count(lookup)
                display.update(sum(self.counts.values()), self.counts)
        except asyncio.CancelledError:
            for index in sorted(ready):  # finished, but after one still in flight
                done, done_tags = ready.pop(index)
                self.writer.write(self.lines.line_of(index), done, done_tags)
            looked_up = sum(self.counts.values())
            raise Interrupted(
                f"{counted(looked_up, 'address')} looked up before stopping; their results "
                "were written"
            ) from None
        finally:
            aclose = getattr(stream, "aclose", None)
            if aclose is not None:
                await aclose()


@click.command()
@click.argument("file")
@click.option("--column", help="The CSV column holding the addresses [default: email].")
@encoding_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "jsonl"]),
    default="csv",
    show_default=True,
    help="Format of the results.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True, allow_dash=True),
    default="-",
    help="Where the results go [default: stdout].",
)
@click.option(
    "--concurrency",
    type=click.IntRange(1, 64),
    default=16,
    show_default=True,
    help="Lookups in flight at once.",
)
@connection_options
def lookup(
    file: str,
    column: str | None,
    encoding: str | None,
    fmt: str,
    output: str,
    concurrency: int,
    connection: Connection,
) -> None:
    """Look up the subscribers of FILE: one address a line, or a CSV with an email column.

    Writes one row per address (found, not_found or error) in the file's order; a summary
    goes to stderr. Exits 1 when any lookup failed (not found is not a failure).
    """
    rows, total = open_emails(file, column, encoding)

    async def main(stream: IO[str]) -> int:
        job = LookupJob(rows, ResultWriter(stream, fmt), concurrency)
        async with open_client(connection) as bento:
            with ProgressDisplay(
                make_console(stderr=True),
                label="Looking up",
                total=total,
                chunk_size=1,
                limit=bento.config.rate_limits.fetch,
                unit="emails",
            ) as display:
                await job.run(bento, display)
        counts = job.counts
        click.echo(
            f"Looked up {counted(sum(counts.values()), 'address')}: {counts['found']:,} found, "
            f"{counts['not found']:,} not found, {counted(counts['errors'], 'error')}.",
            err=True,
        )
        return EXIT_FAILURE if counts["errors"] else 0

    with click.open_file(output, "w", encoding="utf-8") as stream:
        run(lambda: main(stream), connection)
