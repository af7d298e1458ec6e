"""Pure rules of ``subscribers.upsert(wait=)``: the wait, the poll gaps, "visible as asked"."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from datetime import timedelta
from typing import Any

from .._config import seconds
from .._errors import InputIssue
from ..models import Subscriber

__all__ = ["DEFAULT_WAIT", "poll_gaps", "shows", "tag_names", "wait_seconds"]

DEFAULT_WAIT = 300.0  # seconds: Bento says imports show up within 1 to 5 minutes
FIRST_GAP = 0.25
MAX_GAP = 15.0


def wait_seconds(wait: bool | float | timedelta, issues: list[InputIssue]) -> float | None:
    """Return how long to wait (None: not at all); ``True`` means DEFAULT_WAIT."""
    if wait is False:
        return None
    if wait is True:
        return DEFAULT_WAIT
    if isinstance(wait, (int, float, timedelta)):
        value = seconds(wait)
        if value > 0:
            return value
    issues.append(InputIssue("wait", "must be False, True or a positive number of seconds"))
    return None


def tag_names(tags: str | Collection[str]) -> list[str]:
    """Return tag names from a comma-separated string or a collection, blanks dropped."""
    names = tags.split(",") if isinstance(tags, str) else tags
    return [name.strip() for name in names if isinstance(name, str) and name.strip()]


def poll_gaps() -> Iterator[float]:
    """Yield the pauses between polls: doubling from FIRST_GAP up to MAX_GAP."""
    gap = FIRST_GAP
    while True:
        yield gap
        gap = min(gap * 2, MAX_GAP)


def _same(seen: object, wanted: object) -> bool:
    # Bento may hand a field back as a string ("42" for 42); either form counts.
    return seen == wanted or (seen is not None and str(seen) == str(wanted))


def shows(
    subscriber: Subscriber,
    tag_names: Collection[str],
    fields: Mapping[str, Any],
    tags: Collection[str],
    remove_tags: Collection[str],
) -> bool:
    """Whether the subscriber has these field values, these tags, and none of remove_tags.

    Tag names compare case-insensitively.
    """
    if not all(_same(subscriber.fields.get(key), value) for key, value in fields.items()):
        return False
    have = {name.casefold() for name in tag_names}
    return all(t.casefold() in have for t in tags) and not any(
        t.casefold() in have for t in remove_tags
    )
