"""The one cattrs converter that turns API JSON into models (and models back into JSON)."""

from __future__ import annotations

import types
import typing
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, TypeVar

import attrs
import cattrs
from cattrs.gen import make_dict_structure_fn

from .models._base import ApiObject, Resource, parse_datetime, snake_case
from .models._enums import OpenEnum
from .models.stats import ReportData, ReportPoint

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


def _is_api_object(cls: Any) -> bool:
    return isinstance(cls, type) and issubclass(cls, ApiObject) and attrs.has(cls)


def _api_object_hook(conv: cattrs.Converter, cls: type[T]) -> Callable[[Any, type[T]], T]:
    fields = attrs.fields(cls)  # type: ignore[arg-type]
    known = {f.name for f in fields} - {"extra"}
    nullable_default = {
        f.name for f in fields if f.default is not attrs.NOTHING and "None" not in str(f.type)
    }
    base = make_dict_structure_fn(cls, conv)

    def hook(value: Any, _: type[T]) -> T:
        if not isinstance(value, Mapping):
            raise ValueError(f"expected an object, got {type(value).__name__}")
        data: dict[str, Any] = {}
        extra: dict[str, Any] = {}
        for key, item in value.items():
            name = snake_case(key) if isinstance(key, str) else key
            if name not in known:
                extra[key] = item
            elif not (item is None and name in nullable_default):
                data[name] = item
        data["extra"] = extra
        return base(data, cls)

    return hook


def _union_members(tp: Any) -> tuple[Any, ...] | None:
    """Return a union's members other than None, or None when ``tp`` is not a union."""
    if typing.get_origin(tp) not in (typing.Union, types.UnionType):
        return None
    return tuple(arg for arg in typing.get_args(tp) if arg is not type(None))


def _open_enum_of(tp: Any) -> type[OpenEnum] | None:
    """Return E for ``E | str`` (optionally ``| None``) where E is an OpenEnum, else None."""
    members = _union_members(tp)
    if members is None or len(members) != 2 or str not in members:
        return None
    other = members[0] if members[1] is str else members[1]
    return other if isinstance(other, type) and issubclass(other, OpenEnum) else None


def _open_enum_hook(tp: Any) -> Callable[[Any, Any], Any]:
    enum_cls = _open_enum_of(tp)
    assert enum_cls is not None
    optional = type(None) in typing.get_args(tp)

    def hook(value: Any, _: Any) -> Any:
        if value is None and optional:
            return None
        if not isinstance(value, str):
            raise ValueError(f"expected a string, got {type(value).__name__}")
        return enum_cls(value)

    return hook


_SCALARS = (str, int, float, bool)


def _is_scalar_union(tp: Any) -> bool:
    members = _union_members(tp)
    return members is not None and len(members) > 1 and all(m in _SCALARS for m in members)


def _scalar_union_hook(tp: Any) -> Callable[[Any, Any], Any]:
    """Keep a JSON scalar whose type is one of the union's (a bool is not an int here)."""
    allowed = typing.get_args(tp)

    def hook(value: Any, _: Any) -> Any:
        if type(value) in allowed:
            return value
        names = " | ".join(getattr(t, "__name__", str(t)) for t in allowed)
        raise ValueError(f"expected {names}, got {type(value).__name__}")

    return hook


def _report_data_hook(conv: cattrs.Converter) -> Callable[[Any, Any], ReportData]:
    def hook(value: Any, _: Any) -> ReportData:
        if value is None or type(value) in (int, float):
            return value  # type: ignore[no-any-return]
        if isinstance(value, list):
            return tuple(conv.structure(point, ReportPoint) for point in value)
        raise ValueError(
            f"report data must be a number or a list of points, got {type(value).__name__}"
        )

    return hook


_BOOL_TEXT = {"true": True, "false": False, "1": True, "0": False}


def _structure_bool(value: Any, _: type) -> bool:
    # cattrs' default is bool(value), which turns the string "false" into True.
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in _BOOL_TEXT:
        return _BOOL_TEXT[value.strip().lower()]
    raise ValueError(f"expected a boolean, got {value!r}")


def configure_converter(conv: cattrs.Converter) -> None:
    """Register the SDK's hooks on a converter.

    Datetimes, JSON:API resources, plain API objects (camelCase keys), open
    enums (unknown values kept as str), unions of JSON scalars, and report data
    (a number or a list of points).
    """
    conv.register_structure_hook(datetime, _structure_datetime)
    conv.register_structure_hook(bool, _structure_bool)
    conv.register_unstructure_hook(datetime, lambda value: value.isoformat())
    conv.register_structure_hook_factory(_is_resource, lambda cls: _resource_hook(conv, cls))
    conv.register_structure_hook_factory(_is_api_object, lambda cls: _api_object_hook(conv, cls))
    conv.register_structure_hook_factory(lambda tp: _open_enum_of(tp) is not None, _open_enum_hook)
    conv.register_structure_hook_factory(_is_scalar_union, _scalar_union_hook)
    conv.register_structure_hook_func(lambda tp: tp == ReportData, _report_data_hook(conv))


def make_converter() -> cattrs.Converter:
    """Return a new converter configured for the Bento models."""
    conv = cattrs.Converter()
    configure_converter(conv)
    return conv


converter = make_converter()


def structure_item(value: Any, cls: type[T]) -> T:
    """Structure one value into ``cls`` with the SDK's converter."""
    return converter.structure(value, cls)
