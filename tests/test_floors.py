"""The lowest-versions job pins every direct dependency pyproject.toml declares to its floor."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

# The job runs on the default Python; the script reads pyproject.toml with 3.11's tomllib.
tomllib = pytest.importorskip("tomllib", reason="the lowest-versions job needs Python 3.11+")

ROOT = Path(__file__).resolve().parent.parent
FLOORS = ROOT / ".ci" / "floors.py"
_spec = importlib.util.spec_from_file_location("floors", FLOORS)
assert _spec is not None
assert _spec.loader is not None
floors = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(floors)


def _floors(*args: str) -> list[str]:
    run = subprocess.run(
        [sys.executable, str(FLOORS), *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=True,
    )
    return run.stdout.split()


def test_every_runtime_and_extra_dependency_is_pinned_to_its_floor() -> None:
    """Runtime deps and every non-dev extra appear once each, as name==floor."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = _floors("--extras")[0].split(",")
    assert "cli" in extras
    assert not {"dev", "docs"} & set(extras)
    declared = [*project["dependencies"]]
    for extra in extras:
        declared += project["optional-dependencies"][extra]
    pins = dict(line.split("==") for line in _floors())
    for requirement in declared:
        name, floor = requirement.split(";")[0].split(",")[0].split(">=")
        assert pins[name.split("[")[0].strip()] == floor.strip()
    assert len(pins) == len(declared)


@pytest.mark.parametrize(
    ("requirement", "pin"),
    [
        ("aiohttp>=3.11", "aiohttp==3.11"),
        ("redis[hiredis]>=5.0,<7", "redis==5.0"),
        ("limits~=3.13", "limits==3.13"),
        ('orjson>=3.10; python_version >= "3.11"', 'orjson==3.10 ; python_version >= "3.11"'),
    ],
)
def test_floor_of_a_requirement(requirement: str, pin: str) -> None:
    """Extras are dropped, upper bounds ignored, markers kept."""
    assert floors.floor_of(requirement) == pin


def test_a_requirement_without_a_floor_stops_the_job() -> None:
    """No floor, no lowest version to test: the script says which dependency."""
    with pytest.raises(SystemExit, match="orjson: declare"):
        floors.floor_of("orjson")
