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


def _resource_hook(
    conv: cattrs.Converter, cls: type[T], *, shortcut: bool = True
) -> Callable[[Any, type[T]], T]:
    fields = attrs.fields(cls)  # type: ignore[arg-type]
    known = {f.name for f in fields} - {"extra"}
    # A null for a field that has a non-null default (fields, cached_tag_ids) means "empty".
    nullable_default = {
        f.name for f in fields if f.default is not attrs.NOTHING and "None" not in str(f.type)
    }
    base = make_dict_structure_fn(cls, conv)
    fast = _shortcut(conv, cls, nullable_default) if shortcut else None

    def hook(value: Any, _: type[T]) -> T:
        if fast is not None:
            try:
                return fast(value)
            except Exception:  # the full path below gives the exact result or error
                pass
        if not isinstance(value, Mapping):
            raise ValueError(f"expected an object, got {type(value).__name__}")
        attributes = value.get("attributes", value)
        if not isinstance(attributes, Mapping):
            raise ValueError("attributes is not an object")
        data: dict[str, Any] = {}
        extra: dict[str, Any] = {}
        for key, item in attributes.items():
            if key in known:
                if item is None and key in nullable_default:
                    continue
                data[key] = item
            else:
                extra[key] = item
        if "id" in value and "id" in known:
            data["id"] = value["id"]
        if value is not attributes and "type" in value:
            extra.setdefault("type", value["type"])
        data["extra"] = extra
        return base(data, cls)

    return hook


# -- the shortcut ----------------------------------------------------------------------
#
# Structuring through cattrs is most of the time a client spends on a response after the
# JSON is decoded. Nearly every item the API sends is plain: strings, nulls, ISO
# timestamps, string lists, objects with string keys. For those the shortcut builds the
# model in one pass; on anything else it raises and the hook takes the cattrs path, so
# what comes out (or what is raised) is always what cattrs gives.


class _NotPlain(Exception):
    """A value the shortcut leaves to cattrs."""


def _exactly(kind: type) -> Callable[[Any], Any]:
    def take(value: Any) -> Any:
        if type(value) is not kind:
            raise _NotPlain
        return value

    return take


def _optional(inner: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def take(value: Any) -> Any:
        return None if value is None else inner(value)

    return take


_ONLY_STR = frozenset([str])


def _str_tuple(value: Any) -> tuple[str, ...]:
    if type(value) not in (list, tuple) or not set(map(type, value)) <= _ONLY_STR:
        raise _NotPlain
    return tuple(value)


def _str_mapping(value: Any) -> dict[str, Any]:
    if type(value) is not dict or not set(map(type, value)) <= _ONLY_STR:
        raise _NotPlain
    return dict(value)


def _datetime(value: Any) -> datetime:
    return _structure_datetime(value, datetime)


_PLAIN: dict[Any, Callable[[Any], Any]] = {
    str: _exactly(str),
    int: _exactly(int),
    bool: _exactly(bool),
    datetime: _datetime,
    tuple[str, ...]: _str_tuple,
    Mapping[str, Any]: _str_mapping,
}


def _take_for(tp: Any) -> Callable[[Any], Any] | None:
    args = typing.get_args(tp)
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        if len(args) == 2 and args[1] is type(None) and args[0] in _PLAIN:
            return _optional(_PLAIN[args[0]])
        return None
    return _PLAIN.get(tp)


def _hook_name(conv: cattrs.Converter, tp: Any) -> tuple[str, str]:
    hook = conv.get_structure_hook(tp)
    func = getattr(hook, "__func__", hook)
    return getattr(func, "__module__", None) or "", getattr(func, "__qualname__", "")


def _default_hooks(conv: cattrs.Converter, tp: Any) -> bool:
    """Whether ``conv`` structures ``tp`` (and its arguments) as a fresh converter would."""
    reference = cattrs.Converter()
    reference.register_structure_hook(datetime, _structure_datetime)
    return all(
        _hook_name(conv, t) == _hook_name(reference, t)
        for t in (tp, *typing.get_args(tp))
        if t is not Ellipsis and t is not type(None)
    )


def _shortcut(
    conv: cattrs.Converter, cls: type[T], nullable_default: set[str]
) -> Callable[[Any], T] | None:
    """Return the one-pass builder of ``cls`` from a JSON:API item, or None if it has none.

    None when a field has a type without a shortcut, or a type someone registered
    their own hook for on ``conv`` (the shortcut would bypass it).
    """
    fields = attrs.fields(attrs.resolve_types(cls))  # type: ignore[type-var,arg-type]
    if "extra" not in {field.name for field in fields}:
        return None
    takes: dict[str, Callable[[Any], Any]] = {}
    required: list[str] = []
    for field in fields:
        take = _take_for(field.type)
        if take is None or not field.init or field.alias != field.name:
            return None
        if not _default_hooks(conv, field.type):
            return None
        if field.name != "extra":
            takes[field.name] = take
        if field.default is attrs.NOTHING:
            required.append(field.name)

    def build(value: Any) -> T:
        if type(value) is not dict:
            raise _NotPlain
        attributes = value.get("attributes", value)
        if type(attributes) is not dict:
            raise _NotPlain
        kwargs: dict[str, Any] = {}
        extra: dict[str, Any] = {}
        for key, item in attributes.items():
            take = takes.get(key)
            if take is None:
                if type(key) is not str:
                    raise _NotPlain
                extra[key] = item
            elif item is not None or key not in nullable_default:
                kwargs[key] = take(item)
        if "id" in value and "id" in takes:
            kwargs["id"] = takes["id"](value["id"])
        if value is not attributes and "type" in value:
            extra.setdefault("type", value["type"])
        for name in required:
            if name not in kwargs:
                raise _NotPlain
        kwargs["extra"] = extra
        return cls(**kwargs)

    return build


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
