"""Helpers for the command-line tests: run `bento` against an emulator, in process."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from click.testing import CliRunner, Result

from bento_cli._commands import cli
from bento_emulator import BentoEmulator

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
