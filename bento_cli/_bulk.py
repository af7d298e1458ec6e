"""What the bulk commands share: progress, the problems by line, failed rows, Ctrl-C.

A :class:`BulkJob` feeds items read from a file to one of the SDK's bulk calls
(``import_many``, ``track_many``, ``commands.run``), shows its progress, and afterwards knows
which input lines were not sent or not accepted, and why.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import attrs
import click

from bento_async import (
    AuthenticationError,
    BulkProgress,
    BulkResult,
    ChunkCancelledError,
    ChunkOutcome,
    InputIssue,
    PermissionDeniedError,
    RateLimit,
    TransportError,
)

from ._connection import EXIT_FAILURE, CliError, Interrupted, connection_options, describe_error
from ._files import LineIndex, SourceRecord
from ._output import counted, make_console
from ._progress import ProgressDisplay

__all__ = [
    "BulkJob",
    "bulk_options",
    "Problem",
    "Problems",
    "default_failed_path",
    "describe_issues",
    "setup_error",
]

T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., Any])

SHOWN_PROBLEMS = 20

# Errors that every request would meet alike (bad keys, wrong URL): one line says it all.
SETUP_ERRORS = (AuthenticationError, PermissionDeniedError, TransportError)

_ITEM_PREFIX = re.compile(r"^[A-Za-z_]+\[\d+\]\.?")


@attrs.frozen
class Problem:
    """Why the row at ``line`` of the input was not sent (None: the line is not known)."""

    line: int | None
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}" if self.line is not None else self.message


def describe_issues(issues: Iterable[InputIssue]) -> str:
    """Return a record's issues in one line, paths relative to the record."""
    parts = []
    for issue in issues:
        path = _ITEM_PREFIX.sub("", issue.path)
        parts.append(f"{path}: {issue.message}" if path else issue.message)
    return "; ".join(parts)


class Problems:
    """The rows that could not be sent, reported sorted by line."""

    def __init__(self) -> None:
        self.items: list[Problem] = []

    def __len__(self) -> int:
        return len(self.items)

    def add(self, line: int | None, message: str) -> None:
        """Note a row that could not be sent."""
        self.items.append(Problem(line, message))

    def sorted(self) -> list[Problem]:
        """Return the problems by line (unknown lines last)."""
        return sorted(self.items, key=lambda p: (p.line is None, p.line or 0, p.message))

    def echo(self, *, show_all: bool) -> None:
        """Print the problems on stderr: the first few, or all of them."""
        problems = self.sorted()
        shown = problems if show_all else problems[:SHOWN_PROBLEMS]
        for problem in shown:
            click.echo(str(problem), err=True)
        hidden = len(problems) - len(shown)
        if hidden:
            click.echo(f"... and {hidden:,} more (--all-errors lists them all)", err=True)

    def as_json(self) -> list[dict[str, Any]]:
        """Return every problem as ``{"line", "message"}``."""
        return [{"line": p.line, "message": p.message} for p in self.sorted()]


def default_failed_path(source: str, suffix: str) -> Path:
    """Return where failed rows go: beside the input, ``NAME.failed.EXT``."""
    if source == "-":
        return Path(f"bento-failed{suffix}")
    path = Path(source)
    return path.with_name(f"{path.stem}.failed{suffix}")


def bulk_options(
    *leading: Callable[[F], F], chunk_max: int, chunk_unit: str, row: str, failed_help: str
) -> Callable[[F], F]:
    """Return a decorator adding ``leading``, then the options every bulk command takes.

    ``chunk_unit`` names what a request carries (Records, Commands), ``row`` one input item.
    """
    options: list[Callable[[Any], Any]] = [
        *leading,
        click.option(
            "--chunk-size",
            type=click.IntRange(1, chunk_max),
            default=chunk_max,
            show_default=True,
            help=f"{chunk_unit} per request (the API takes at most {chunk_max}).",
        ),
        click.option(
            "--concurrency",
            type=click.IntRange(1, 32),
            default=4,
            show_default=True,
            help="Requests in flight at once.",
        ),
        click.option("--dry-run", is_flag=True, help=f"Check every {row}; send nothing."),
        click.option("--failed", type=click.Path(dir_okay=False, writable=True), help=failed_help),
        click.option("--all-errors", is_flag=True, help="List every bad row, not the first 20."),
        click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON."),
        connection_options,
    ]

    def decorate(command: F) -> F:
        for option in reversed(options):
            command = option(command)
        return command

    return decorate


