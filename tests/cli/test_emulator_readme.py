"""The README's "Using the emulator from any language" examples run as written: the fixtures
file, the curl session and the Node snippet, against `bento emulator serve`."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import Serve, Served

README = Path(__file__).resolve().parents[2] / "README.md"
SECTION = (
    README.read_text().split("## Using the emulator from any language", 1)[1].split("\n## ")[0]
)
PRINTED_HOST = "http://127.0.0.1:8765"


def _block(language: str) -> str:
    (block,) = re.findall(rf"```{language}\n(.*?)```", SECTION, re.S)
    return block


def _env(served: Served) -> dict[str, str]:
    settings = served.settings
    return {
        **os.environ,
        "BENTO_BASE_URL": settings["base_url"],
        "BENTO_PUBLISHABLE_KEY": settings["publishable_key"],
        "BENTO_SECRET_KEY": settings["secret_key"],
        "BENTO_SITE_UUID": settings["site_uuid"],
    }


@pytest.fixture
def served_with_readme_fixtures(serve: Serve, tmp_path: Path) -> Iterator[Served]:
    """`serve` seeded with the README's fixtures file (which must load as it is)."""
    fixtures = tmp_path / "fixtures.json"
    fixtures.write_text(_block("json"))
    with serve("--author", "support@acme.test", "--fixtures", str(fixtures)) as served:
        yield served


def test_the_curl_session_runs(served_with_readme_fixtures: Served) -> None:
    """The curl lines get the answers the README shows, and leave what it says they do."""
    if shutil.which("curl") is None:
        pytest.skip("curl is not installed")
    served = served_with_readme_fixtures
    host = served.settings["control_url"].removesuffix("/_emulator")
    script = "set -eu\n" + _block("sh").replace(PRINTED_HOST, host)
    ran = subprocess.run(
        ["bash", "-c", script],
        env=_env(served),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.startswith('{"results": 1, "failed": 1}')
    assert '"refusals": [{"field": "date"' in ran.stdout
    assert '"loaded": {"tags": 1}' in ran.stdout
    state = served.control("GET", "/state")
    assert state["events"] == []  # the last line reset the site
    assert [s["email"] for s in state["subscribers"]] == ["ann@example.com"]  # fixtures back
    assert "vip" not in [t["name"] for t in state["tags"]]


def test_the_node_snippet_runs(served_with_readme_fixtures: Served, node_sdk: Path) -> None:
    """The Node example tracks an event with the official SDK and reads it back."""
    served = served_with_readme_fixtures
    (node_sdk / "readme.mjs").write_text(_block("js"))
    ran = subprocess.run(
        ["node", "readme.mjs"],
        cwd=node_sdk,
        env=_env(served),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.strip() == "[ '$signed_up' ]"
    assert [e["type"] for e in served.control("GET", "/state/events")] == ["$signed_up"]


def test_the_fixtures_example_covers_every_area() -> None:
    """The README's fixtures example shows every area a fixtures file takes."""
    from bento_emulator._fixtures import AREAS

    assert sorted(json.loads(_block("json"))) == sorted(AREAS)
