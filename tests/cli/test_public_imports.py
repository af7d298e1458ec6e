"""The command line is built on public names only, so internal changes cannot break it."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import bento_cli

PACKAGES = ("bento_async", "bento_sync", "bento_emulator")


def _imports() -> list[tuple[str, str, str]]:
    """Every (file, module, name) that bento_cli imports from the SDK's packages."""
    found = []
    for path in sorted(Path(bento_cli.__file__).parent.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                if node.module.split(".")[0] in PACKAGES:
                    found += [(path.name, node.module, alias.name) for alias in node.names]
            elif isinstance(node, ast.Import):
                found += [
                    (path.name, alias.name, "")
                    for alias in node.names
                    if alias.name.split(".")[0] in PACKAGES
                ]
    return found


def test_cli_imports_only_public_names() -> None:
    """Each SDK name bento_cli imports is in a package's __all__, never a private module."""
    imports = _imports()
    assert any(module == "bento_async" for _, module, _ in imports)
    for file, module, name in imports:
        assert module in PACKAGES, f"{file} imports from {module}, not a public package"
        if name:
            public = importlib.import_module(module).__all__
            assert name in public, f"{file} imports {name}, which {module} does not export"
