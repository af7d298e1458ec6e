"""``bento emulator serve``: the emulator as a standalone server for code in any language."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import signal
import sys
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any, Literal

import click

from ._connection import EXIT_USAGE, CliError, run

if TYPE_CHECKING:
    from bento_emulator import BentoEmulator

# The fault kinds, for --help without importing the emulator (the server loads on demand).
_KINDS = "fail_next, fail_fraction, latency, stall, reset_connection, invalid_json, html_403"

__all__ = ["emulator_group", "parse_fault_spec"]


@click.group("emulator")
def emulator_group() -> None:
    """Run the Bento emulator."""


def _number(text: str) -> int | float | str:
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            continue
    return text


def parse_fault_spec(spec: str) -> dict[str, Any]:
    """Parse ``key=value,key=value`` (numbers become numbers).

    Raises ValueError naming the part that is not ``key=value``.
    """
    result: dict[str, Any] = {}
    for part in spec.split(","):
        key, sep, value = part.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise ValueError(f"{part.strip()!r} is not key=value")
        result[key.strip()] = _number(value.strip())
    return result


_EXPORTS = (
    ("BENTO_BASE_URL", "base_url"),
    ("BENTO_PUBLISHABLE_KEY", "publishable_key"),
    ("BENTO_SECRET_KEY", "secret_key"),
    ("BENTO_SITE_UUID", "site_uuid"),
)


def _print_settings(settings: Mapping[str, Any], as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(settings))
        return
    click.echo(
        f"Bento emulator serving at {settings['base_url']} (rate limits: {settings['profile']})"
    )
    click.echo("Point a client at it with:")
    for var, key in _EXPORTS:
        click.echo(f"  export {var}={settings[key]}")
    click.echo(f"Allowed authors (batch/emails from): {', '.join(settings['authors'])}")
    click.echo(f"Control API (state, request log, reset, faults): {settings['control_url']}")
    click.echo("Press Ctrl-C to stop.")


def _settings(emulator: BentoEmulator, profile: str) -> dict[str, Any]:
    """Return what `serve` prints: the credentials, the control URL and the switches."""
    switches = emulator.settings
    return {
        **emulator.credentials,
        "profile": profile,
        "control_url": emulator.control_url,
        "authors": sorted(switches.authors),
        "enterprise": switches.enterprise,
        "commands_response": _COMMANDS_RESPONSES_SHOWN[switches.commands_response],
        "user_agent_policy": switches.user_agent_policy,
    }


_COMMANDS_RESPONSES: dict[str, Literal["visitor", "results"]] = {
    "seed": "visitor",
    "current": "results",
}
_COMMANDS_RESPONSES_SHOWN = {value: key for key, value in _COMMANDS_RESPONSES.items()}


def _console_warnings() -> None:
    """Print the emulator's warnings (a generic User-Agent, once per agent) on stderr."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("warning: %(message)s"))
    logger = logging.getLogger("bento_emulator")
    logger.addHandler(handler)
    logger.setLevel(logging.WARNING)


@emulator_group.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8765,
    show_default=True,
    help="Port to listen on (0: any free port).",
)
@click.option(
    "--profile",
    type=click.Choice(["seed", "docs", "none"]),
    help="Rate limits the emulator enforces [default: seed; none: no limits].",
)
@click.option(
    "--faults",
    multiple=True,
    metavar="SPEC",
    help="Inject failures, e.g. 'fraction=0.1,status=500,seed=7' or "
    "'kind=latency,seconds=0.2,family=batch' (repeatable; kinds: " + _KINDS + ").",
)
@click.option(
    "--author",
    "authors",
    multiple=True,
    metavar="EMAIL",
    help="An address batch/emails may send from (repeatable) [default: jesse@example.com].",
)
@click.option("--enterprise", is_flag=True, help="Open the Enterprise-only fetch/search.")
@click.option(
    "--commands-response",
    type=click.Choice(["seed", "current"]),
    default="current",
    show_default=True,
    help="What fetch/commands answers: the subscriber (as the seed guide shows) or counts.",
)
@click.option(
    "--author-error-status",
    type=click.Choice(["500", "422"]),
    default="500",
    show_default=True,
    help="Status answered to batch/emails from an address that is not an author.",
)
@click.option(
    "--fixtures",
    "fixtures_file",
    type=click.Path(exists=True, dir_okay=False, readable=True),
    help="A JSON file seeding subscribers, tags, fields, templates, broadcasts, sequences, "
    "workflows, segments, form responses and reports (reloaded on reset).",
)
@click.option(
    "--user-agent-policy",
    type=click.Choice(["allow", "warn", "strict"]),
    default="warn",
    show_default=True,
    help="Bare library User-Agents (python-requests/x.y, Ruby): accept, accept with one "
    "warning per agent, or answer the edge's HTML 403.",
)
@click.option(
    "--import-delay",
    type=click.FloatRange(min=0),
    default=0.0,
    metavar="SECONDS",
    help="Hold each subscriber import back this long before fetch/subscribers shows it "
    "(Bento queues imports for minutes) [default: 0].",
)
@click.option("--site-uuid", help="Site UUID to accept [default: random].")
@click.option("--publishable-key", help="Publishable key to accept [default: random].")
@click.option("--secret-key", help="Secret key to accept [default: random].")
@click.option("--json", "as_json", is_flag=True, help="Print the settings as one JSON line.")
def serve(profile: str | None, faults: tuple[str, ...], as_json: bool, **options: Any) -> None:
    """Serve the emulated Bento API until Ctrl-C; print the base URL and credentials to use,
    the allowed authors and the control API's URL (read state and the request log there)."""
    from bento_emulator import Faults

    try:
        fault_specs = [parse_fault_spec(spec) for spec in faults]
        for spec in fault_specs:
            Faults().script(spec)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--faults") from None
    chosen = profile or "seed"

    async def main() -> int:
        emulator = _emulator(options, chosen)
        for spec in fault_specs:
            emulator.faults.script(spec)
        try:
            await emulator.start()
        except OSError as exc:
            where = f"{options['host']}:{options['port']}"
            raise CliError(f"cannot listen on {where}: {exc.strerror or exc}") from None
        _console_warnings()
        try:
            with _stop_signals() as stop:
                _print_settings(_settings(emulator, chosen), as_json)
                await stop.wait()
        finally:
            await emulator.stop()
        click.echo("Emulator stopped.", err=True)
        return 0

    run(main)


def _emulator(options: Mapping[str, Any], profile: str) -> BentoEmulator:
    """Build the emulator `serve`'s options describe. Raises CliError for bad fixtures."""
    from bento_emulator import BentoEmulator, FixtureError

    site = dict(options)
    site["authors"] = site["authors"] or ("jesse@example.com",)
    site["commands_response"] = _COMMANDS_RESPONSES[site["commands_response"]]
    site["author_error_status"] = int(site["author_error_status"])
    site["fixtures"] = site.pop("fixtures_file")
    try:
        return BentoEmulator(rate_limits=None if profile == "none" else profile, **site)
    except FixtureError as exc:
        raise CliError(f"--fixtures: {exc}", EXIT_USAGE) from None


@contextlib.contextmanager
def _stop_signals() -> Iterator[asyncio.Event]:
    """Yield an event that Ctrl-C or SIGTERM sets (installed before anything is printed)."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    signals = (signal.SIGTERM, signal.SIGINT)
    with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):  # not main thread
        for sig in signals:
            loop.add_signal_handler(sig, stop.set)
    try:
        yield stop
    finally:
        for sig in signals:
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.remove_signal_handler(sig)
