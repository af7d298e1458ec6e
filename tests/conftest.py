"""Shared fixtures: the asyncio backend for anyio tests and an emulator with clients on it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from bento_async import AsyncBento, RateLimits
from bento_emulator import BentoEmulator
from bento_sync import Bento


@pytest.fixture
def anyio_backend() -> str:
    """Run async tests on asyncio, the loop aiohttp needs."""
    return "asyncio"


@pytest.fixture
async def emulator() -> AsyncIterator[BentoEmulator]:
    """An emulator serving on this test's event loop."""
    async with BentoEmulator() as emu:
        yield emu


@pytest.fixture
async def bento(emulator: BentoEmulator) -> AsyncIterator[AsyncBento]:
    """An AsyncBento talking to the emulator, with client-side limits off."""
    async with AsyncBento(**emulator.credentials, rate_limits=RateLimits.off()) as client:
        yield client


@pytest.fixture
def threaded_emulator() -> Iterator[BentoEmulator]:
    """An emulator serving from its own thread, for sync tests."""
    with BentoEmulator() as emu:
        yield emu


@pytest.fixture
def sync_bento(threaded_emulator: BentoEmulator) -> Iterator[Bento]:
    """A sync Bento talking to the threaded emulator, with client-side limits off."""
    with Bento(**threaded_emulator.credentials, rate_limits=RateLimits.off()) as client:
        yield client
