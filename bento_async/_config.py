"""Client configuration: credentials, timeouts, retry policy and rate limits.

This is the only module that reads the environment.
"""

from __future__ import annotations

import math
import os
import ssl as ssl_module
import urllib.parse
from collections.abc import Mapping
from datetime import timedelta
from typing import TYPE_CHECKING, Literal, NoReturn
from urllib.parse import urlsplit

import attrs

from ._errors import ConfigError
from ._version import __version__

if TYPE_CHECKING:
    import aiohttp

__all__ = [
    "DEFAULT_BASE_URL",
    "ClientConfig",
    "Family",
    "client_repr",
    "refuse_pickling",
    "Network",
    "RateLimit",
    "RateLimits",
    "RedisStore",
    "RetryPolicy",
    "Secret",
    "Timeouts",
    "secret_or_none",
    "seconds",
]

DEFAULT_BASE_URL = "https://app.bentonow.com/api/v1"

Family = Literal["fetch", "batch", "stats", "experimental", "emails"]
"""A rate-limit family. ``emails`` is the send pace of ``batch/emails`` (emails, not requests)."""

FAMILIES: tuple[Family, ...] = ("fetch", "batch", "stats", "experimental", "emails")


def seconds(value: float | timedelta) -> float:
    """Return a duration in seconds, accepting a number or a timedelta."""
    if isinstance(value, timedelta):
        return value.total_seconds()
    return float(value)


def _positive(_: object, attribute: attrs.Attribute[float], value: float) -> None:
    if not (value > 0 and math.isfinite(value)):
        raise ConfigError(f"{attribute.name} must be a positive number of seconds, got {value!r}")


@attrs.frozen
class Timeouts:
    """Per-request timeouts in seconds: ``connect`` for the TCP/TLS handshake, ``total`` overall."""

    connect: float = attrs.field(default=10.0, converter=seconds, validator=_positive)
    total: float = attrs.field(default=30.0, converter=seconds, validator=_positive)


@attrs.frozen
class RetryPolicy:
    """How failed requests are retried.

    ``attempts`` counts the first try. ``deadline`` bounds the whole call, all
    attempts and waits included (None: no bound beyond the attempts).
    ``retry_unsafe`` also retries 5xx, timeouts and connection errors of requests
    that are not safe to repeat (event tracking, email sends).
    """

    attempts: int = 3
    backoff_initial: float = attrs.field(default=0.5, converter=seconds, validator=_positive)
    backoff_max: float = attrs.field(default=8.0, converter=seconds, validator=_positive)
    max_retry_after: float = attrs.field(default=60.0, converter=seconds, validator=_positive)
    deadline: float | None = attrs.field(default=None, converter=attrs.converters.optional(seconds))
    retry_unsafe: bool = False

    def __attrs_post_init__(self) -> None:
        if self.attempts < 1:
            raise ConfigError(f"attempts must be at least 1, got {self.attempts}")
        if self.backoff_max < self.backoff_initial:
            raise ConfigError("backoff_max must not be below backoff_initial")
        if self.deadline is not None and not self.deadline > 0:
            raise ConfigError(f"deadline must be positive, got {self.deadline}")

    @classmethod
    def none(cls) -> RetryPolicy:
        """Return a policy that never retries."""
        return cls(attempts=1)


def _default_burst(limit: int) -> int:
    # The largest burst that still sustains >= 97% of the quota (see RateLimit).
    return max(1, math.floor(limit * 0.03))


@attrs.frozen
class RateLimit:
    """A hard quota: at most ``limit`` requests in any window of ``period`` seconds.

    ``burst`` requests may go at once; after that requests drain at
    ``(limit - burst) / period`` per second, so no window of ``period`` (closed at
    both ends) ever sees more than ``limit`` sends, retries included. The default
    burst is 3% of the limit (at least 1), which sustains at least 97% of the quota
    under constant demand; a quota under 34 keeps one request of headroom and
    sustains ``(limit - 1) / limit``. A quota of 1 sends one request per period
    (two may then be exactly a period apart).

    Raises ConfigError for a limit below 1, a burst outside ``1 .. limit - 1``, or a
    period that is not a positive number of seconds.
    """

    limit: int
    period: float = attrs.field(converter=seconds, validator=_positive)
    burst: int = attrs.field()

    @burst.default
    def _burst_default(self) -> int:
        return _default_burst(self.limit)

    def __attrs_post_init__(self) -> None:
        if self.limit < 1:
            raise ConfigError(f"rate limit must be at least 1, got {self.limit}")
        if not 1 <= self.burst < self.limit and not self.burst == self.limit == 1:
            raise ConfigError(f"burst must be at least 1 and below the limit {self.limit}")

    @property
    def drain_rate(self) -> float:
        """Requests per second admitted once the burst is spent."""
        if self.limit == 1:
            return 1 / self.period
        return (self.limit - self.burst) / self.period


