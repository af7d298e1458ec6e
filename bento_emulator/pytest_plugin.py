"""pytest fixtures backed by the Bento emulator.

Installed with the package and loaded through the `pytest11` entry point `bento`, so any
test can ask for:

- `bento_emulator`: a fresh `BentoEmulator` for one test, served from a background thread
  with its own event loop. It works in sync tests and in async tests on any loop or backend,
  and is stopped (thread joined, sockets closed) when the test ends.
- `bento_credentials`: that emulator's `credentials` dict (publishable_key, secret_key,
  site_uuid, base_url), ready for `AsyncBento(**bento_credentials)`.

Example::

    def test_signup_tags_the_customer(bento_emulator, bento_credentials):
        with Bento(**bento_credentials) as bento:
            signup(bento, "jesse@example.com")
        assert bento_emulator.state.tag_names_of("jesse@example.com") == ["customer"]

pytest loads this module in every run where the package is installed, so it imports
nothing of the emulator (nor aiohttp) until a test asks for one of its fixtures. To run
without the plugin, pass `-p no:bento` to pytest.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from ._emulator import BentoEmulator, Credentials


@pytest.fixture
def bento_emulator() -> Iterator[BentoEmulator]:
    """Serve a fresh Bento emulator from a background thread for the test's duration."""
    from ._emulator import BentoEmulator  # here, not at import: keeps plugin loading cheap

    with BentoEmulator() as emulator:
        yield emulator


@pytest.fixture
def bento_credentials(bento_emulator: BentoEmulator) -> Credentials:
    """Return the credentials that reach the test's Bento emulator."""
    return bento_emulator.credentials
