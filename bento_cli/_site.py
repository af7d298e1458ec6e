"""``bento tags``, ``bento fields`` and ``bento stats``: what a site holds."""

from __future__ import annotations

import click

from ._connection import Connection, connection_options, open_client, run
from ._output import echo_json, fields_table, make_console, stats_table, tags_table

__all__ = ["fields", "stats", "tags"]

_JSON = click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")


@click.group()
def tags() -> None:
    """List and create tags."""


@tags.command("list")
@_JSON
@connection_options
def list_tags(as_json: bool, connection: Connection) -> None:
    """List the site's tags."""

    async def main() -> int:
        async with open_client(connection) as bento:
            found = await bento.tags.list()
        echo_json(found) if as_json else make_console().print(tags_table(found))
        return 0

    run(main, connection)


@tags.command("create")
@click.argument("name")
@_JSON
@connection_options
def create_tag(name: str, as_json: bool, connection: Connection) -> None:
    """Create the tag NAME (or show the one that exists)."""

    async def main() -> int:
        async with open_client(connection) as bento:
            tag = await bento.tags.create(name)
        echo_json(tag) if as_json else make_console().print(tags_table([tag]))
        return 0

    run(main, connection)


@click.group()
def fields() -> None:
    """List and create custom field definitions."""


@fields.command("list")
@_JSON
@connection_options
def list_fields(as_json: bool, connection: Connection) -> None:
    """List the site's custom fields."""

    async def main() -> int:
        async with open_client(connection) as bento:
            found = await bento.fields.list()
        echo_json(found) if as_json else make_console().print(fields_table(found))
        return 0

    run(main, connection)


@fields.command("create")
@click.argument("key")
@_JSON
@connection_options
def create_field(key: str, as_json: bool, connection: Connection) -> None:
    """Create the custom field KEY (or show the one that exists)."""

    async def main() -> int:
        async with open_client(connection) as bento:
            field = await bento.fields.create(key)
        echo_json(field) if as_json else make_console().print(fields_table([field]))
        return 0

    run(main, connection)


@click.group()
def stats() -> None:
    """Show a site's statistics."""


@stats.command("site")
@_JSON
@connection_options
def site(as_json: bool, connection: Connection) -> None:
    """Show how many users, subscribers and unsubscribers the site has."""

    async def main() -> int:
        async with open_client(connection) as bento:
            counts = await bento.stats.site()
        echo_json(counts) if as_json else make_console().print(stats_table(counts))
        return 0

    run(main, connection)
