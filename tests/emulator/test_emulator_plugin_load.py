"""The pytest plugin is cheap to load: nothing of the emulator until a fixture is used."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

import bento_emulator

PROBE = """
import json, sys
import pytest
before = set(sys.modules)
import bento_emulator.pytest_plugin
print(json.dumps(sorted(set(sys.modules) - before)))
"""

ONE_PROJECT = '''
import sys

def test_plugin_loaded_nothing_heavy(request):
    """Before any fixture runs, neither the emulator nor aiohttp's server is imported."""
    assert request.config.pluginmanager.has_plugin("bento_emulator.pytest_plugin")
    loaded = [m for m in sys.modules if m.startswith(("aiohttp", "bento_emulator._"))]
    assert loaded == []

def test_fixture_loads_the_emulator(bento_credentials):
    """Asking for a fixture imports and serves the emulator."""
    assert bento_credentials["base_url"].startswith("http://127.0.0.1:")
    assert "aiohttp.web" in sys.modules
'''


def _run(args: list[str], cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, timeout=120, cwd=cwd
    )


def test_loading_the_plugin_imports_only_the_plugin() -> None:
    """Importing the plugin after pytest adds the package and the plugin module, nothing else."""
    probe = _run(["-c", PROBE])
    assert probe.returncode == 0, probe.stderr
    assert json.loads(probe.stdout) == ["bento_emulator", "bento_emulator.pytest_plugin"]


def test_plugin_load_time_is_its_own_modules_only() -> None:
    """`-X importtime` shows the plugin's import costing only its own two modules."""
    timed = _run(["-X", "importtime", "-c", "import pytest; import bento_emulator.pytest_plugin"])
    assert timed.returncode == 0, timed.stderr
    lines = timed.stderr.splitlines()
    start = next(i for i, line in enumerate(lines) if line.rstrip().endswith("| pytest"))
    after_pytest = [line.rsplit("|", 1)[1].strip() for line in lines[start + 1 :]]
    plugin_us = int(lines[-1].split("|")[1])
    assert after_pytest == ["bento_emulator", "bento_emulator.pytest_plugin"], (
        f"plugin import took {plugin_us} us and imported {after_pytest}"
    )


def test_one_test_project_loads_the_emulator_only_when_asked(tmp_path: Path) -> None:
    """In a pytest run the plugin is active, idle until a test asks for its fixture."""
    (tmp_path / "test_one.py").write_text(ONE_PROJECT)
    args = ["-m", "pytest", "-q", "-p", "no:cacheprovider", "-W", "error"]
    run = _run([*args, "-p", "no:bento", "-p", "bento_emulator.pytest_plugin"], tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "2 passed" in run.stdout


def test_every_public_name_resolves() -> None:
    """Each name in __all__ has a home module and imports from the package."""
    homes = bento_emulator._HOMES
    assert sorted(homes) == bento_emulator.__all__
    for name, home in homes.items():
        module = importlib.import_module(f"bento_emulator.{home}")
        assert getattr(bento_emulator, name) is getattr(module, name)
    assert set(bento_emulator.__all__) <= set(dir(bento_emulator))
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        bento_emulator.Nope  # noqa: B018
