"""`bento demo` runs the seed walkthrough on the embedded emulator."""

from __future__ import annotations

import subprocess
import sys

import pytest
from click.testing import CliRunner

from bento_cli._commands import cli


def test_demo_on_embedded_emulator() -> None:
    """Each step of the walkthrough prints its result and the emulator's view at the end."""
    result = CliRunner().invoke(cli, ["demo"])
    assert result.exit_code == 0, result.output
    out = result.output
    for step in (
        "1. Find or create",
        "2. Tag it",
        "3. Give it a name",
        "4. Look it up",
        "5. Import two subscribers",
        "6. Track events",
    ):
        assert step in out
    assert "tags by name: customer" in out
    assert "revenue of jesse@example.com (cents): {'USD': 8000}" in out
    assert "accepted: 5" in out


def test_demo_live_without_credentials_names_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    """--live with no credentials exits 2 and says which variables to set."""
    for var in ("BENTO_PUBLISHABLE_KEY", "BENTO_SECRET_KEY", "BENTO_SITE_UUID"):
        monkeypatch.delenv(var, raising=False)
    result = CliRunner().invoke(cli, ["demo", "--live"])
    assert result.exit_code == 2
    assert "BENTO_SECRET_KEY" in result.output


def test_console_script_entry_point() -> None:
    """The installed `bento` entry point runs as a module too."""
    proc = subprocess.run(
        [sys.executable, "-c", "from bento_cli import main; main(['--version'])"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0
    assert "bento" in proc.stdout
