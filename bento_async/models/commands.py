"""Commands for ``fetch/commands``: small changes to one subscriber."""

from __future__ import annotations

import enum
from typing import Any

import attrs

__all__ = ["Command", "CommandName"]


class CommandName(str, enum.Enum):
    """The commands ``fetch/commands`` understands."""

    ADD_TAG = "add_tag"
    ADD_TAG_VIA_EVENT = "add_tag_via_event"
    REMOVE_TAG = "remove_tag"
    ADD_FIELD = "add_field"
    REMOVE_FIELD = "remove_field"
    SUBSCRIBE = "subscribe"
    UNSUBSCRIBE = "unsubscribe"
    CHANGE_EMAIL = "change_email"

    @property
    def fires_automations(self) -> bool:
        """Whether Bento runs automations for it (only ``add_tag_via_event`` does)."""
        return self is CommandName.ADD_TAG_VIA_EVENT

    @property
    def idempotent(self) -> bool:
        """Whether sending it twice has the same effect as once."""
        return self not in (CommandName.ADD_TAG_VIA_EVENT, CommandName.CHANGE_EMAIL)


@attrs.frozen
class Command:
    """One command. Build it with the class methods, e.g. ``Command.add_tag(email, "vip")``."""

    command: CommandName = attrs.field(converter=CommandName)
    email: str
    query: Any = None

    @classmethod
    def add_tag(cls, email: str, tag: str) -> Command:
        """Add a tag without firing automations (creates the tag and subscriber if missing)."""
        return cls(CommandName.ADD_TAG, email, tag)

    @classmethod
    def add_tag_via_event(cls, email: str, tag: str) -> Command:
        """Add a tag through an event, firing the automations it triggers."""
        return cls(CommandName.ADD_TAG_VIA_EVENT, email, tag)

    @classmethod
    def remove_tag(cls, email: str, tag: str) -> Command:
        """Remove a tag."""
        return cls(CommandName.REMOVE_TAG, email, tag)

    @classmethod
    def add_field(cls, email: str, key: str, value: Any) -> Command:
        """Set a custom field (creates the field definition if missing)."""
        return cls(CommandName.ADD_FIELD, email, {"key": key, "value": value})

    @classmethod
    def remove_field(cls, email: str, key: str) -> Command:
        """Remove a custom field from the subscriber."""
        return cls(CommandName.REMOVE_FIELD, email, key)

    @classmethod
    def subscribe(cls, email: str) -> Command:
        """Subscribe (or re-subscribe) the address, creating the subscriber if missing."""
        return cls(CommandName.SUBSCRIBE, email)

    @classmethod
    def unsubscribe(cls, email: str) -> Command:
        """Unsubscribe the address, creating the subscriber if missing."""
        return cls(CommandName.UNSUBSCRIBE, email)

    @classmethod
    def change_email(cls, old_email: str, new_email: str) -> Command:
        """Change a subscriber's address from ``old_email`` to ``new_email``."""
        return cls(CommandName.CHANGE_EMAIL, old_email, new_email)

    def to_wire(self) -> dict[str, Any]:
        """Return the JSON object sent to the API."""
        wire: dict[str, Any] = {"command": self.command.value, "email": self.email}
        if self.query is not None:
            wire["query"] = self.query
        return wire
