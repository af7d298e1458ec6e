"""What every benchmark shares: result rows, medians with spread, the table, the command line.

A benchmark module is ``benchmarks/bench_<name>.py`` with ``run(quick: bool) -> list[Result]``
and ``if __name__ == "__main__": cli(run)``. ``quick`` must finish in a few seconds: the test
suite runs every benchmark that way so none of them rots.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass

__all__ = ["Result", "cli", "machine", "print_table", "summarise"]


@dataclass(frozen=True)
class Result:
    """One row of the table: a median ratio (or figure) with its spread over the runs."""

    question: str
    metric: str
    value: float
    low: float
    high: float
    target: str | None = None
    met: bool | None = None
    detail: str = ""

    @property
    def spread(self) -> str:
        """The range of the runs, as text."""
        return f"{self.low:.3g}-{self.high:.3g}"


def summarise(
    question: str,
    metric: str,
    values: Sequence[float],
    *,
    target: float | None = None,
    below: bool = False,
    detail: str = "",
) -> Result:
    """Return the median of ``values`` and its range; ``target`` is a floor (cap if ``below``)."""
    if not values:
        raise ValueError("no measurements")
    median = statistics.median(values)
    met = None
    text = None
    if target is not None:
        met = median <= target if below else median >= target
        text = f"{'<=' if below else '>='} {target:g}"
    return Result(question, metric, median, min(values), max(values), text, met, detail)


def machine() -> str:
    """Describe the machine the figures come from."""
    cpu = platform.processor() or platform.machine()
    return (
        f"{platform.system()} {platform.machine()} ({cpu}), {os.cpu_count()} cores, "
        f"Python {platform.python_version()}"
    )


def print_table(results: Sequence[Result], out: Callable[[str], object] = print) -> None:
    """Print results as a Markdown table."""
    out(f"Machine: {machine()}")
    out("")
    out("| question | metric | median | spread | target | met | detail |")
    out("|---|---|---|---|---|---|---|")
    for r in results:
        met = "" if r.met is None else ("yes" if r.met else "**no**")
        out(
            f"| {r.question} | {r.metric} | {r.value:.3g} | {r.spread} | {r.target or ''} "
            f"| {met} | {r.detail} |"
        )


def cli(run: Callable[[bool], list[Result]], argv: Sequence[str] | None = None) -> None:
    """Run one benchmark from the command line (``--quick`` for the short form)."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="a few seconds, for smoke runs")
    args = parser.parse_args(argv)
    print_table(run(args.quick))
    sys.stdout.flush()
