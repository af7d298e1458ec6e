"""A real redis-server for the shared-quota tests: one per test session, on a free port with
a temporary directory, stopped at the end. The tests skip, saying why, only when no
redis-server binary is installed (``bash dev.sh test`` installs it when it can)."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator

import pytest

from benchmarks._redis_server import RedisServer, find_redis_server
from bento_async import RedisStore


def _binary() -> str:
    binary = find_redis_server()
    if binary is None:
        pytest.skip(
            "redis-server is not installed (Debian: apt-get install redis-server; "
            "bash dev.sh test installs it when run as root)"
        )
    return binary


@contextlib.contextmanager
def _running() -> Iterator[RedisServer]:
    server = RedisServer(_binary())
    server.start()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    """The session's redis-server."""
    with _running() as server:
        yield server


@pytest.fixture
def own_redis() -> Iterator[RedisServer]:
    """A redis-server of this test alone, which it may stop and start again."""
    with _running() as server:
        yield server


@pytest.fixture
def store(redis_server: RedisServer) -> RedisStore:
    """A store on the session's server under a prefix of this test alone."""
    return RedisStore(redis_server.url, prefix=f"test-{uuid.uuid4().hex[:8]}")
