"""Seed an emulated site from JSON: what `BentoEmulator(fixtures=...)`, `bento emulator serve
--fixtures FILE` and the control API's `POST /_emulator/fixtures` load.

A fixtures document is a JSON object; every key is optional and each holds an array:

    {
      "subscribers": [{"email": "ann@example.com", "fields": {"first_name": "Ann"},
                       "tags": ["customer"], "unsubscribed": false}],
      "tags": ["customer", "lead"],
      "fields": ["first_name", "plan"],
      "templates": [{"subject": "Hi", "html": "<p>Hi</p>", "name": "Greeting"}],
      "broadcasts": [{"name": "Launch", "subject": "We launched", "status": "sent"}],
      "sequences": [{"name": "Onboarding", "emails": ["Welcome", "Day 2"]}],
      "workflows": [{"name": "Win-back", "status": "live", "emails": ["We miss you"]}],
      "segments": [{"id": "7", "name": "Customers", "tags": ["customer"],
                    "emails": ["bo@example.com"], "description": "Paying"}],
      "form_responses": [{"form_id": "contact", "email": "ann@example.com",
                          "fields": {"message": "Hello"}}],
      "reports": [{"id": "42", "data": 12, "chart_style": "counter", "report_name": "Signups"}]
    }

Items of `tags` and `fields` may also be objects (`{"name": ...}`, `{"key": ...}`). The other
keys of an item are the keyword arguments of the matching `state.add_*` method. Loading is
strict: an unknown area, an unknown key or a wrong type raises `FixtureError` naming the
item (the items before it stay loaded).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from ._state import EmulatorState, JSONValue

__all__ = ["AREAS", "FixtureError", "load_fixtures", "read_fixtures"]


class FixtureError(ValueError):
    """A fixtures document that cannot be loaded; the message names the item and the reason."""


def _object(item: JSONValue, where: str) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise FixtureError(f"{where}: expected an object, got {type(item).__name__}")
    return dict(item)


def _named(key: str) -> Callable[[JSONValue, str], str]:
    def name_of(item: JSONValue, where: str) -> str:
        value = item if isinstance(item, str) else _object(item, where).pop(key, None)
        if not isinstance(value, str) or not value.strip():
            raise FixtureError(f"{where}: expected a non-empty string or {{{key!r}: ...}}")
        return value

    return name_of


def _subscriber(state: EmulatorState, item: dict[str, Any]) -> None:
    email = item.pop("email")
    fields, tags = item.pop("fields", None), item.pop("tags", None)
    unsubscribed = item.pop("unsubscribed", False)
    if item:
        raise TypeError(f"unexpected keys {sorted(item)}")
    state.find_or_create_subscriber(email)
    if fields:
        state.set_fields(email, fields)
    if tags:
        state.add_tags(email, [tags] if isinstance(tags, str) else tags)
    if unsubscribed:
        state.unsubscribe(email)


def _renamed(item: dict[str, Any], old: str, new: str) -> dict[str, Any]:
    if old in item:
        item[new] = str(item.pop(old))
    return item


def _segment(state: EmulatorState, item: dict[str, Any]) -> None:
    if "rule" in item:
        raise TypeError("'rule' takes code; a JSON segment lists its emails and tags")
    state.add_segment(**_renamed(item, "id", "segment_id"))


_Loader = Callable[[EmulatorState, JSONValue, str], object]


def _from_object(apply: Callable[[EmulatorState, dict[str, Any]], object]) -> _Loader:
    return lambda state, item, where: apply(state, _object(item, where))


AREAS: Mapping[str, _Loader] = {
    "subscribers": _from_object(_subscriber),
    "tags": lambda state, item, where: state.find_or_create_tag(_named("name")(item, where)),
    "fields": lambda state, item, where: state.find_or_create_field(_named("key")(item, where)),
    "templates": _from_object(lambda state, item: state.add_email_template(**item)),
    "broadcasts": _from_object(lambda state, item: state.add_broadcast(**item)),
    "sequences": _from_object(lambda state, item: state.add_sequence(**item)),
    "workflows": _from_object(lambda state, item: state.add_workflow(**item)),
    "segments": _from_object(_segment),
    "form_responses": _from_object(lambda state, item: state.add_form_response(**item)),
    "reports": _from_object(
        lambda state, item: state.stats.add_report(**_renamed(item, "id", "report_id"))
    ),
}


def load_fixtures(state: EmulatorState, document: Mapping[str, JSONValue]) -> dict[str, int]:
    """Add a fixtures document's items to `state`; return how many were loaded per area.

    Raises FixtureError for an unknown area, an item of the wrong shape, or keys the area
    does not take.
    """
    if not isinstance(document, Mapping):
        raise FixtureError("fixtures: expected a JSON object")
    unknown = sorted(set(document) - set(AREAS))
    if unknown:
        raise FixtureError(f"fixtures: unknown areas {unknown}; expected {sorted(AREAS)}")
    loaded: dict[str, int] = {}
    for area, items in document.items():
        if not isinstance(items, list):
            raise FixtureError(f"{area}: expected an array")
        for index, item in enumerate(items):
            where = f"{area}[{index}]"
            try:
                AREAS[area](state, item, where)
            except FixtureError:
                raise
            except KeyError as problem:
                raise FixtureError(f"{where}: missing key {problem.args[0]!r}") from None
            except (TypeError, ValueError, AttributeError) as problem:
                raise FixtureError(f"{where}: {problem}") from None
        loaded[area] = len(items)
    return loaded


def read_fixtures(path: str | os.PathLike[str]) -> dict[str, JSONValue]:
    """Read a fixtures document from a JSON file.

    Raises FixtureError when the file cannot be read or is not a JSON object.
    """
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as problem:
        raise FixtureError(
            f"cannot read fixtures {os.fspath(path)!r}: {problem.strerror}"
        ) from None
    except ValueError as problem:
        raise FixtureError(f"fixtures {os.fspath(path)!r} are not JSON: {problem}") from None
    if not isinstance(document, dict):
        raise FixtureError(f"fixtures {os.fspath(path)!r}: expected a JSON object")
    return document
