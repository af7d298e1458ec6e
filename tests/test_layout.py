"""Each API area has one name, and under it a module in every package and a test file."""

from __future__ import annotations

from pathlib import Path

from bento_async._client import AREAS

ROOT = Path(__file__).resolve().parent.parent
# Areas that keep no data of their own: commands change subscribers, search reads them.
STATELESS = {"commands", "search"}
PLACES = (
    "bento_async/resources/{area}.py",  # the methods
    "bento_async/models/{area}.py",  # the models
    "bento_sync/resources/{area}.py",  # the generated sync twin
    "bento_emulator/_handlers/{area}.py",  # the emulator's answers
    "bento_emulator/_state/{area}.py",  # the emulator's data
    "tests/api/test_{area}.py",  # the client against the emulator
    "tests/emulator/test_emulator_{area}.py",  # the emulator itself
)


def test_every_area_is_found_by_its_name() -> None:
    """For every area of AsyncBento, each place named after it exists, so a newcomer finds
    the resource, model, sync twin, emulator handler and state, and tests by its name."""
    missing = [
        place.format(area=area)
        for area, _ in AREAS
        for place in PLACES
        if not (ROOT / place.format(area=area)).is_file()
        and not (area in STATELESS and "_state/" in place)
    ]
    assert missing == []
    assert len(AREAS) >= 15