_PROFILES: dict[str, dict[Family, RateLimit]] = {
    "seed": {
        "fetch": RateLimit(3600, 3600.0),
        "batch": RateLimit(500, 3600.0),
        "stats": RateLimit(60, 3600.0),
        "experimental": RateLimit(100, 60.0),
        "emails": RateLimit(60, 60.0),
    },
    "docs": {
        "fetch": RateLimit(100, 60.0),
        "batch": RateLimit(100, 60.0),
        "stats": RateLimit(60, 3600.0),
        "experimental": RateLimit(100, 60.0),
        "emails": RateLimit(60, 60.0),
    },
}


@attrs.frozen
class RateLimits:
    """Client-side limits per family; ``None`` switches a family's limit off."""

    fetch: RateLimit | None = _PROFILES["seed"]["fetch"]
    batch: RateLimit | None = _PROFILES["seed"]["batch"]
    stats: RateLimit | None = _PROFILES["seed"]["stats"]
    experimental: RateLimit | None = _PROFILES["seed"]["experimental"]
    emails: RateLimit | None = _PROFILES["seed"]["emails"]

    @classmethod
    def profile(cls, name: str, **overrides: RateLimit | None) -> RateLimits:
        """Return the named profile (``seed`` or ``docs``) with per-family overrides."""
        try:
            base = _PROFILES[name]
        except KeyError:
            raise ConfigError(
                f"unknown rate-limit profile {name!r}; choose from {sorted(_PROFILES)}"
            ) from None
        unknown = set(overrides) - set(FAMILIES)
        if unknown:
            raise ConfigError(f"unknown rate-limit families: {sorted(unknown)}")
        merged: dict[str, RateLimit | None] = dict(base.items())
        merged.update(overrides)
        return cls(**merged)

    @classmethod
    def off(cls) -> RateLimits:
        """Return limits with every family switched off (for tests against the emulator)."""
        return cls(fetch=None, batch=None, stats=None, experimental=None, emails=None)

    def for_family(self, family: Family) -> RateLimit | None:
        """Return the limit of one family."""
        limit: RateLimit | None = getattr(self, family)
        return limit


def redact_url(url: str) -> str:
    """Return ``url`` with any password replaced by ``***`` (for reprs and messages)."""
    parts = urllib.parse.urlsplit(url)
    if parts.password is None:
        return url
    user = parts.username or ""
    host = parts.hostname or ""
    if parts.port is not None:
        host = f"{host}:{parts.port}"
    return urllib.parse.urlunsplit(parts._replace(netloc=f"{user}:***@{host}"))


_REDIS_SCHEMES = ("redis://", "rediss://", "unix://")


def _redis_url(_: object, attribute: attrs.Attribute[str], value: str) -> None:
    if not isinstance(value, str) or not value.startswith(_REDIS_SCHEMES):
        shown = redact_url(value) if isinstance(value, str) else repr(value)
        raise ConfigError(
            f"rate_limit_store must be a redis://, rediss:// or unix:// URL, got {shown}"
        )


def _on_error(_: object, attribute: attrs.Attribute[str], value: str) -> None:
    if value not in ("local", "fail"):
        raise ConfigError(f"on_error must be 'local' or 'fail', got {value!r}")