def setup_error(errors: Iterable[BaseException | None]) -> BaseException | None:
    """Return the first error that every request would meet alike, if any."""
    return next((e for e in errors if isinstance(e, SETUP_ERRORS)), None)


class BulkJob:
    """One bulk call fed from a file: its progress display, problems and failed rows."""

    def __init__(
        self,
        *,
        label: str,
        total: int | None,
        chunk_size: int,
        concurrency: int,
        dry_run: bool,
        limit: RateLimit | None,
        noun: str = "record",
    ) -> None:
        self.label = label
        self.total = total
        self.chunk_size = chunk_size
        self.concurrency = concurrency
        self.dry_run = dry_run
        self.limit = limit
        self.noun = noun
        self.problems = Problems()
        self.lines = LineIndex()
        self.failed_rows: list[tuple[int | None, Any]] = []
        self.unreadable = 0
        self.last: BulkProgress | None = None
        self.display: ProgressDisplay | None = None
        self.last_line = 0  # the last input line handed over (or skipped)
        self.interrupted = False

    def feed(self, rows: Iterable[tuple[int, T]]) -> Iterator[T]:
        """Yield the items of ``(line, item)`` pairs, remembering each one's line."""
        for position, (line, item) in enumerate(rows):
            self.lines.add(position, line)
            self.last_line = line
            yield item

    def skip(self, line: int, raw: Any, problem: str) -> None:
        """Note a row that could not even be read: it is reported and goes to the failed rows."""
        self.problems.add(line, problem)
        self.failed_rows.append((line, raw))
        self.unreadable += 1
        self.last_line = line
        self._show()

    def counters(self) -> dict[str, int]:
        """Return the counts shown so far (records in flight only while there are some)."""
        p = self.last or BulkProgress()
        invalid = p.invalid + self.unreadable
        if self.dry_run:
            return {"valid": p.sent, "invalid": invalid}
        counts = {"accepted": p.accepted, "failed": p.failed, "invalid": invalid}
        in_flight = p.sent - p.accepted - p.failed
        if in_flight > 0:
            counts["in flight"] = in_flight
        return counts

    def on_progress(self, progress: BulkProgress) -> None:
        """Take the bulk call's latest counts."""
        self.last = progress
        self._show()

    def _show(self) -> None:
        if self.display is None:
            return
        p = self.last or BulkProgress()
        done = p.sent if self.dry_run else p.accepted + p.failed
        self.display.update(done + p.invalid + self.unreadable, self.counters(), waited=p.waiting)

    async def run(self, send: Callable[..., Any], items: Iterable[Any]) -> BulkResult[Any]:
        """Call ``send`` on the items, showing progress.

        On Ctrl-C the bulk call's partial result is returned with ``interrupted`` set (it
        holds what was read but not imported); without one, Interrupted is raised.
        """
        with ProgressDisplay(
            make_console(stderr=True),
            label=self.label,
            total=self.total,
            chunk_size=self.chunk_size,
            limit=None if self.dry_run else self.limit,
            unit=f"{self.noun}s",
        ) as self.display:
            try:
                result: BulkResult[Any] = await send(
                    items,
                    chunk_size=self.chunk_size,
                    concurrency=self.concurrency,
                    on_progress=self.on_progress,
                    dry_run=self.dry_run,
                )
            except asyncio.CancelledError as exc:
                partial = getattr(exc, "result", None)
                if not isinstance(partial, BulkResult):
                    raise Interrupted(self.interrupted_report()) from None
                result, self.interrupted = partial, True
        self._collect(result)
        return result

    def interrupted_report(self, result: BulkResult[Any] | None = None) -> str:
        """Return what Ctrl-C left behind: what was done, and where reading stopped."""
        after = f"nothing after line {self.last_line:,} was read"
        if result is None:
            sent = self.last.sent if self.last else 0
            counts = ", ".join(f"{name} {count:,}" for name, count in self.counters().items())
            return f"{counted(sent, self.noun)} sent before stopping ({counts}); {after}"
        invalid = len(result.invalid) + self.unreadable
        unsent = sum(c.count for c in result.chunks if c.error is not None and not c.sent)
        doubt = sum(c.count for c in result.chunks if _in_doubt(c))
        failed = result.failed - unsent - doubt
        return (
            f"{counted(result.accepted, self.noun)} accepted before stopping (not imported: "
            f"{unsent:,} not sent, {doubt:,} in flight that Bento may have processed, "
            f"{failed:,} failed, {invalid:,} invalid); {after}"
        )

    def line_of(self, item: Any, position: int | None) -> int | None:
        """Return the input line of an item the SDK handed back."""
        if isinstance(item, SourceRecord):
            return item.line
        return None if position is None else self.lines.line_of(position)

    def _collect(self, result: BulkResult[Any]) -> None:
        for invalid in result.invalid:
            line = self.line_of(invalid.record, invalid.position)
            self.problems.add(line, describe_issues(invalid.issues))
            self.failed_rows.append((line, invalid.record))
        for item in result.failed_records:
            self.failed_rows.append((self.line_of(item, None), item))
        unsent: list[ChunkOutcome] = []
        for chunk in result.chunks:
            if chunk.error is None:
                continue
            if not chunk.sent:
                unsent.append(chunk)
                continue
            where = self._where(chunk.first, chunk.first + chunk.count - 1, chunk.count)
            self.problems.add(
                self.lines.line_of(chunk.first),
                f"{where} failed: "
                + (
                    "cancelled in flight: Bento may have processed them"
                    if _in_doubt(chunk)
                    else describe_error(chunk.error)
                ),
            )
        for first, last, count in _runs(unsent):
            why = "the run stopped at the error above" if result.fatal_error else "interrupted"
            where = self._where(first, last, count)
            self.problems.add(
                self.lines.line_of(first), f"{where} not sent ({why}); safe to send again"
            )

    def _where(self, first: int, last: int, count: int) -> str:
        """Say how many items the positions ``first``-``last`` hold and on which lines."""
        lines = f"{self.lines.line_of(first) or 0}-{self.lines.line_of(last) or 0}"
        return f"{counted(count, self.noun)} on lines {lines}"

    def sorted_failed(self) -> list[Any]:
        """Return the rows to write to the failed-rows file, by input line."""
        return [row for _, row in sorted(self.failed_rows, key=lambda item: item[0] or 0)]

    def summary(self, result: BulkResult[Any]) -> dict[str, Any]:
        """Return the counts of the run, as printed and as ``--json`` gives them."""
        return {
            "dry_run": self.dry_run,
            "records": result.total + self.unreadable,
            "accepted": result.accepted,
            "failed": result.failed,
            "invalid": len(result.invalid) + self.unreadable,
            "requests": result.requests,
            "failed_without_rows": max(0, result.failed - len(result.failed_records)),
            "cancelled": self.interrupted or result.cancelled,
            "problems": self.problems.as_json(),
        }

    def report(
        self,
        result: BulkResult[Any],
        summary: dict[str, Any],
        options: dict[str, Any],
        echo_summary: Callable[[], None],
    ) -> int:
        """Print ``summary`` (as JSON with ``--json``), then :meth:`finish`; return the exit code.

        Raises what :meth:`finish` raises.
        """
        if options["as_json"]:
            click.echo(json.dumps(summary, indent=2))
        else:
            echo_summary()
            self.problems.echo(show_all=options["all_errors"])
        self.finish(result)
        return 0 if summary["invalid"] == 0 and result.failed == 0 else EXIT_FAILURE

    def finish(self, result: BulkResult[Any]) -> None:
        """Raise what the run ends with: its fatal or a setup error in one line, or Interrupted."""
        if self.interrupted or result.cancelled:
            raise Interrupted(self.interrupted_report(result))
        blocking = result.fatal_error or setup_error(c.error for c in result.chunks)
        if blocking is not None:
            raise CliError(describe_error(blocking))


def _in_doubt(chunk: ChunkOutcome) -> bool:
    """Whether a chunk was cancelled after its request left (Bento may have processed it)."""
    return isinstance(chunk.error, ChunkCancelledError) and chunk.error.maybe_processed


def _runs(chunks: list[ChunkOutcome]) -> Iterator[tuple[int, int, int]]:
    """Yield ``(first, last, count)`` positions of runs of chunks with consecutive indexes."""
    run: list[ChunkOutcome] = []
    for chunk in [*chunks, None]:
        if run and (chunk is None or chunk.index != run[-1].index + 1):
            last = run[-1]
            yield run[0].first, last.first + last.count - 1, sum(c.count for c in run)
            run = []
        if chunk is not None:
            run.append(chunk)
