"""Helpers for the command-line tests: run `bento` against an emulator, in process."""

from __future__ import annotations

import contextlib
import json
import shutil
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import attrs
import pytest
from click.testing import CliRunner, Result

from bento_cli._commands import cli
from bento_emulator import BentoEmulator

BENTO = Path(sys.executable).with_name("bento")
CREDENTIAL_VARS = ("BENTO_PUBLISHABLE_KEY", "BENTO_SECRET_KEY", "BENTO_SITE_UUID", "BENTO_BASE_URL")


@pytest.fixture
def no_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    """No BENTO_* variable is set."""
    for var in CREDENTIAL_VARS:
        monkeypatch.delenv(var, raising=False)


@pytest.fixture
def bento_env(threaded_emulator: BentoEmulator, monkeypatch: pytest.MonkeyPatch) -> BentoEmulator:
    """BENTO_* variables pointing at a threaded emulator, which the test can inspect."""
    creds = threaded_emulator.credentials
    monkeypatch.setenv("BENTO_PUBLISHABLE_KEY", creds["publishable_key"])
    monkeypatch.setenv("BENTO_SECRET_KEY", creds["secret_key"])
    monkeypatch.setenv("BENTO_SITE_UUID", creds["site_uuid"])
    monkeypatch.setenv("BENTO_BASE_URL", creds["base_url"])
    return threaded_emulator


Run = Callable[..., Result]
NoKeys = Callable[[Result, BentoEmulator], None]


def _run(*args: str, input: str | bytes | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)


def _no_keys(result: Result, emulator: BentoEmulator) -> None:
    for secret in (emulator.publishable_key, emulator.secret_key):
        assert secret not in result.stdout
        assert secret not in result.stderr


@pytest.fixture
def bento() -> Run:
    """Run `bento ARGS...` in process; stdout and stderr stay apart in the result."""
    return _run


@pytest.fixture
def assert_no_keys() -> NoKeys:
    """Check that neither key of an emulator appears in what a command printed."""
    return _no_keys


@attrs.frozen
class Served:
    """A `bento emulator serve` process: what it printed (`--json`), and a control API caller."""

    process: subprocess.Popen[str]
    settings: dict[str, Any]
    stderr: list[str] = attrs.field(factory=list)  # what it wrote there, once stopped

    def control(self, method: str, path: str = "", body: Any = None) -> Any:
        """Call the control API (`/_emulator{path}`) and return the parsed JSON answer."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            self.settings["control_url"] + path, data=data, method=method
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return json.load(response)
        except urllib.error.HTTPError as problem:
            with problem:
                return {"status": problem.code, **json.load(problem)}


Serve = Callable[..., AbstractContextManager[Served]]


@contextlib.contextmanager
def _serve(*args: str) -> Iterator[Served]:
    process = subprocess.Popen(
        [str(BENTO), "emulator", "serve", "--port", "0", "--json", "--profile", "none", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line, process.stderr.read() if process.stderr else "serve printed nothing"
        served = Served(process, json.loads(line))
        yield served
    finally:
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=30)
    served.stderr.append(err)


@pytest.fixture
def serve() -> Serve:
    """Start `bento emulator serve --json --profile none ARGS...` for a `with` block."""
    return _serve


NODE_SDK = "@bentonow/bento-node-sdk@2.0.0"
NODE_SCRIPT = Path(__file__).with_name("node") / "bento_node_sdk.mjs"


@pytest.fixture(scope="session")
def node_sdk(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory holding the pinned Node SDK and the test script, installed once."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.skip("node and npm are needed to run the official Node SDK")
    home = tmp_path_factory.mktemp("node-sdk")
    (home / "package.json").write_text('{"private": true, "type": "module"}\n')
    installed = subprocess.run(
        [npm, "install", "--no-audit", "--no-fund", "--loglevel=error", NODE_SDK],
        cwd=home,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert installed.returncode == 0, installed.stderr
    shutil.copy(NODE_SCRIPT, home / NODE_SCRIPT.name)
    return home
