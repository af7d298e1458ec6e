"""The one cattrs converter that turns API JSON into models (and models back into JSON)."""

from __future__ import annotations

import functools
import sys
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
from .models._frozen import EMPTY, ReadOnlyDict, type_only
from .models.stats import ReportData, ReportPoint

__all__ = ["configure_converter", "converter", "make_converter"]

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


def _known_fields(cls: type) -> tuple[frozenset[str], frozenset[str]]:
    """Return the model's field names (bar ``extra``) and those where a null means "empty".

    A null for a field with a non-null default (``fields``, ``cached_tag_ids``) is dropped
    so the default applies.
    """
    fields = attrs.fields(cls)
    known = frozenset(f.name for f in fields) - {"extra"}
    nullable_default = frozenset(
        f.name for f in fields if f.default is not attrs.NOTHING and "None" not in str(f.type)
    )
    return known, nullable_default


def _split(
    items: Mapping[Any, Any],
    name_of: Callable[[Any], Any],
    known: frozenset[str],
    nullable_default: frozenset[str],
) -> tuple[dict[str, Any], dict[Any, Any]]:
    """Split wire items into model arguments (by ``name_of`` the wire key) and ``extra``."""
    data: dict[str, Any] = {}
    extra: dict[Any, Any] = {}
    for wire_key, item in items.items():
        name = name_of(wire_key)
        if name not in known:
            extra[wire_key] = item
        elif not (item is None and name in nullable_default):
            data[name] = item
    return data, extra


_MISSING: Any = object()


def _extra(extra: dict[Any, Any], kind: Any) -> dict[Any, Any]:
    """Return a model's ``extra``: the keys no field took, and the item's type (if any).

    An empty one, and one holding only the type, is shared read-only (see ``_frozen``).
    """
    if kind is _MISSING:
        return extra or EMPTY
    if not extra:
        return type_only(kind)
    # Interned: one string per type for every model kept, and a fan-out keeps thousands.
    extra.setdefault("type", sys.intern(kind) if type(kind) is str else kind)
    return extra


def _is_str_mapping(tp: Any) -> bool:
    return tp in (Mapping[str, Any], typing.Mapping[str, Any])


@functools.cache
def _cattrs_str_mapping() -> Callable[[Any, Any], Any]:
    """Return cattrs' own structure hook for ``Mapping[str, Any]`` (made once)."""
    return cattrs.Converter().get_structure_hook(Mapping[str, Any])


def _str_mapping_hook() -> Callable[[Any, Any], Mapping[str, Any]]:
    """Structure ``Mapping[str, Any]`` as cattrs does, but share an empty result."""
    default = _cattrs_str_mapping()

    def hook(value: Any, tp: Any) -> Mapping[str, Any]:
        if type(value) is ReadOnlyDict:
            return value
        result: Mapping[str, Any] = default(value, tp)
        return result or EMPTY

    return hook


def _resource_hook(
    conv: cattrs.Converter, cls: type[T], *, shortcut: bool = True
) -> Callable[[Any, type[T]], T]:
    known, nullable_default = _known_fields(cls)
    renames: Mapping[str, str] = getattr(cls, "__wire_names__", {})
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
        data, extra = _split(attributes, lambda key: renames.get(key, key), known, nullable_default)
        if "id" in value and "id" in known:
            data["id"] = value["id"]
        kind = value["type"] if value is not attributes and "type" in value else _MISSING
        data["extra"] = _extra(extra, kind)
        return base(data, cls)

    return hook


def _is_api_object(cls: Any) -> bool:
    return isinstance(cls, type) and issubclass(cls, ApiObject) and attrs.has(cls)


def _api_object_hook(conv: cattrs.Converter, cls: type[T]) -> Callable[[Any, type[T]], T]:
    known, nullable_default = _known_fields(cls)
    base = make_dict_structure_fn(cls, conv)

    def name_of(key: Any) -> Any:
        return snake_case(key) if isinstance(key, str) else key

    def hook(value: Any, _: type[T]) -> T:
        if not isinstance(value, Mapping):
            raise ValueError(f"expected an object, got {type(value).__name__}")
        data, extra = _split(value, name_of, known, nullable_default)
        data["extra"] = extra or EMPTY
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


