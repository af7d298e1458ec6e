"""Every bulk method of the SDK, called the same way through either facade (for the tests
of the rule that a fatal error ends a run)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Make = Callable[[int], dict[str, Any]]

# name: (area, method, record number i -> record, largest chunk)
WRITES: dict[str, tuple[str, str, Make]] = {
    "import_many": ("subscribers", "import_many", lambda i: {"email": f"u{i}@example.com"}),
    "track_many": (
        "events",
        "track_many",
        lambda i: {"email": f"u{i}@example.com", "type": "$seen"},
    ),
    "commands.run": (
        "commands",
        "run",
        lambda i: {"command": "add_tag", "email": f"u{i}@example.com", "query": "vip"},
    ),
    "send_many": (
        "emails",
        "send_many",
        lambda i: {
            "to": f"u{i}@example.com",
            "from": "jesse@example.com",
            "subject": "Hi",
            "html_body": "<p>Hi</p>",
        },
    ),
}

LOOKUPS = ("get_many", "stream_many")


def write_method(client: Any, name: str) -> tuple[Callable[..., Any], Make]:
    """Return the bound bulk write ``name`` of ``client`` and its record maker."""
    area, method, make = WRITES[name]
    return getattr(getattr(client, area), method), make


def lookup_method(client: Any, name: str) -> Callable[..., Any]:
    """Return ``subscribers.get_many`` or ``subscribers.stream_many`` of ``client``."""
    return getattr(client.subscribers, name)  # type: ignore[no-any-return]
