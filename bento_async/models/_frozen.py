"""The read-only dict a model shares for a mapping it holds many times over.

A fan-out keeps thousands of models, and most of their ``fields`` and ``extra``
mappings are either empty or hold only the item's JSON:API ``type``. A fresh dict
for each costs 64-184 bytes per model; one shared, read-only dict costs nothing
per model. It is a ``dict`` subclass so that whatever takes a model's dicts today
(``json.dumps``, orjson, ``attrs.asdict``, ``copy``, ``pickle``) takes it too.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NoReturn

__all__ = ["EMPTY", "ReadOnlyDict", "type_only"]


class ReadOnlyDict(dict[str, Any]):
    """A dict that refuses every change; ``dict(d)`` gives a copy you may change."""

    __slots__ = ()

    def _refuse(self) -> NoReturn:
        raise TypeError(
            "this mapping belongs to a frozen model and is shared; copy it with dict(...)"
        )

    def __setitem__(self, key: str, value: Any) -> NoReturn:
        self._refuse()

    def __delitem__(self, key: str) -> NoReturn:
        self._refuse()

    def __ior__(self, other: Any) -> NoReturn:  # type: ignore[misc]
        self._refuse()

    def clear(self) -> NoReturn:
        self._refuse()

    def pop(self, key: str, *default: Any) -> NoReturn:
        self._refuse()

    def popitem(self) -> NoReturn:
        self._refuse()

    def setdefault(self, key: str, default: Any = None) -> NoReturn:
        self._refuse()

    def update(self, *args: Any, **kwargs: Any) -> NoReturn:
        self._refuse()

    def copy(self) -> dict[str, Any]:
        """Return a plain dict with the same items."""
        return dict(self)

    def __reduce__(self) -> tuple[type[dict[str, Any]], tuple[dict[str, Any]]]:
        # A copy or an unpickled model gets a plain dict: a pickle names no private class,
        # and pickle would otherwise refill the new object item by item (refused here).
        return dict, (dict(self),)

    @classmethod
    def fromkeys(cls, iterable: Iterable[str], value: Any = None) -> ReadOnlyDict:  # type: ignore[override]
        """Return a read-only dict of ``iterable``'s keys, each mapped to ``value``."""
        return cls(dict.fromkeys(iterable, value))


EMPTY = ReadOnlyDict()
"""The empty mapping every model shares."""

_TYPE_ONLY: dict[str, ReadOnlyDict] = {}
# An API sends a handful of item types; a bound keeps a hostile server from growing it.
_TYPE_ONLY_LIMIT = 256


def type_only(kind: Any) -> dict[str, Any]:
    """Return ``{"type": kind}``: one shared read-only dict per type string."""
    if type(kind) is not str:
        return {"type": kind}
    shared = _TYPE_ONLY.get(kind)
    if shared is None:
        if len(_TYPE_ONLY) >= _TYPE_ONLY_LIMIT:
            return {"type": kind}
        shared = _TYPE_ONLY.setdefault(kind, ReadOnlyDict(type=kind))
    return shared
