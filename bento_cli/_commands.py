"""The click command tree of ``bento``."""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Callable

import click

from bento_async import AsyncBento, BentoError, ConfigError, __version__

from ._demo import run_demo
from ._emulator import emulator_group
from ._imports import import_group
from ._lookup import lookup
from ._site import fields, stats, tags
from ._subscribers import subscribers
from ._tagging import tag_group

__all__ = ["cli"]


@click.group()
@click.version_option(__version__, prog_name="bento")
@click.option("-v", "--verbose", is_flag=True, help="Log every request to stderr (never keys).")
@click.pass_context
def cli(ctx: click.Context, verbose: bool) -> None:
    """Work with the Bento email-marketing API from a terminal.

    Credentials come from BENTO_PUBLISHABLE_KEY, BENTO_SECRET_KEY and BENTO_SITE_UUID (and
    BENTO_BASE_URL), or from each command's flags; --emulator runs a command against a
    fresh embedded emulator instead. Exit codes: 0 success, 1 failure, 2 usage or
    configuration error, 130 interrupted.
    """
    if verbose:
        ctx.call_on_close(_log_to_stderr())


def _log_to_stderr() -> Callable[[], None]:
    """Send the SDK's debug log to stderr; return what undoes it."""
    logger = logging.getLogger("bento_async")
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s", "%H:%M:%S"))
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)

    def undo() -> None:
        logger.removeHandler(handler)
        logger.setLevel(level)

    return undo


for _command in (
    subscribers,
    tags,
    fields,
    stats,
    import_group,
    lookup,
    tag_group,
    emulator_group,
):
    cli.add_command(_command)


async def _demo_on_emulator(email: str) -> None:
    from bento_emulator import BentoEmulator

    async with BentoEmulator() as emulator:
        click.echo(f"Embedded Bento emulator serving at {emulator.base_url}")
        async with AsyncBento(**emulator.credentials, rate_limits="seed") as bento:
            await run_demo(bento, click.echo, email)
        state = emulator.state
        click.echo("\n== What the emulator holds now")
        click.echo(
            f"   subscribers: {len(state.subscribers)}, tags: {len(state.active_tags())}, "
            f"fields: {len(state.fields)}, events: {len(state.events)}"
        )
        click.echo(f"   tags of {email}: {', '.join(state.tag_names_of(email))}")
        click.echo(
            f"   revenue of {email} (cents): {state.revenue_of(email)} "
            "(the repeated purchase key counted once)"
        )
        fired = [a.trigger for a in state.automations]
        click.echo(
            f"   automations that would fire: {len(fired)} ({', '.join(fired)}); "
            "the event with bypass_workflows fired none"
        )


async def _demo_live(email: str) -> None:
    async with AsyncBento() as bento:
        click.echo(f"Live Bento API at {bento.config.base_url}")
        await run_demo(bento, click.echo, email)


@cli.command()
@click.option("--live", is_flag=True, help="Run against the real API (credentials from BENTO_*).")
@click.option(
    "--email",
    default="jesse@example.com",
    show_default=True,
    help="The subscriber the walkthrough creates.",
)
def demo(live: bool, email: str) -> None:
    """Run the seed guide's walkthrough on the embedded emulator (or --live)."""
    try:
        asyncio.run(_demo_live(email) if live else _demo_on_emulator(email))
    except ConfigError as exc:
        click.echo(f"bento: {exc}", err=True)
        sys.exit(2)
    except BentoError as exc:
        click.echo(f"bento: {exc}", err=True)
        sys.exit(1)