@attrs.frozen
class RedisStore:
    """Share the rate limits of one Bento site between processes through Redis.

    Every client with the same ``url``, ``prefix`` and site draws on one quota per
    family. ``timeout`` bounds each Redis round trip. When Redis cannot be reached
    or is slower than that, ``on_error="local"`` (the default) falls back to the
    in-process limits with one WARNING and rejoins when Redis answers again;
    ``on_error="fail"`` raises RateLimitStoreError and sends nothing. Needs the
    ``redis`` extra (``pip install 'bento-sdk[redis]'``). The password in ``url``
    never shows in a repr or message.

    Raises ConfigError for a URL that is not redis://, rediss:// or unix://, an
    unknown ``on_error``, an empty prefix or a timeout that is not positive.
    """

    url: str = attrs.field(validator=_redis_url, repr=redact_url)
    prefix: str = "bento"
    on_error: Literal["local", "fail"] = attrs.field(default="local", validator=_on_error)
    timeout: float = attrs.field(default=0.5, converter=seconds, validator=_positive)

    def __attrs_post_init__(self) -> None:
        if not self.prefix:
            raise ConfigError("the Redis key prefix must not be empty")


def store_from(value: str | RedisStore | None) -> RedisStore | None:
    """Return the store a ``rate_limit_store`` setting names (a URL or a RedisStore).

    Raises ConfigError for a string that is not a Redis URL.
    """
    if value is None or isinstance(value, RedisStore):
        return value
    return RedisStore(value)


DEFAULT_MAX_RESPONSE_BYTES = 16 * 1024 * 1024
"""The default cap on a response body (after decompression): far above any Bento reply."""


class Secret:
    """A key or header value whose repr and str never show it; :meth:`reveal` does.

    Held in place of the plain string so that tracebacks rendered with their locals
    (Sentry, rich, pytest) show ``Secret('***')``. It refuses to be pickled.
    """

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    @classmethod
    def of(cls, value: str | Secret) -> Secret:
        """Wrap a string (a Secret is returned as it is)."""
        return value if isinstance(value, Secret) else cls(value)

    def reveal(self) -> str:
        """Return the plain value."""
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __reduce__(self) -> tuple[object, ...]:
        raise TypeError("a Bento key cannot be pickled")


def _as_secret(value: str | Secret) -> Secret:
    return Secret.of(value)


def secret_or_none(value: str | Secret | None) -> Secret | None:
    """Wrap a key in a Secret; None for a missing or empty one."""
    return None if value is None or value == "" else Secret.of(value)


def _user_agent() -> str:
    return f"bento-python-sdk/{__version__}"


@attrs.frozen
class ClientConfig:
    """Everything a client needs. Keys never appear in its repr."""

    publishable_key: Secret = attrs.field(repr=False, converter=_as_secret)
    secret_key: Secret = attrs.field(repr=False, converter=_as_secret)
    site_uuid: str
    base_url: str = DEFAULT_BASE_URL
    timeouts: Timeouts = Timeouts()
    retry: RetryPolicy = RetryPolicy()
    rate_limits: RateLimits = RateLimits()
    user_agent: str = attrs.field(factory=_user_agent)
    rate_limit_store: RedisStore | None = None
    max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES

    def __attrs_post_init__(self) -> None:
        for name in ("publishable_key", "secret_key"):
            if not _filled(getattr(self, name).reveal()):
                raise ConfigError(f"{name} must be a non-empty string")
        if not _filled(self.site_uuid):
            raise ConfigError("site_uuid must be a non-empty string")
        if not self.base_url.startswith(("http://", "https://")):
            raise ConfigError("base_url must start with http:// or https://")
        _check_user_agent(self.user_agent)
        size = self.max_response_bytes
        if isinstance(size, bool) or not isinstance(size, int) or size < 1024:
            raise ConfigError(
                f"max_response_bytes must be an integer of at least 1024, got {size!r}"
            )

    @classmethod
    def resolve(
        cls,
        *,
        publishable_key: str | Secret | None = None,
        secret_key: str | Secret | None = None,
        site_uuid: str | None = None,
        base_url: str | None = None,
        rate_limit_store: str | RedisStore | None = None,
        environ: Mapping[str, str] | None = None,
        **rest: object,
    ) -> ClientConfig:
        """Build a config from arguments, falling back to ``BENTO_*`` environment variables.

        ``BENTO_RATE_LIMIT_STORE`` (a Redis URL) stands in for ``rate_limit_store``.
        """
        env = os.environ if environ is None else environ
        pk = secret_or_none(publishable_key) or secret_or_none(env.get("BENTO_PUBLISHABLE_KEY"))
        sk = secret_or_none(secret_key) or secret_or_none(env.get("BENTO_SECRET_KEY"))
        site = site_uuid or env.get("BENTO_SITE_UUID")
        missing = [
            f"{arg} (or ${var})"
            for arg, var, value in (
                ("publishable_key", "BENTO_PUBLISHABLE_KEY", pk),
                ("secret_key", "BENTO_SECRET_KEY", sk),
                ("site_uuid", "BENTO_SITE_UUID", site),
            )
            if not value
        ]
        if missing:
            raise ConfigError("missing Bento credentials: " + ", ".join(missing))
        assert pk is not None
        assert sk is not None
        assert site is not None
        url = (base_url or env.get("BENTO_BASE_URL") or DEFAULT_BASE_URL).rstrip("/")
        given = {k: v for k, v in rest.items() if v is not None}
        store = store_from(rate_limit_store or env.get("BENTO_RATE_LIMIT_STORE") or None)
        return cls(pk, sk, site, url, **given, rate_limit_store=store)  # type: ignore[arg-type]


