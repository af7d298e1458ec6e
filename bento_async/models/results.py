"""Results of commands and batch calls."""

from __future__ import annotations

import attrs

from .subscribers import Subscriber

__all__ = ["BatchResult", "CommandResult"]


@attrs.frozen
class BatchResult:
    """What a batch call reports: how many items were accepted and how many failed."""

    results: int
    failed: int = 0

    @property
    def ok(self) -> bool:
        """Whether no item failed."""
        return self.failed == 0


@attrs.frozen
class CommandResult:
    """What ``fetch/commands`` reports.

    Today's API answers ``{"results": N, "failed": M}``; the older API answered
    with the affected subscriber, kept in ``subscriber`` (``results`` is then 1).
    """

    results: int
    failed: int = 0
    subscriber: Subscriber | None = None

    @property
    def ok(self) -> bool:
        """Whether no command failed."""
        return self.failed == 0
