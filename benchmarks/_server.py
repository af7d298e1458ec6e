"""A server in its own process, so a benchmark's client never shares an event loop with it.

``ServerProcess("minimal")`` runs a bare aiohttp app that answers
``GET /api/v1/fetch/subscribers`` with one fixed subscriber and checks nothing: it measures
client overhead where the emulator's bookkeeping (auth, logging, state) would dominate.
``latency_ms`` makes it sleep that long before each answer. ``ServerProcess("emulator")``
runs the Bento emulator with server-side limits off and one subscriber, ``SUBSCRIBER_EMAIL``.

The child prints one JSON line (base URL and credentials) when it listens, and stops when
its stdin closes or on SIGTERM, so it never outlives the benchmark that started it.
:class:`ChildProcess` is that parent-side lifecycle, shared by every benchmark server
(``_emulator_proc`` and ``_bulk_server`` too): they differ only in what the child serves.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import inspect
import json
import selectors
import signal
import subprocess
import sys
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal, TypedDict

from aiohttp import web

if TYPE_CHECKING:
    from bento_emulator import Credentials

__all__ = [
    "SUBSCRIBER_EMAIL",
    "ChildProcess",
    "Kind",
    "ServerInfo",
    "ServerProcess",
    "subscriber_payload",
]

Kind = Literal["minimal", "emulator"]

SUBSCRIBER_EMAIL = "jesse@example.com"
_ROOT = Path(__file__).resolve().parent.parent
_START_TIMEOUT = 30.0
_STOP_TIMEOUT = 5.0
# The minimal server's credentials: it checks none of them, the clients send them anyway.
_MINIMAL_KEYS = ("pk_bench", "sk_bench", "site-bench")


class ServerInfo(TypedDict):
    """Where the server listens and how to call it: ``AsyncBento(**info["credentials"])``."""

    base_url: str
    credentials: Credentials
    email: str


def subscriber_payload() -> dict[str, Any]:
    """Return a realistic ``fetch/subscribers`` answer: a few fields and tags."""
    return {
        "data": {
            "id": "1234",
            "type": "visitors",
            "attributes": {
                "uuid": "0b6c1e5e-1c4f-4c36-9a53-6f1c1e2d3a4b",
                "email": SUBSCRIBER_EMAIL,
                "fields": {
                    "first_name": "Jesse",
                    "last_name": "Pinkman",
                    "plan": "pro",
                    "company": "Example Inc.",
                    "signup_source": "landing-page",
                },
                "cached_tag_ids": ["1", "2", "3", "5", "8"],
                "unsubscribed_at": None,
                "navigation_url": None,
            },
        }
    }


class ChildProcess:
    """Run ``python -m <module> <args>`` as a child that announces itself with one JSON line.

    The one lifecycle every benchmark server shares: spawn with pipes, read the handshake
    (or any answer) with a timeout, and stop by closing the child's stdin, escalating to
    SIGTERM and then SIGKILL if it lingers, and reaping it. Subclasses say what the child
    serves and what ``__enter__`` returns. The child writes one line per prompt (the
    handshake, then one answer per command sent), so no line waits unread in a buffer.
    """

    name = "server"

    def __init__(self, module: str, *args: str, env: dict[str, str] | None = None) -> None:
        self._argv = [sys.executable, "-m", module, *args]
        self._env = env  # None: the parent's environment
        self._proc: subprocess.Popen[str] | None = None

    def spawn(self) -> Any:
        """Start the child and return its handshake line, decoded from JSON.

        Raises RuntimeError when it is already running or does not announce itself in time.
        """
        if self._proc is not None:
            raise RuntimeError(f"the {self.name} is already running")
        self._proc = subprocess.Popen(
            self._argv,
            cwd=_ROOT,
            env=self._env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            return json.loads(self.readline())
        except BaseException:
            self.stop()
            raise

    def send(self, line: str) -> None:
        """Write one command line to the child's stdin."""
        proc = self._running()
        assert proc.stdin is not None
        proc.stdin.write(line + "\n")
        proc.stdin.flush()

    def readline(self, timeout: float = _START_TIMEOUT) -> str:
        """Return the child's next stdout line; raise RuntimeError if none comes in time."""
        proc = self._running()
        assert proc.stdout is not None
        with selectors.DefaultSelector() as selector:
            selector.register(proc.stdout, selectors.EVENT_READ)
            ready = selector.select(timeout)
        line = proc.stdout.readline() if ready else ""
        if not line:
            raise RuntimeError(f"the {self.name} did not answer")
        return line

    def stop(self) -> None:
        """Close the child's stdin (its signal to stop), wait, and escalate if it lingers."""
        proc, self._proc = self._proc, None
        if proc is None:
            return
        try:
            if proc.stdin is not None:
                with contextlib.suppress(OSError):
                    proc.stdin.close()
            try:
                proc.wait(_STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                proc.terminate()
                try:
                    proc.wait(_STOP_TIMEOUT)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
        finally:
            if proc.stdout is not None:
                proc.stdout.close()

    def _running(self) -> subprocess.Popen[str]:
        if self._proc is None:
            raise RuntimeError(f"the {self.name} is not running")
        return self._proc

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


class ServerProcess(ChildProcess):
    """Start a benchmark server in a child process; stop it (and reap it) on exit.

    Use it as ``with ServerProcess("minimal") as info:``. Raises RuntimeError when the
    child does not come up.
    """

    def __init__(self, kind: Kind, *, latency_ms: float = 0.0) -> None:
        if kind not in ("minimal", "emulator"):
            raise ValueError(f"kind must be 'minimal' or 'emulator', not {kind!r}")
        if latency_ms and kind != "minimal":
            raise ValueError("latency_ms is only available on the minimal server")
        super().__init__("benchmarks._server", kind, "--latency-ms", str(latency_ms))
        self.kind = kind
        self.latency_ms = latency_ms
        self.name = f"{kind} server"

    def start(self) -> ServerInfo:
        """Start the child and return what it printed when it began listening."""
        info: ServerInfo = self.spawn()
        return info

    def __enter__(self) -> ServerInfo:
        return self.start()


# -- the child --------------------------------------------------------------------------


def _minimal_app(latency: float) -> web.Application:
    body = json.dumps(subscriber_payload(), separators=(",", ":")).encode()

    async def fetch_subscriber(_: web.Request) -> web.Response:
        if latency > 0:
            await asyncio.sleep(latency)
        return web.Response(body=body, content_type="application/json")

    app = web.Application()
    app.router.add_get("/api/v1/fetch/subscribers", fetch_subscriber)
    return app


async def _serve_minimal(latency: float, stopped: asyncio.Event) -> None:
    runner = web.AppRunner(_minimal_app(latency), handle_signals=False, access_log=None)
    await runner.setup()
    try:
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        port = runner.addresses[0][1]
        pk, sk, site = _MINIMAL_KEYS
        _announce(
            {
                "publishable_key": pk,
                "secret_key": sk,
                "site_uuid": site,
                "base_url": f"http://127.0.0.1:{port}/api/v1",
            }
        )
        await stopped.wait()
    finally:
        await runner.cleanup()


def _emulator_without_limits() -> Any:
    from bento_emulator import BentoEmulator

    # Server-side limits are switched off with profile=None where the emulator has them.
    if "profile" in inspect.signature(BentoEmulator).parameters:
        return BentoEmulator(profile=None)  # type: ignore[call-arg,unused-ignore]
    return BentoEmulator()


async def _serve_emulator(stopped: asyncio.Event) -> None:
    emulator = _emulator_without_limits()
    state = emulator.state
    state.find_or_create_subscriber(SUBSCRIBER_EMAIL)
    state.set_fields(SUBSCRIBER_EMAIL, subscriber_payload()["data"]["attributes"]["fields"])
    state.add_tags(SUBSCRIBER_EMAIL, ["customer", "pro", "beta"])
    async with emulator:
        _announce(emulator.credentials)
        await stopped.wait()


def _announce(credentials: Credentials) -> None:
    info: ServerInfo = {
        "base_url": credentials["base_url"],
        "credentials": credentials,
        "email": SUBSCRIBER_EMAIL,
    }
    print(json.dumps(info), flush=True)


async def _child(kind: Kind, latency_ms: float) -> None:
    loop = asyncio.get_running_loop()
    stopped = asyncio.Event()
    with contextlib.suppress(NotImplementedError):  # Windows has no signal handlers on loops
        loop.add_signal_handler(signal.SIGTERM, stopped.set)
    # The parent closes our stdin to stop us (and so does its death).
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)

    async def watch_stdin() -> None:
        await reader.read()
        stopped.set()

    watcher = asyncio.ensure_future(watch_stdin())
    try:
        if kind == "minimal":
            await _serve_minimal(latency_ms / 1000, stopped)
        else:
            await _serve_emulator(stopped)
    finally:
        watcher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watcher


def main() -> None:
    """Serve until stdin closes: ``python -m benchmarks._server minimal|emulator``."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks._server")
    parser.add_argument("kind", choices=["minimal", "emulator"])
    parser.add_argument("--latency-ms", type=float, default=0.0)
    args = parser.parse_args()
    asyncio.run(_child(args.kind, args.latency_ms))


if __name__ == "__main__":
    main()
