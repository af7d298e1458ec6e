"""Print pip constraints pinning every direct dependency to its declared floor.

Reads pyproject.toml: the runtime dependencies and every extra except the
development ones (``dev``, ``docs``), so a dependency added later is covered
without touching this file. ``name>=X`` (or ``~=X``, ``==X``) becomes
``name==X``, markers kept; a dependency without a floor is an error, since its
lowest version is unknown. Usage: ``python .ci/floors.py`` prints the constraints;
``python .ci/floors.py --extras`` prints the extras covered, comma-separated.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import tomllib

DEV_EXTRAS = frozenset({"dev", "docs"})
REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*([^;]*?)\s*(;.*)?$")


def floor_of(requirement: str) -> str:
    """Return the constraint line pinning one requirement to its floor."""
    match = REQUIREMENT.match(requirement)
    if match is None:
        raise SystemExit(f"cannot read the requirement {requirement!r}")
    name, _extras, spec, marker = match.groups()
    parts = [part.strip() for part in spec.split(",")]
    floors = [part[2:].strip() for part in parts if part[:2] in (">=", "~=", "==")]
    if len(floors) != 1:
        raise SystemExit(f"{name}: declare exactly one '>=' floor (found {spec!r})")
    return f"{name}=={floors[0]}{' ' + marker if marker else ''}"


def main(args: list[str]) -> None:
    project = tomllib.loads(Path("pyproject.toml").read_text())["project"]
    extras = project.get("optional-dependencies", {})
    covered = sorted(set(extras) - DEV_EXTRAS)
    if args == ["--extras"]:
        print(",".join(covered))
        return
    requirements = [*project["dependencies"]]
    for extra in covered:
        requirements += [r for r in extras[extra] if not r.startswith(project["name"])]
    print("\n".join(sorted({floor_of(r) for r in requirements})))


if __name__ == "__main__":
    main(sys.argv[1:])