# -- the shortcut ----------------------------------------------------------------------
#
# Structuring through cattrs is most of the time a client spends on a response after the
# JSON is decoded. Nearly every item the API sends is plain: strings, nulls, ISO
# timestamps, string lists, objects with string keys. For those the shortcut builds the
# model in one pass; on anything else it raises and the hook takes the cattrs path, so
# what comes out (or what is raised) is always what cattrs gives.


class _NotPlain(Exception):
    """A value the shortcut leaves to cattrs."""


def _str_tuple(value: Any) -> tuple[str, ...]:
    if type(value) not in (list, tuple):
        raise _NotPlain
    try:
        "".join(value)  # the quickest proof that every item is a string
    except TypeError:
        raise _NotPlain from None
    return tuple(value)


def _str_mapping(value: Any) -> dict[str, Any]:
    if type(value) is not dict:
        raise _NotPlain
    if not value:
        return EMPTY
    try:
        "".join(value)  # every key a string
    except TypeError:
        raise _NotPlain from None
    return dict(value)


def _datetime(value: Any) -> datetime:
    return _structure_datetime(value, datetime)


# Checked inline by the generated code.
_INLINE = {str: "str", int: "int", bool: "bool"}
# Called by the generated code: each returns the field's value or raises _NotPlain.
_TAKE: dict[Any, Callable[[Any], Any]] = {
    datetime: _datetime,
    tuple[str, ...]: _str_tuple,
    Mapping[str, Any]: _str_mapping,
}


def _plain_type(tp: Any) -> Any:
    """Return the type the shortcut handles for ``tp`` (``X`` for ``X | None``), or None."""
    members = _union_members(tp)
    if members is not None:
        args = typing.get_args(tp)
        if len(args) != 2 or args[1] is not type(None):
            return None
        tp = members[0]
    return tp if tp in _INLINE or tp in _TAKE else None


def _hook_name(conv: cattrs.Converter, tp: Any) -> tuple[str, str]:
    hook = conv.get_structure_hook(tp)
    func = getattr(hook, "__func__", hook)
    return getattr(func, "__module__", None) or "", getattr(func, "__qualname__", "")


@functools.cache
def _reference() -> cattrs.Converter:
    """Return a converter with only the hooks the shortcut follows itself (made once)."""
    reference = cattrs.Converter()
    reference.register_structure_hook(datetime, _structure_datetime)
    reference.register_structure_hook_func(_is_str_mapping, _str_mapping_hook())
    return reference


def _default_hooks(conv: cattrs.Converter, tp: Any) -> bool:
    """Whether ``conv`` structures ``tp`` (and its arguments) as a fresh converter would."""
    reference = _reference()
    return all(
        _hook_name(conv, t) == _hook_name(reference, t)
        for t in (tp, *typing.get_args(tp))
        if t is not Ellipsis and t is not type(None)
    )


def _shortcut(
    conv: cattrs.Converter, cls: type[T], nullable_default: frozenset[str]
) -> Callable[[Any], T] | None:
    """Return the one-pass builder of ``cls`` from a JSON:API item, or None if it has none.

    None when a field has a type without a shortcut, or a type someone registered
    their own hook for on ``conv`` (the shortcut would bypass it).
    """
    fields = attrs.fields(attrs.resolve_types(cls))  # type: ignore[type-var,arg-type]
    if "extra" not in {field.name for field in fields}:
        return None
    for field in fields:
        if _plain_type(field.type) is None or not field.init or field.alias != field.name:
            return None
        if getattr(field.default, "takes_self", False) or not _default_hooks(conv, field.type):
            return None
    return _generate(cls, fields, nullable_default)


