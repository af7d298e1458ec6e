"""The one cattrs converter that turns API JSON into models (and models back into JSON)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, TypeVar

import attrs
import cattrs
from cattrs.gen import make_dict_structure_fn

from .models._base import Resource, parse_datetime

__all__ = ["configure_converter", "converter", "make_converter", "structure_item"]

T = TypeVar("T")


def _structure_datetime(value: Any, _: type) -> datetime:
    if isinstance(value, datetime):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return datetime.fromtimestamp(value).astimezone()
    if not isinstance(value, str):
        raise ValueError(f"expected an ISO 8601 string, got {type(value).__name__}")
    return parse_datetime(value)


def _is_resource(cls: Any) -> bool:
    return isinstance(cls, type) and issubclass(cls, Resource) and attrs.has(cls)


def _resource_hook(conv: cattrs.Converter, cls: type[T]) -> Callable[[Any, type[T]], T]:
    fields = attrs.fields(cls)  # type: ignore[arg-type]
    known = {f.name for f in fields} - {"extra"}
    # A null for a field that has a non-null default (fields, cached_tag_ids) means "empty".
    nullable_default = {
        f.name for f in fields if f.default is not attrs.NOTHING and "None" not in str(f.type)
    }
    renames: Mapping[str, str] = getattr(cls, "__wire_names__", {})
    base = make_dict_structure_fn(cls, conv)

    def hook(value: Any, _: type[T]) -> T:
        if not isinstance(value, Mapping):
            raise ValueError(f"expected an object, got {type(value).__name__}")
        attributes = value.get("attributes", value)
        if not isinstance(attributes, Mapping):
            raise ValueError("attributes is not an object")
        data: dict[str, Any] = {}
        extra: dict[str, Any] = {}
        for wire_key, item in attributes.items():
            key = renames.get(wire_key, wire_key)
            if key in known:
                if item is None and key in nullable_default:
                    continue
                data[key] = item
            else:
                extra[wire_key] = item
        if "id" in value and "id" in known:
            data["id"] = value["id"]
        if value is not attributes and "type" in value:
            extra.setdefault("type", value["type"])
        data["extra"] = extra
        return base(data, cls)

    return hook


def configure_converter(conv: cattrs.Converter) -> None:
    """Register the SDK's hooks on a converter: datetimes, JSON:API resources."""
    conv.register_structure_hook(datetime, _structure_datetime)
    conv.register_unstructure_hook(datetime, lambda value: value.isoformat())
    conv.register_structure_hook_factory(_is_resource, lambda cls: _resource_hook(conv, cls))


def make_converter() -> cattrs.Converter:
    """Return a new converter configured for the Bento models."""
    conv = cattrs.Converter()
    configure_converter(conv)
    return conv


converter = make_converter()


def structure_item(value: Any, cls: type[T]) -> T:
    """Structure one value into ``cls`` with the SDK's converter."""
    return converter.structure(value, cls)
