"""``bento emulator serve``: the emulator as a standalone server for code in any language."""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
from collections.abc import Iterator, Mapping
from typing import Any

import click

from ._connection import EXIT_USAGE, CliError, run

__all__ = ["FAULT_KINDS", "emulator_group", "fault_call", "parse_fault_spec"]


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


FAULT_KINDS = (
    "fail_next",
    "fail_fraction",
    "latency",
    "stall",
    "reset_connection",
    "invalid_json",
    "html_403",
)


def fault_call(spec: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """Split a parsed spec into the ``emulator.faults`` method and its arguments.

    ``kind`` names the method; without it, ``fraction`` means ``fail_fraction`` and
    ``next`` means ``fail_next`` (``next=3`` fails the next three requests).

    Raises ValueError for an unknown or missing kind.
    """
    args = dict(spec)
    kind = args.pop("kind", None)
    if kind is None:
        kind = "fail_next" if "next" in args else "fail_fraction" if "fraction" in args else None
    if kind not in FAULT_KINDS:
        raise ValueError(f"kind must be one of {', '.join(FAULT_KINDS)}")
    if kind == "fail_next" and "next" in args:
        args["n"] = args.pop("next")
    return str(kind), args


def _print_settings(credentials: Mapping[str, object], profile: str, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps({**credentials, "profile": profile}))
        return
    click.echo(f"Bento emulator serving at {credentials['base_url']} (rate limits: {profile})")
    click.echo("Point a client at it with:")
    for var, key in (
        ("BENTO_BASE_URL", "base_url"),
        ("BENTO_PUBLISHABLE_KEY", "publishable_key"),
        ("BENTO_SECRET_KEY", "secret_key"),
        ("BENTO_SITE_UUID", "site_uuid"),
    ):
        click.echo(f"  export {var}={credentials[key]}")
    click.echo("Press Ctrl-C to stop.")


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
    "'kind=latency,seconds=0.2,family=batch' (repeatable; kinds: " + ", ".join(FAULT_KINDS) + ").",
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
def serve(
    host: str,
    port: int,
    profile: str | None,
    faults: tuple[str, ...],
    import_delay: float,
    site_uuid: str | None,
    publishable_key: str | None,
    secret_key: str | None,
    as_json: bool,
) -> None:
    """Serve the emulated Bento API until Ctrl-C; print the base URL and credentials to use."""
    try:
        fault_specs = [parse_fault_spec(spec) for spec in faults]
        for spec in fault_specs:
            fault_call(spec)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--faults") from None

    async def main() -> int:
        from bento_emulator import BentoEmulator

        chosen = profile or "seed"
        emulator = BentoEmulator(
            host=host,
            port=port,
            site_uuid=site_uuid,
            publishable_key=publishable_key,
            secret_key=secret_key,
            rate_limits=None if chosen == "none" else chosen,
            import_delay=import_delay,
        )
        for spec in fault_specs:
            kind, args = fault_call(spec)
            try:
                getattr(emulator.faults, kind)(**args)
            except (TypeError, ValueError) as exc:
                raise CliError(f"--faults {kind}: {exc}", EXIT_USAGE) from None
        try:
            await emulator.start()
        except OSError as exc:
            raise CliError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
        try:
            with _stop_signals() as stop:
                _print_settings(emulator.credentials, chosen, as_json)
                await stop.wait()
        finally:
            await emulator.stop()
        click.echo("Emulator stopped.", err=True)
        return 0

    run(main)


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