def client_repr(kind: str, config: ClientConfig | None) -> str:
    """Return a client's repr (no key in it); ``config`` is None while it is being built."""
    if config is None:
        return f"{kind}(<not configured>)"
    return f"{kind}(site_uuid={config.site_uuid!r}, base_url={config.base_url!r})"


def refuse_pickling(kind: str, holds: str) -> NoReturn:
    """Raise the TypeError a client gives when pickled (it would write its keys out)."""
    raise TypeError(
        f"a {kind} client cannot be pickled: it holds keys, {holds}; build a client in "
        "each process from its settings (or BENTO_* variables)"
    )


def _filled(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _check_user_agent(value: object) -> None:
    """Refuse a User-Agent Bento would block (blank) or HTTP cannot carry (control chars)."""
    if not _filled(value):
        raise ConfigError("user_agent must not be empty: Bento blocks requests without one")
    assert isinstance(value, str)
    if any(ord(c) < 32 or ord(c) == 127 for c in value):
        raise ConfigError("user_agent must not contain control characters (CR, LF, NUL...)")


def env_proxy(url: str, environ: Mapping[str, str] | None = None) -> str | None:
    """Return the proxy the environment sets for ``url``, as requests and httpx read it.

    ``HTTPS_PROXY`` for https URLs, ``HTTP_PROXY`` for http ones, ``ALL_PROXY`` for
    either (lower-case names win), unless ``NO_PROXY`` names the host.
    """
    env = os.environ if environ is None else environ
    lowered: dict[str, str] = {}
    for key, value in env.items():
        name = key.lower()
        if value and name.endswith("_proxy") and (key == name or name not in lowered):
            lowered[name] = value
    parts = urlsplit(url)
    host = parts.hostname or ""
    proxy = lowered.get(f"{parts.scheme}_proxy") or lowered.get("all_proxy")
    if not proxy or _bypassed(host, parts.port, lowered.get("no_proxy", "")):
        return None
    return proxy if "://" in proxy else f"http://{proxy}"


def _bypassed(host: str, port: int | None, no_proxy: str) -> bool:
    for entry in (e.strip().lower() for e in no_proxy.split(",")):
        if not entry:
            continue
        if entry == "*":
            return True
        name = entry.lstrip(".")
        if ":" in name and not name.startswith("["):
            name, _, wanted = name.partition(":")
            if str(port) != wanted:
                continue
        if host.lower() == name or host.lower().endswith("." + name):
            return True
    return False


@attrs.frozen
class Network:
    """How a client reaches Bento: a proxy, TLS verification, or the caller's own session.

    ``proxy`` wins over the environment; with ``trust_env`` (the default) the
    ``HTTP(S)_PROXY`` / ``ALL_PROXY`` / ``NO_PROXY`` variables are honoured. A
    ``session`` is used as it is (its own proxy, environment, TLS and connection
    settings; an explicit ``proxy`` or ``ssl`` still applies per request) and never
    closed by the client.
    """

    proxy: str | None = None
    trust_env: bool = True
    ssl: ssl_module.SSLContext | bool = True
    session: aiohttp.ClientSession | None = attrs.field(default=None, repr=False)

    def proxy_for(self, url: str) -> str | None:
        """Return the proxy to send requests for ``url`` through, or None."""
        if self.proxy is not None:
            return self.proxy
        return env_proxy(url) if self.trust_env else None
