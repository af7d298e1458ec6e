"""Serve a BentoEmulator from a child process, so a benchmark's client never shares its loop
(or its interpreter lock) with the server.

    with EmulatorProcess(limits="soak", faults_seed=11) as server:
        client = AsyncBento(**server.credentials)
        ...
        log = server.request_log()   # [(received_at, family, status, fault), ...]

The child prints the credentials as one JSON line, answers ``log`` on stdin with the request
log as one JSON line, and stops at end of input.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from typing import Any

from bento_async import RateLimits
from bento_emulator import BentoEmulator, Credentials

from ._server import ChildProcess
from ._soak import SERVER_LIMITS, install_faults

__all__ = ["EmulatorProcess", "LogEntry"]

LogEntry = tuple[float, str, int, "str | None"]


def _limits(name: str) -> RateLimits | str | None:
    if name == "none":
        return None
    if name == "soak":
        return SERVER_LIMITS
    return name


class EmulatorProcess(ChildProcess):
    """A BentoEmulator in a child process, started at once; a context manager."""

    name = "emulator process"

    def __init__(self, *, limits: str = "seed", faults_seed: int | None = None) -> None:
        args = ["--limits", limits]
        if faults_seed is not None:
            args += ["--faults-seed", str(faults_seed)]
        super().__init__("benchmarks._emulator_proc", *args)
        self.credentials: Credentials = self.spawn()

    def request_log(self) -> list[LogEntry]:
        """Return the child's request log: (received_at, family, status, fault) per request."""
        self.send("log")
        return [tuple(entry) for entry in json.loads(self.readline())]

    def close(self) -> None:
        """Stop the child and wait for it (idempotent)."""
        self.stop()

    def __enter__(self) -> EmulatorProcess:
        return self


async def _serve(limits: str, faults_seed: int | None) -> None:
    emulator = BentoEmulator(rate_limits=_limits(limits))
    if faults_seed is not None:
        install_faults(emulator.faults, faults_seed)
    loop = asyncio.get_running_loop()
    async with emulator:
        print(json.dumps(emulator.credentials), flush=True)
        while line := await loop.run_in_executor(None, sys.stdin.readline):
            if line.strip() == "log":
                entries: list[Any] = [
                    [r.received_at, r.family, r.status, r.fault] for r in emulator.requests
                ]
                print(json.dumps(entries), flush=True)


def main() -> None:
    """Run the child side: serve until stdin closes."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--limits", default="seed", help="seed, docs, soak or none")
    parser.add_argument("--faults-seed", type=int, default=None)
    args = parser.parse_args()
    asyncio.run(_serve(args.limits, args.faults_seed))


if __name__ == "__main__":
    main()
