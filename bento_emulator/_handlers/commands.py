"""Commands: `POST fetch/commands`, one command object or an array of 1..100 (§4).

Missing subscribers, tags and field definitions are created. Only `add_tag_via_event`
records an automation. In an array a bad command counts as failed; a single bad command is
answered 400. The answer is `{"results", "failed"}`, or with `commands_response="visitor"`
the seed guide's visitor envelope of the last subscriber a command changed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from .._state import EmulatorState, JSONValue, Subscriber
from . import _render as render
from ._common import (
    BatchOutcome,
    Call,
    InvalidItem,
    Reply,
    Route,
    bad_request,
    body_object,
    check_count,
    counts,
    flat_fields,
    is_valid_email,
    require_object,
    required_email,
    required_text,
    run_batch,
)

MAX_COMMANDS = 100

Command = Callable[[EmulatorState, str, JSONValue], Subscriber]


def _text_query(query: JSONValue) -> str:
    return required_text(query, "query").strip()


def _add_tag(state: EmulatorState, email: str, query: JSONValue) -> Subscriber:
    return state.add_tags(email, [_text_query(query)])


def _add_tag_via_event(state: EmulatorState, email: str, query: JSONValue) -> Subscriber:
    name = _text_query(query)
    subscriber = state.add_tags(email, [name])
    state.record_automation("add_tag_via_event", email, {"tag": name})
    return subscriber


def _remove_tag(state: EmulatorState, email: str, query: JSONValue) -> Subscriber:
    return state.remove_tags(email, [_text_query(query)])


def _add_field(state: EmulatorState, email: str, query: JSONValue) -> Subscriber:
    if not isinstance(query, dict) or "value" not in query:
        raise InvalidItem("query", "must be an object with 'key' and 'value'", status=400)
    key = required_text(query.get("key"), "query.key")
    return state.set_fields(email, flat_fields({key: query["value"]}, "query"))


def _remove_field(state: EmulatorState, email: str, query: JSONValue) -> Subscriber:
    return state.remove_fields(email, [required_text(query, "query")])


def _subscribe(state: EmulatorState, email: str, query: JSONValue) -> Subscriber:
    return state.subscribe(email)


def _unsubscribe(state: EmulatorState, email: str, query: JSONValue) -> Subscriber:
    return state.unsubscribe(email)


def _change_email(state: EmulatorState, email: str, query: JSONValue) -> Subscriber:
    if not is_valid_email(query):
        raise InvalidItem("query", "is invalid")
    try:
        return state.change_email(email, query)
    except ValueError as problem:
        raise InvalidItem("query", str(problem)) from None


COMMANDS: Mapping[str, Command] = {
    "add_tag": _add_tag,
    "add_tag_via_event": _add_tag_via_event,
    "remove_tag": _remove_tag,
    "add_field": _add_field,
    "remove_field": _remove_field,
    "subscribe": _subscribe,
    "unsubscribe": _unsubscribe,
    "change_email": _change_email,
}


def run_command(state: EmulatorState, item: JSONValue) -> Subscriber:
    """Validate and apply one command object; raise InvalidItem if it breaks a rule."""
    item = require_object(item, "command")
    name = item.get("command")
    command = COMMANDS.get(name) if isinstance(name, str) else None
    if command is None:
        raise InvalidItem("command", f"must be one of {', '.join(COMMANDS)}", status=400)
    return command(state, required_email(item), item.get("query"))


def run_commands(call: Call) -> Reply:
    """Apply one command or an array of 1..100 commands."""
    commands = body_object(call).get("command")
    if isinstance(commands, dict):
        try:
            outcome = BatchOutcome(1, last=run_command(call.state, commands))
        except InvalidItem as problem:
            raise problem.as_failure(400) from None
    elif isinstance(commands, list):
        check_count("command", len(commands), MAX_COMMANDS)
        outcome = run_batch(commands, lambda item: run_command(call.state, item))
    else:
        raise bad_request("Missing or invalid 'command' in request body")
    if call.settings.commands_response == "visitor":
        last = outcome.last
        return Reply({"data": None if last is None else render.subscriber(last)})
    return counts(outcome)


ROUTES = (Route("POST", "/fetch/commands", run_commands),)
