"""Enums for the API's closed vocabularies that still accept values the API adds later."""

from __future__ import annotations

import enum
import threading
from collections.abc import Mapping
from typing import Any

__all__ = ["OpenEnum"]

_unknown: dict[tuple[type, str], Any] = {}
_unknown_lock = threading.Lock()


class OpenEnum(str, enum.Enum):
    """A string enum that turns an unknown value into a pseudo-member instead of failing.

    Responses are parsed leniently: a status Bento adds tomorrow becomes a member whose
    ``known`` is False and whose ``value`` is the raw string. Aliases (``cancelled`` for
    ``canceled``) map to their member. Checks of caller input use :meth:`is_known`.
    """

    @classmethod
    def aliases(cls) -> Mapping[str, str]:
        """Return the alternative spellings of members' values."""
        return {}

    @classmethod
    def _missing_(cls, value: object) -> Any:
        if not isinstance(value, str):
            return None
        alias = cls.aliases().get(value)
        if alias is not None:
            return cls(alias)
        with _unknown_lock:
            member = _unknown.get((cls, value))
            if member is None:
                member = str.__new__(cls, value)
                member._name_ = value.upper()
                member._value_ = value
                _unknown[(cls, value)] = member
            return member

    @classmethod
    def is_known(cls, value: object) -> bool:
        """Whether ``value`` is one of the declared values (or an alias of one)."""
        return isinstance(value, str) and (
            value in cls._value2member_map_ or value in cls.aliases()
        )

    @classmethod
    def choices(cls) -> str:
        """Return the declared values, for messages: ``'a', 'b' or 'c'``."""
        values = [repr(member.value) for member in cls]
        return ", ".join(values[:-1]) + " or " + values[-1] if len(values) > 1 else values[0]

    @property
    def known(self) -> bool:
        """Whether this member is declared (False for a value the API added later)."""
        return type(self).__members__.get(self._name_) is self

    def __str__(self) -> str:
        return str(self.value)
