"""Every Python example in the README runs as written, against the emulator."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bento_emulator import BentoEmulator

README = Path(__file__).resolve().parent.parent / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(), re.S)


def test_readme_has_examples() -> None:
    """The README shows an async and a sync example at least."""
    assert len(BLOCKS) >= 3
    assert any("AsyncBento" in b for b in BLOCKS)
    assert any("bento_sync" in b for b in BLOCKS)


@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_readme_example_runs(
    index: int, threaded_emulator: BentoEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The example runs with credentials from the environment pointing at an emulator."""
    creds = threaded_emulator.credentials
    monkeypatch.setenv("BENTO_PUBLISHABLE_KEY", creds["publishable_key"])
    monkeypatch.setenv("BENTO_SECRET_KEY", creds["secret_key"])
    monkeypatch.setenv("BENTO_SITE_UUID", creds["site_uuid"])
    monkeypatch.setenv("BENTO_BASE_URL", creds["base_url"])
    exec(compile(BLOCKS[index], f"README.md[{index}]", "exec"), {"__name__": "__readme__"})
