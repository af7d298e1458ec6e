"""Custom field definitions of an emulated site, created the first time a value is written."""

from __future__ import annotations

import re
from datetime import datetime

import attrs

from ._core import StateCore

_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_SEPARATORS = re.compile(r"[\s_\-]+")


def field_name_for(key: str) -> str:
    """Derive a field's display name from its key: `thisIsAKey` gives `This Is A Key`.

    Words are split at camelCase boundaries, spaces, hyphens and underscores.
    """
    words = _SEPARATORS.split(_CAMEL_BOUNDARY.sub(" ", key))
    return " ".join(word[:1].upper() + word[1:] for word in words if word)


@attrs.frozen
class FieldDefinition:
    """A custom field known to the site, created the first time a value is written."""

    id: str
    key: str
    name: str
    created_at: datetime
    whitelisted: bool | None = None


class FieldState(StateCore):
    """The site's field definitions, by key (a mixin of EmulatorState)."""

    _fields: dict[str, FieldDefinition]

    def _reset(self) -> None:
        super()._reset()
        self._fields = {}

    @property
    def fields(self) -> list[FieldDefinition]:
        """Return every field definition, in creation order."""
        with self._lock:
            return list(self._fields.values())

    def field_by_key(self, key: str) -> FieldDefinition | None:
        """Return the field definition with this (case-sensitive) key, or None."""
        with self._lock:
            return self._fields.get(key)

    def find_or_create_field(self, key: str) -> tuple[FieldDefinition, bool]:
        """Return the definition for this key, creating it; the flag tells if it was created."""
        with self._lock:
            found = self._fields.get(key)
            if found is not None:
                return found, False
            field = FieldDefinition(
                self._next_id("field"), key, field_name_for(key), created_at=self.clock()
            )
            self._fields[key] = field
            return field, True
