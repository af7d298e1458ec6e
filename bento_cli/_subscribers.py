"""``bento subscribers get|create``: look up a few subscribers, or find-or-create one."""

from __future__ import annotations

from typing import Any

import click

from bento_async import (
    AsyncBento,
    AuthenticationError,
    Lookup,
    PermissionDeniedError,
    Subscriber,
    TransportError,
)

from ._connection import (
    EXIT_FAILURE,
    CliError,
    Connection,
    connection_options,
    describe_error,
    open_client,
    run,
)
from ._output import FoundSubscriber, echo_json, make_console, subscribers_table

__all__ = ["subscribers"]

# Errors that every lookup would meet alike: reported once, as the command's failure.
_SETUP_ERRORS = (AuthenticationError, PermissionDeniedError, TransportError)


@click.group()
def subscribers() -> None:
    """Look up and create subscribers."""


def _as_json(lookup: Lookup, tags: list[str]) -> dict[str, Any]:
    error = None if lookup.error is None else describe_error(lookup.error)
    return {
        "email": lookup.key,
        "found": lookup.found,
        "subscriber": lookup.subscriber,
        "tags": tags,
        "error": error,
    }


async def _with_tags(bento: AsyncBento, subscriber: Subscriber) -> FoundSubscriber:
    return subscriber, await bento.tags.names_for(subscriber)


@subscribers.command("get")
@click.argument("emails", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@connection_options
def get(emails: tuple[str, ...], as_json: bool, connection: Connection) -> None:
    """Show the subscribers with these EMAILS (exit 1 if any is not found)."""

    async def main() -> int:
        async with open_client(connection) as bento:
            lookups = await bento.subscribers.get_many(emails)
            errors = [lookup.error for lookup in lookups if lookup.error is not None]
            setup = [e for e in errors if isinstance(e, _SETUP_ERRORS)]
            if setup:
                raise setup[0]
            tags = {
                x.index: await bento.tags.names_for(x.subscriber) for x in lookups if x.subscriber
            }
        found = [(x.subscriber, tags[x.index]) for x in lookups if x.subscriber]
        missing = [x.key for x in lookups if not x.found and x.error is None]
        if as_json:
            echo_json([_as_json(x, tags.get(x.index, [])) for x in lookups])
        else:
            make_console().print(subscribers_table(found, missing))
        for lookup in lookups:
            if lookup.error is not None:
                click.echo(f"bento: {lookup.key}: {describe_error(lookup.error)}", err=True)
        if errors:
            raise CliError(f"{len(errors)} of {len(lookups)} lookups failed")
        return EXIT_FAILURE if missing else 0

    run(main, connection)


@subscribers.command("create")
@click.argument("email")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@connection_options
def create(email: str, as_json: bool, connection: Connection) -> None:
    """Find the subscriber with EMAIL, or create one."""

    async def main() -> int:
        async with open_client(connection) as bento:
            subscriber = await bento.subscribers.create(email)
            found = await _with_tags(bento, subscriber)
        if as_json:
            echo_json(subscriber)
        else:
            make_console().print(subscribers_table([found]))
        return 0

    run(main, connection)
