"""Imports that Bento has queued but not yet applied (``BentoEmulator(import_delay=...)``).

Bento answers ``batch/subscribers`` at once and applies the import minutes later. With an
import delay the emulator does the same: each accepted import waits here until it is due,
and is applied when ``fetch/subscribers`` next looks (or at any later import).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Generic, TypeVar

__all__ = ["PendingImports"]

T = TypeVar("T")


class PendingImports(Generic[T]):
    """Items waiting until their time, oldest first. Thread-safe."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._items: list[tuple[float, T]] = []

    def add(self, delay: float, item: T) -> None:
        """Hold ``item`` for ``delay`` seconds."""
        with self._lock:
            self._items.append((self._clock() + delay, item))

    def take_due(self) -> list[T]:
        """Remove and return the items whose time has come, in the order they were added."""
        now = self._clock()
        with self._lock:
            due = [item for at, item in self._items if at <= now]
            self._items = [(at, item) for at, item in self._items if at > now]
        return due

    def clear(self) -> None:
        """Forget every waiting item."""
        with self._lock:
            self._items.clear()
