"""What does reading an import file once before sending cost?

``bento import`` scans the whole file before it sends anything (every byte decoded, every
CSV row parsed and counted), so that an undecodable byte or a quote never closed stops it
with nothing sent. Measured side by side in the same run against the pass the import makes
anyway to read and check every row (``RecordFile.rows()``), and against a bare
``csv.reader`` pass over the same file.
"""

from __future__ import annotations

import csv
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from ._harness import Result, cli, summarise
from ._timing import interleave, ratios

__all__ = ["run"]


def _write(path: Path, rows: int) -> None:
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["Email Address", "First Name", "Last Name", "tags", "plan", "note"])
        for i in range(rows):
            writer.writerow(
                [f"user{i}@example.com", f"Fïrst{i}", f"Last{i}", "a,b", "pro", "x" * 40]
            )


def _timed(work: Callable[[], object]) -> Callable[[], float]:
    def measure() -> float:
        start = time.perf_counter()
        work()
        return time.perf_counter() - start

    return measure


def run(quick: bool) -> list[Result]:
    """Time the scan, the reading pass and a bare csv pass, interleaved."""
    from bento_cli._files import RecordFile

    rows, runs = (20_000, 3) if quick else (200_000, 7)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "contacts.csv"
        _write(path, rows)
        size = path.stat().st_size / 2**20

        def scan() -> None:
            with RecordFile(str(path), "subscribers", "csv") as source:
                assert source.scan() == rows

        def read() -> None:
            with RecordFile(str(path), "subscribers", "csv") as source:
                assert sum(1 for _ in source.rows()) == rows

        def bare() -> None:
            with path.open(encoding="utf-8", newline="") as stream:
                assert sum(1 for _ in csv.reader(stream)) == rows + 1

        figures = interleave(
            runs, {"scan": _timed(scan), "read": _timed(read), "bare": _timed(bare)}
        )
    scan_ms = sorted(figures["scan"])[len(figures["scan"]) // 2] * 1000
    return [
        summarise(
            "bento import: scan before sending",
            f"scan time / read-and-check pass time, {rows:,} rows ({size:.0f} MiB)",
            ratios(figures["scan"], figures["read"]),
            detail=f"scan median {scan_ms:.0f} ms; baseline: RecordFile.rows(), same run",
        ),
        summarise(
            "bento import: scan before sending",
            f"scan time / bare csv.reader pass, {rows:,} rows",
            ratios(figures["scan"], figures["bare"]),
            detail="baseline: sum(1 for _ in csv.reader(file)), same run",
        ),
    ]


if __name__ == "__main__":
    cli(run)
