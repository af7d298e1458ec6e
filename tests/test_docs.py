"""Every Python example on the documentation site runs as written, against the emulator."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parent.parent / "docs"
BLOCKS = [
    (f"{page.relative_to(DOCS)}[{i}]", block)
    for page in sorted(DOCS.rglob("*.md"))
    for i, block in enumerate(re.findall(r"```python\n(.*?)```", page.read_text(), re.S))
]


def test_migration_page_has_an_example() -> None:
    """The migration page shows the helpers it introduces in running code."""
    assert any(name.startswith("migration.md") for name, _ in BLOCKS)


@pytest.mark.parametrize(("name", "code"), BLOCKS, ids=[name for name, _ in BLOCKS])
def test_docs_example_runs(name: str, code: str) -> None:
    """The example runs on its own (each starts its own emulator)."""
    exec(compile(code, name, "exec"), {"__name__": "__docs__"})
