"""Run every benchmark and print one table: ``python -m benchmarks [--quick] [name ...]``."""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import time
from pathlib import Path

from ._harness import Result, print_table


def modules() -> list[str]:
    """Return the benchmark module names, sorted."""
    here = Path(__file__).resolve().parent
    return sorted(m.name for m in pkgutil.iter_modules([str(here)]) if m.name.startswith("bench_"))


def main() -> None:
    """Run the chosen (default: all) benchmarks and print the table."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument("--quick", action="store_true", help="short runs, for smoke tests")
    parser.add_argument("names", nargs="*", help="bench_* modules to run (default: all)")
    args = parser.parse_args()
    results: list[Result] = []
    start = time.monotonic()
    for name in args.names or modules():
        module = importlib.import_module(f"benchmarks.{name}")
        print(f"running {name} ...", flush=True)
        results.extend(module.run(args.quick))
    print()
    print_table(results)
    print(
        f"\n({time.monotonic() - start:.0f} s in all; command: python -m benchmarks"
        f"{' --quick' if args.quick else ''})"
    )


if __name__ == "__main__":
    main()
