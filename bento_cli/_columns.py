"""How the columns of an import CSV map onto records, and back for the failed-rows file.

Subscribers: ``email``, ``tags`` and ``remove_tags`` keep their meaning; every other column
(``first_name``, ``last_name`` included) is a field of that name.

Events: ``email``, ``type`` and ``date`` are the event's own; ``fields.NAME`` columns go into
``fields``; every other column goes into ``details``, dots nesting (``value.amount``), an
optional ``details.`` prefix dropped.

A header may end in a type, ``:int``, ``:float``, ``:bool`` or ``:json`` (e.g.
``value.amount:int``); without one a cell is text. Empty cells are left out.

Headers as exports write them are understood: the own columns match whatever their case,
spacing or separators (``Email``, ``EMAIL``, Mailchimp's ``Email Address``, ``First Name``,
``E-mail``...). A mapping (``--map "Email Address=email,Phone=fields.phone"``) names what a
header becomes, a type allowed (``Age=age:int``); ``-`` drops the column.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import attrs

__all__ = [
    "Column",
    "HeaderError",
    "Kind",
    "build_record",
    "parse_header",
    "own_name",
    "parse_mapping",
    "render_cells",
]

Kind = Literal["subscribers", "events"]

_TYPES = ("str", "int", "float", "bool", "json")
_TRUE = {"true", "yes", "y", "1"}
_FALSE = {"false", "no", "n", "0"}
_EVENT_OWN = ("email", "type", "date")
DROP = "-"

# Header spellings of the own columns, compared lower-case with spaces, "_" and "-" removed.
_ALIASES = {
    "email": "email",
    "emailaddress": "email",
    "firstname": "first_name",
    "lastname": "last_name",
    "tags": "tags",
    "removetags": "remove_tags",
    "type": "type",
    "eventtype": "type",
    "date": "date",
}
_KIND_OWN = {
    "subscribers": ("email", "first_name", "last_name", "tags", "remove_tags"),
    "events": _EVENT_OWN,
}


class HeaderError(ValueError):
    """The header row cannot be used: nothing of the file is read further."""


@attrs.frozen
class Column:
    """One CSV column: its header, where its value goes in a record (``()``: nowhere, the
    column is dropped), and its type."""

    header: str
    path: tuple[str, ...]
    type: str = "str"


def _path(name: str, kind: Kind) -> tuple[str, ...]:
    if kind == "subscribers" or name in _EVENT_OWN:
        return (name,)
    if name.startswith("fields.") and len(name) > len("fields."):
        return ("fields", name[len("fields.") :])
    if name.startswith("details."):
        name = name[len("details.") :]
    return ("details", *name.split("."))


def _squash(name: str) -> str:
    return re.sub(r"[\s_\-]+", "", name).lower()


def own_name(name: str, kind: Kind) -> str:
    """Return the own column a header spells (``Email Address`` -> ``email``), else itself."""
    own = _ALIASES.get(_squash(name))
    return own if own is not None and own in _KIND_OWN[kind] else name


def parse_mapping(given: Sequence[str]) -> dict[str, str]:
    """Return ``{header: target}`` from ``--map`` values like ``"Email Address=email,X=-"``.

    Raises HeaderError for an item without ``=`` or with an empty side.
    """
    mapping: dict[str, str] = {}
    for value in given:
        for item in value.split(","):
            header, sep, target = item.partition("=")
            if not sep or not header.strip() or not target.strip():
                raise HeaderError(f"--map {item.strip()!r}: write HEADER=COLUMN (or HEADER=-)")
            mapping[header.strip()] = target.strip()
    return mapping


def _mapped(header: str, mapping: Mapping[str, str]) -> str | None:
    """Return what ``mapping`` makes of ``header`` (exact match first, then any case)."""
    name = header.strip()
    if name in mapping:
        return mapping[name]
    folded = {key.casefold(): target for key, target in mapping.items()}
    return folded.get(name.casefold())


def _column(header: str, kind: Kind, mapping: Mapping[str, str]) -> Column:
    target = _mapped(header, mapping)
    if target == DROP:
        return Column(header, ())
    name, type_ = (target or header).strip(), "str"
    if ":" in name:
        name, _, type_ = name.rpartition(":")
    name = name if target is not None else own_name(name, kind)
    if type_ not in _TYPES:
        raise HeaderError(f"column {header!r}: unknown type {type_!r}; use one of {_TYPES}")
    path = _path(name, kind)
    if not all(part.strip() for part in path):
        raise HeaderError(f"column {header!r} has an empty name")
    return Column(header, path, type_)


def parse_header(
    cells: Sequence[str], kind: Kind, mapping: Mapping[str, str] | None = None
) -> tuple[Column, ...]:
    """Return the columns of a header row, ``mapping`` (header to column) applied first.

    Raises HeaderError for a missing ``email`` (or, for events, ``type``) column, a mapped
    header not in the row, an empty or repeated name, an unknown type, or two columns where
    one would hold the other; the message lists the header.
    """
    mapping = mapping or {}
    listed = ", ".join(repr(cell) for cell in cells)
    folded = {cell.strip().casefold() for cell in cells}
    missing = [key for key in mapping if key.casefold() not in folded]
    if missing:
        raise HeaderError(f"--map names {', '.join(map(repr, missing))}; the header is {listed}")
    columns = tuple(_column(cell, kind, mapping) for cell in cells)
    paths = [c.path for c in columns]
    required = ("email",) if kind == "subscribers" else ("email", "type")
    for name in required:
        if (name,) not in paths:
            raise HeaderError(
                f"the header has no {name!r} column (the header is {listed}); name the one "
                f"to use with --map 'HEADER={name}'"
            )
    seen: dict[tuple[str, ...], str] = {}
    for column in sorted((c for c in columns if c.path), key=lambda c: len(c.path)):
        for depth in range(1, len(column.path) + 1):
            other = seen.get(column.path[:depth])
            if other is not None:
                raise HeaderError(f"columns {other!r} and {column.header!r} overlap")
        seen[column.path] = column.header
    return columns


def _convert(cell: str, type_: str) -> Any:
    text = cell.strip()
    if type_ == "int":
        return int(text)
    if type_ == "float":
        value = float(text)
        if not math.isfinite(value):
            raise ValueError(f"{text!r} is not a finite number")
        return value
    if type_ == "bool":
        if text.lower() in _TRUE:
            return True
        if text.lower() in _FALSE:
            return False
        raise ValueError(f"{text!r} is not true or false")
    if type_ == "json":
        return json.loads(text)
    return cell


def build_record(
    columns: Sequence[Column], cells: Sequence[str]
) -> tuple[dict[str, Any] | None, str | None]:
    """Return the record a row holds, or None and why it cannot be read."""
    if len(cells) != len(columns):
        return None, f"the row has {len(cells)} cells but the header has {len(columns)}"
    record: dict[str, Any] = {}
    for column, cell in zip(columns, cells, strict=True):
        if not cell.strip() or not column.path:
            continue
        try:
            value = _convert(cell, column.type)
        except ValueError as exc:
            return None, f"column {column.header!r}: {_reason(exc, column.type)}"
        target = record
        for part in column.path[:-1]:
            target = target.setdefault(part, {})
        target[column.path[-1]] = value
    return record, None


def _reason(exc: ValueError, type_: str) -> str:
    if type_ == "json":
        return f"not valid JSON ({exc})"
    if type_ == "int":
        return "not a whole number"
    return str(exc) if type_ != "float" or "finite" in str(exc) else "not a number"


def _lookup(record: Mapping[str, Any], path: tuple[str, ...]) -> Any:
    value: Any = record
    for part in path:
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    return value


def _render(value: Any, type_: str) -> str:
    if value is None:
        return ""
    if type_ == "json":
        return json.dumps(value, default=str)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return ",".join(str(item) for item in value)
    return str(value)


def render_cells(columns: Sequence[Column], record: Mapping[str, Any]) -> list[str]:
    """Return the cells of a row that reads back as ``record`` (the inverse of build_record).

    A subscriber field sent nested under ``fields`` is found there too.
    """
    cells = []
    for column in columns:
        if not column.path:
            cells.append("")
            continue
        value = _lookup(record, column.path)
        if value is None and len(column.path) == 1:
            value = _lookup(record, ("fields", *column.path))
        cells.append(_render(value, column.type))
    return cells
