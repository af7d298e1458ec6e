"""``bento.commands``: add or remove tags and fields, (un)subscribe, change email."""

from __future__ import annotations

from collections.abc import AsyncIterable, Callable, Iterable, Mapping
from typing import Any

from .._bulk import BulkSpec, run_bulk
from .._converter import converter
from .._errors import InputIssue
from .._http import Request
from .._validate import check_email, check_json_value, check_text, raise_if
from ..models import CommandResult, Subscriber
from ..models.bulk import BulkProgress, BulkResult
from ..models.commands import Command, CommandName
from ._base import ResourceBase

__all__ = ["Commands", "check_command", "commands_request", "parse_command_result"]

MAX_COMMANDS = 100


def _as_command(
    item: Command | Mapping[str, Any], path: str, issues: list[InputIssue]
) -> Command | None:
    if isinstance(item, Command):
        return item
    if not isinstance(item, Mapping):
        issues.append(InputIssue(path, f"expected a Command, got {type(item).__name__}"))
        return None
    try:
        return Command(item.get("command"), item.get("email"), item.get("query"))  # type: ignore[arg-type]
    except ValueError:
        names = ", ".join(c.value for c in CommandName)
        issues.append(InputIssue(f"{path}.command", f"unknown command; use one of {names}"))
        return None


def check_command(
    item: Command | Mapping[str, Any], path: str, issues: list[InputIssue]
) -> Command | None:
    """Check one command and return it, or record what is wrong."""
    before = len(issues)
    command = _as_command(item, path, issues)
    if command is None:
        return None
    check_email(command.email, f"{path}.email", issues)
    name, query = command.command, command.query
    if name in (CommandName.SUBSCRIBE, CommandName.UNSUBSCRIBE):
        pass
    elif name is CommandName.ADD_FIELD:
        if not isinstance(query, Mapping) or set(query) != {"key", "value"}:
            issues.append(InputIssue(f"{path}.query", "add_field needs {'key': ..., 'value': ...}"))
        else:
            check_text(query["key"], f"{path}.query.key", issues, "field key")
            if isinstance(query["value"], Mapping):
                issues.append(InputIssue(f"{path}.query.value", "field values must be flat"))
            else:
                check_json_value(query["value"], f"{path}.query.value", issues)
    elif name is CommandName.CHANGE_EMAIL:
        check_email(query, f"{path}.query", issues)
    else:
        what = "field key" if name is CommandName.REMOVE_FIELD else "tag name"
        check_text(query, f"{path}.query", issues, what)
    return command if len(issues) == before else None


def parse_command_result(payload: Any) -> CommandResult:
    """Parse both answers ``fetch/commands`` has given: ``{"results", "failed"}`` and a visitor."""
    if not isinstance(payload, Mapping):
        raise ValueError(f"expected a JSON object, got {type(payload).__name__}")
    if isinstance(payload.get("results"), int):
        failed = payload.get("failed")
        return CommandResult(payload["results"], failed if isinstance(failed, int) else 0)
    data = payload.get("data")
    if isinstance(data, Mapping):
        return CommandResult(1, 0, converter.structure(data, Subscriber))
    raise ValueError("neither a 'results' count nor a subscriber")


def commands_request(commands: list[Command]) -> Request:
    """Build one ``fetch/commands`` request for checked commands (at most 100).

    It is safe to repeat when every command is.
    """
    return Request.build(
        "POST",
        "fetch/commands",
        json_body={"command": [c.to_wire() for c in commands]},
        idempotent=all(c.command.idempotent for c in commands),
    )


class Commands(ResourceBase):
    """Commands change one subscriber each; only ``add_tag_via_event`` fires automations."""

    async def run(
        self,
        commands: Iterable[Command | Mapping[str, Any]]
        | AsyncIterable[Command | Mapping[str, Any]],
        *,
        chunk_size: int = MAX_COMMANDS,
        concurrency: int = 4,
        on_progress: Callable[[BulkProgress], None] | None = None,
        dry_run: bool = False,
    ) -> BulkResult[Command | Mapping[str, Any]]:
        """Run any number of commands, up to ``chunk_size`` (at most 100) per request.

        Commands are read lazily; ``concurrency`` chunks at most are in flight. A
        bad command is skipped and reported in ``invalid``; a chunk whose request
        fails is reported and its commands kept in ``failed_records``. ``dry_run``
        checks everything and sends nothing.

        Raises ValidationError for a bad ``chunk_size`` or ``concurrency``, and
        BulkCancelledError (carrying the partial result) when cancelled.
        """
        return await run_bulk(
            BulkSpec("commands", MAX_COMMANDS, check_command, self._send),
            commands,
            chunk_size=chunk_size,
            concurrency=concurrency,
            on_progress=on_progress,
            dry_run=dry_run,
        )

    async def _send(self, commands: list[Command]) -> tuple[int, int]:
        result = await self._call(commands_request(commands), parse_command_result)
        return result.results, result.failed

    async def _one(self, command: Command) -> CommandResult:
        issues: list[InputIssue] = []
        check_command(command, "command", issues)
        raise_if(issues)
        request = Request.build(
            "POST",
            "fetch/commands",
            json_body={"command": command.to_wire()},
            idempotent=command.command.idempotent,
        )
        return await self._call(request, parse_command_result)

    async def add_tag(self, email: str, tag: str) -> CommandResult:
        """Add a tag without firing automations (creates tag and subscriber if missing)."""
        return await self._one(Command.add_tag(email, tag))

    async def add_tag_via_event(self, email: str, tag: str) -> CommandResult:
        """Add a tag through an event, firing the automations it triggers."""
        return await self._one(Command.add_tag_via_event(email, tag))

    async def remove_tag(self, email: str, tag: str) -> CommandResult:
        """Remove a tag from a subscriber."""
        return await self._one(Command.remove_tag(email, tag))

    async def add_field(self, email: str, key: str, value: Any) -> CommandResult:
        """Set a custom field on a subscriber (creates the field definition if missing)."""
        return await self._one(Command.add_field(email, key, value))

    async def remove_field(self, email: str, key: str) -> CommandResult:
        """Remove a custom field from a subscriber."""
        return await self._one(Command.remove_field(email, key))

    async def subscribe(self, email: str) -> CommandResult:
        """Subscribe or re-subscribe an address."""
        return await self._one(Command.subscribe(email))

    async def unsubscribe(self, email: str) -> CommandResult:
        """Unsubscribe an address."""
        return await self._one(Command.unsubscribe(email))

    async def change_email(self, old_email: str, new_email: str) -> CommandResult:
        """Change a subscriber's email address."""
        return await self._one(Command.change_email(old_email, new_email))