# The builder's first lines: the item, its attributes, and how many keys are left to read.
_HEAD = """def build(value):
    if type(value) is not dict:
        raise _NotPlain
    a = value.get('attributes', value)
    if type(a) is not dict:
        raise _NotPlain
    left = len(a)"""
# Its last lines but the return: what no field took goes to ``extra``, with the item's type.
_TAIL = """    extra = {}
    if left:
        for key, item in a.items():
            if key not in _KNOWN:
                if type(key) is not str:
                    raise _NotPlain
                extra[key] = item
    extra = _extra(extra, value['type'] if value is not a and 'type' in value else _M)"""


def _generate(
    cls: type[T], fields: tuple[attrs.Attribute[Any], ...], nullable_default: frozenset[str]
) -> Callable[[Any], T]:
    """Write the builder's source, one straight block per field, and compile it.

    A loop over the item's keys with a function call per value cost more than
    the rest of a lookup's parsing; the generated code reads each field once,
    checks its type inline, and counts the keys it used to know (without a set
    operation) whether ``extra`` has anything in it.
    """
    known = frozenset(field.name for field in fields) - {"extra"}
    scope: dict[str, Any] = {
        "cls": cls,
        "_M": _MISSING,
        "_NotPlain": _NotPlain,
        "_KNOWN": known,
        "_extra": _extra,
    }
    lines = [_HEAD]
    for field in fields:
        if field.name != "extra":
            lines += _field_lines(field, field.name in nullable_default, scope)
    lines += [_TAIL, f"    return cls({', '.join(_argument(field) for field in fields)})"]
    source = "\n".join(lines)
    exec(compile(source, f"<bento shortcut for {cls.__qualname__}>", "exec"), scope)
    build: Callable[[Any], T] = scope["build"]
    return build


def _argument(field: attrs.Attribute[Any]) -> str:
    value = "extra" if field.name == "extra" else f"v_{field.name}"
    return f"{field.name}={value}" if field.kw_only else value


def _field_lines(field: attrs.Attribute[Any], nullable: bool, scope: dict[str, Any]) -> list[str]:
    """Return the builder's lines that read, check and convert one field into ``v_<name>``."""
    name = field.name
    var = f"v_{name}"
    members = _union_members(field.type)
    inner = _plain_type(field.type)
    lines = [f"    {var} = a.get({name!r}, _M)", f"    if {var} is not _M:", "        left -= 1"]
    if name == "id":  # the item's own id wins over one among the attributes
        lines += ["    if 'id' in value:", f"        {var} = value['id']"]
    lines.append(f"    if {var} is _M{f' or {var} is None' if nullable else ''}:")
    if field.default is attrs.NOTHING:
        lines.append("        raise _NotPlain")
    elif isinstance(field.default, attrs.Factory):  # type: ignore[arg-type]
        scope[f"default_{name}"] = field.default.factory  # type: ignore[union-attr]
        lines.append(f"        {var} = default_{name}()")
    else:
        scope[f"default_{name}"] = field.default
        lines.append(f"        {var} = default_{name}")
    if members:  # an optional field keeps a null
        lines += [f"    elif {var} is None:", "        pass"]
    if inner in _INLINE:
        lines += [f"    elif type({var}) is not {_INLINE[inner]}:", "        raise _NotPlain"]
    else:
        scope[f"take_{name}"] = _TAKE[inner]
        lines += ["    else:", f"        {var} = take_{name}({var})"]
    return lines


def configure_converter(conv: cattrs.Converter) -> None:
    """Register the SDK's hooks on a converter.

    Datetimes, JSON:API resources, plain API objects (camelCase keys), open
    enums (unknown values kept as str), unions of JSON scalars, and report data
    (a number or a list of points).
    """
    conv.register_structure_hook(datetime, _structure_datetime)
    conv.register_structure_hook(bool, _structure_bool)
    conv.register_structure_hook_func(_is_str_mapping, _str_mapping_hook())
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
