"""Where a command connects (credentials, ``--emulator``), and how it runs and fails.

Every command that calls the API takes the same options. Keys come from the flags or from
``BENTO_PUBLISHABLE_KEY``, ``BENTO_SECRET_KEY``, ``BENTO_SITE_UUID`` (and ``BENTO_BASE_URL``);
they are never printed, and any message that would hold one is scrubbed.

Exit codes: 0 success, 1 a failure (an API error, records that failed), 2 a usage or
configuration error, 130 interrupted by Ctrl-C.
"""

from __future__ import annotations

import asyncio
import functools
import os
import signal
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager
from typing import Any, NoReturn, TypeVar

import attrs
import click

from bento_async import (
    AsyncBento,
    AuthenticationError,
    BentoError,
    ConfigError,
    PermissionDeniedError,
    RateLimits,
    TransportError,
    ValidationError,
)

from ._columns import HeaderError

__all__ = [
    "EXIT_FAILURE",
    "EXIT_INTERRUPTED",
    "EXIT_USAGE",
    "CliError",
    "Connection",
    "Interrupted",
    "connection_options",
    "describe_error",
    "open_client",
    "run",
]

F = TypeVar("F", bound=Callable[..., Any])

EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130

_CREDENTIALS = "BENTO_PUBLISHABLE_KEY / BENTO_SECRET_KEY / BENTO_SITE_UUID"


class CliError(Exception):
    """A failure the command reports in one line, with its exit code."""

    def __init__(self, message: str, code: int = EXIT_FAILURE) -> None:
        super().__init__(message)
        self.code = code


class Interrupted(Exception):
    """Ctrl-C stopped the command; ``report`` says what had been done by then."""

    def __init__(self, report: str) -> None:
        super().__init__(report)
        self.report = report


@attrs.frozen
class Connection:
    """Where to send requests: explicit credentials (or the environment's), or an emulator."""

    publishable_key: str | None = attrs.field(default=None, repr=False)
    secret_key: str | None = attrs.field(default=None, repr=False)
    site_uuid: str | None = None
    base_url: str | None = None
    emulator: bool = False
    rate_limits: str = "seed"
    rate_limit_store: str | None = attrs.field(default=None, repr=False)
    proxy: str | None = attrs.field(default=None, repr=False)  # may hold credentials
    trust_env: bool = True
    ca_bundle: str | None = None
    insecure: bool = False

    def secrets(self) -> list[str]:
        """Return every key this connection could send, to scrub from messages."""
        values = [
            self.publishable_key,
            self.secret_key,
            os.environ.get("BENTO_PUBLISHABLE_KEY"),
            os.environ.get("BENTO_SECRET_KEY"),
        ]
        return [v for v in values if v]

    def network(self) -> dict[str, Any]:
        """Return the client's network options: proxy, environment, TLS verification."""
        ssl = False if self.insecure else self.ca_bundle
        return {"proxy": self.proxy, "trust_env": self.trust_env, "ssl": ssl}

    def limits(self) -> RateLimits:
        """Return the client-side rate limits chosen with ``--rate-limits``."""
        return (
            RateLimits.off() if self.rate_limits == "off" else RateLimits.profile(self.rate_limits)
        )


def connection_options(command: F) -> F:
    """Add the connection options to a command; it receives them as ``connection``."""
    options = [
        click.option("--publishable-key", help="Publishable key [env: BENTO_PUBLISHABLE_KEY]."),
        click.option("--secret-key", help="Secret key [env: BENTO_SECRET_KEY]."),
        click.option("--site-uuid", help="Site UUID [env: BENTO_SITE_UUID]."),
        click.option("--base-url", help="API base URL [env: BENTO_BASE_URL]."),
        click.option(
            "--emulator",
            is_flag=True,
            help="Run against a fresh embedded emulator: no account needed, nothing kept.",
        ),
        click.option(
            "--rate-limits",
            type=click.Choice(["seed", "docs", "off"]),
            default="seed",
            show_default=True,
            help="Client-side rate-limit profile.",
        ),
        click.option(
            "--rate-limit-store",
            metavar="URL",
            help="Share the rate limits with other processes through Redis "
            "(redis://host:6379/0) [env: BENTO_RATE_LIMIT_STORE].",
        ),
        click.option("--proxy", help="HTTP proxy URL (default: HTTPS_PROXY / HTTP_PROXY)."),
        click.option(
            "--trust-env/--no-trust-env",
            default=True,
            show_default=True,
            help="Honour HTTP(S)_PROXY, ALL_PROXY and NO_PROXY.",
        ),
        click.option(
            "--ca-bundle",
            type=click.Path(exists=True, dir_okay=False),
            help="CA bundle (PEM) to verify the server's certificate against.",
        ),
        click.option(
            "--insecure",
            is_flag=True,
            help="Do not verify the server's TLS certificate (local tests only).",
        ),
    ]

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        connection = Connection(
            publishable_key=kwargs.pop("publishable_key"),
            secret_key=kwargs.pop("secret_key"),
            site_uuid=kwargs.pop("site_uuid"),
            base_url=kwargs.pop("base_url"),
            emulator=kwargs.pop("emulator"),
            rate_limits=kwargs.pop("rate_limits"),
            rate_limit_store=kwargs.pop("rate_limit_store"),
            proxy=kwargs.pop("proxy"),
            trust_env=kwargs.pop("trust_env"),
            ca_bundle=kwargs.pop("ca_bundle"),
            insecure=kwargs.pop("insecure"),
        )
        return command(*args, connection=connection, **kwargs)

    for option in reversed(options):
        wrapper = option(wrapper)
    return wrapper  # type: ignore[return-value]


