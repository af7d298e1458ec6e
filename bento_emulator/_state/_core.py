"""What every area of an emulated site's state shares: the lock, the clock, the id sequences.

Each API area has a module here (`subscribers`, `tags`, `events`, ...) holding its frozen
entities and a mixin of `EmulatorState` with its queries and mutators. Mixins build on
`StateCore`; one that needs another area inherits from that area's mixin. Every mutator
takes the one lock, so a test thread can read snapshots while the server thread writes.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from typing import Any, Literal

import attrs

JSONValue = Any  # what json.loads returns


def utcnow() -> datetime:
    """Return the current time, timezone-aware in UTC."""
    return datetime.now(timezone.utc)


@attrs.frozen
class EmulatorSettings:
    """The site's identity and the emulator's behaviour switches."""

    site_uuid: str
    publishable_key: str
    secret_key: str
    commands_response: Literal["results", "visitor"] = "results"
    enterprise: bool = False
    authors: frozenset[str] = frozenset({"jesse@example.com"})
    author_error_status: Literal[500, 422] = 500
    user_agent_policy: Literal["allow", "warn", "strict"] = "warn"
    import_delay: float = 0.0  # seconds before an import shows in fetch/subscribers


class StateCore:
    """The base of every area mixin: the lock, the clock, id sequences and the reset chain.

    An area's storage is created in its `_reset`, which calls `super()._reset()` first;
    `EmulatorState` provides `_lock`, `clock` and `site_id`.
    """

    _lock: threading.RLock
    clock: Callable[[], datetime]
    site_id: int
    _ids: dict[str, Iterator[int]]

    def _reset(self) -> None:
        """Empty this area's storage (called with the lock held)."""
        self._ids = {}

    def _next_id(self, kind: str) -> str:
        return str(next(self._ids.setdefault(kind, itertools.count(1))))
