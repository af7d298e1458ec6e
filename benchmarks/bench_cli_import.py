"""Does ``bento import`` stay in bounded memory as files grow?

The command runs in this process (click's runner) against ``bento emulator serve`` in another
process, so that only the importer's memory is traced. For each size, the peak of traced
memory during the import is compared with the same file's peak when loaded whole, the way a
naive importer would (``list(csv.DictReader(f))``), measured side by side in the same run.
A bounded importer's peak barely moves from the small file to the large one.
"""

from __future__ import annotations

import csv
import functools
import json
import signal
import subprocess
import sys
import tempfile
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from ._harness import Result, cli, summarise

__all__ = ["run"]


def _write_csv(path: Path, rows: int) -> None:
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["email", "first_name", "last_name", "tags", "plan", "note"])
        for i in range(rows):
            writer.writerow(
                [f"user{i}@example.com", f"First{i}", f"Last{i}", "a,b", "pro", "x" * 40]
            )


@contextmanager
def _served() -> Iterator[dict[str, str]]:
    """Run ``bento emulator serve`` in a subprocess; yield BENTO_* settings for it."""
    bento = Path(sys.executable).with_name("bento")
    proc = subprocess.Popen(
        [str(bento), "emulator", "serve", "--port", "0", "--profile", "none", "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert proc.stdout is not None
        settings = json.loads(proc.stdout.readline())
        yield {
            "BENTO_BASE_URL": settings["base_url"],
            "BENTO_PUBLISHABLE_KEY": settings["publishable_key"],
            "BENTO_SECRET_KEY": settings["secret_key"],
            "BENTO_SITE_UUID": settings["site_uuid"],
        }
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=30)


def _peak(work: Callable[[], object]) -> float:
    """Return the peak traced memory of ``work`` in MiB."""
    tracemalloc.start()
    try:
        work()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def _import(path: Path, env: dict[str, str]) -> None:
    from click.testing import CliRunner

    from bento_cli._commands import cli as bento

    args = ["import", "subscribers", str(path), "--rate-limits", "off"]
    result = CliRunner(env=env).invoke(bento, args)
    if result.exit_code != 0:
        raise RuntimeError(f"import failed: {result.output}")


def _load_all(path: Path) -> None:
    with path.open(encoding="utf-8", newline="") as source:
        rows = list(csv.DictReader(source))
    assert rows


def run(quick: bool) -> list[Result]:
    """Measure the import's peak memory for a small and a large file, and the naive baseline."""
    small, large = (2_000, 10_000) if quick else (10_000, 100_000)
    repeats = 1 if quick else 3
    growth, versus_naive = [], []
    with tempfile.TemporaryDirectory() as tmp, _served() as env:
        paths = {n: Path(tmp) / f"{n}.csv" for n in (small, large)}
        for n, path in paths.items():
            _write_csv(path, n)
        _import(paths[small], env)  # warm-up: first-use imports and caches are not the file's
        for _ in range(repeats):
            peaks = {n: _peak(functools.partial(_import, p, env)) for n, p in paths.items()}
            naive = _peak(lambda: _load_all(paths[large]))
            growth.append(peaks[large] / peaks[small])
            versus_naive.append(peaks[large] / naive)
    factor = large // small
    return [
        summarise(
            "bento import: bounded memory",
            f"peak at {large:,} rows / peak at {small:,} rows ({factor}x the rows)",
            growth,
            target=2.0,
            below=True,
        ),
        summarise(
            "bento import: bounded memory",
            f"import peak / load-whole-file peak, {large:,} rows",
            versus_naive,
            detail="baseline: list(csv.DictReader(file)), same run",
        ),
    ]


if __name__ == "__main__":
    cli(run)