def _missing(connection: Connection) -> list[str]:
    given = (
        ("BENTO_PUBLISHABLE_KEY", "--publishable-key", connection.publishable_key),
        ("BENTO_SECRET_KEY", "--secret-key", connection.secret_key),
        ("BENTO_SITE_UUID", "--site-uuid", connection.site_uuid),
    )
    return [f"{var} (or {flag})" for var, flag, value in given if not value and not os.getenv(var)]


@asynccontextmanager
async def open_client(
    connection: Connection, *, offline: bool = False
) -> AsyncIterator[AsyncBento]:
    """Yield a client for the connection, on a fresh emulator for ``--emulator``.

    ``offline`` is for work that sends nothing (a dry run): missing credentials are then
    stood in for. Raises CliError naming the settings to give when credentials are missing.
    """
    if connection.emulator:
        from bento_emulator import BentoEmulator

        async with (
            BentoEmulator() as emulator,
            AsyncBento(
                **emulator.credentials,
                rate_limits=connection.limits(),
                rate_limit_store=connection.rate_limit_store,
                trust_env=False,
            ) as bento,
        ):
            yield bento
        return
    missing = _missing(connection)
    if missing and offline:
        connection = attrs.evolve(
            connection, publishable_key="offline", secret_key="offline", site_uuid="offline"
        )
    elif missing:
        raise CliError(
            "missing Bento credentials: set " + ", ".join(missing) + " (or use --emulator)",
            EXIT_USAGE,
        )
    async with AsyncBento(
        publishable_key=connection.publishable_key,
        secret_key=connection.secret_key,
        site_uuid=connection.site_uuid,
        base_url=connection.base_url,
        rate_limits=connection.limits(),
        rate_limit_store=connection.rate_limit_store,
        **connection.network(),
    ) as bento:
        yield bento


def describe_error(exc: BaseException) -> str:
    """Return one line saying what went wrong and, where it helps, which setting to check."""
    if isinstance(exc, AuthenticationError):
        return f"authentication failed ({exc.status}): check {_CREDENTIALS}"
    if isinstance(exc, PermissionDeniedError):
        return f"access denied ({exc.status}): {exc.message}; check {_CREDENTIALS}"
    if isinstance(exc, TransportError):
        return f"could not reach the API ({exc.detail}): check BENTO_BASE_URL"
    if isinstance(exc, ValidationError):
        return "; ".join(str(issue) for issue in exc.issues[:3])
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def _scrub(text: str, secrets: Iterable[str]) -> str:
    for secret in secrets:
        text = text.replace(secret, "***")
    return text


def fail(message: str, code: int, secrets: Iterable[str] = ()) -> NoReturn:
    """Print ``bento: message`` on stderr (keys scrubbed) and exit with ``code``."""
    click.echo(f"bento: {_scrub(message, secrets)}", err=True)
    sys.exit(code)


def run(main: Callable[[], Awaitable[int]], connection: Connection | None = None) -> NoReturn:
    """Run a command's coroutine and exit with its status, mapping failures to one line.

    Ctrl-C cancels the coroutine; one that catches the cancellation raises Interrupted with
    a report of what was done, which is printed before exiting with 130.
    """
    secrets = connection.secrets() if connection is not None else []
    try:
        code = asyncio.run(_interruptible(main))
    except Interrupted as exc:
        fail(f"interrupted: {exc.report}", EXIT_INTERRUPTED, secrets)
    except (KeyboardInterrupt, asyncio.CancelledError):
        fail("interrupted", EXIT_INTERRUPTED, secrets)
    except CliError as exc:
        fail(str(exc), exc.code, secrets)
    except ConfigError as exc:
        fail(str(exc), EXIT_USAGE, secrets)
    except BentoError as exc:
        fail(describe_error(exc), EXIT_FAILURE, secrets)
    except HeaderError as exc:
        fail(str(exc), EXIT_USAGE, secrets)
    except OSError as exc:
        fail(f"{exc.strerror or exc}: {exc.filename}" if exc.filename else str(exc), EXIT_FAILURE)
    sys.exit(code)


async def _interruptible(main: Callable[[], Awaitable[int]]) -> int:
    """Run ``main`` with Ctrl-C cancelling it (where the loop can take over SIGINT)."""
    loop = asyncio.get_running_loop()
    task = asyncio.current_task()
    assert task is not None
    try:
        loop.add_signal_handler(signal.SIGINT, task.cancel)
    except (NotImplementedError, RuntimeError, ValueError):  # not the main thread, or Windows
        return await main()
    try:
        return await main()
    finally:
        loop.remove_signal_handler(signal.SIGINT)
