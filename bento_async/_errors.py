"""The error tree. Every error the SDK raises derives from :class:`BentoError`.

::

    BentoError
    ├── ConfigError                  bad or missing client configuration (ValueError)
    ├── ValidationError              bad input, raised before anything is sent (ValueError)
    ├── RateLimitWaitError           waiting for a rate-limit slot would exceed the caller's cap
    ├── RateLimitStoreError          the shared rate-limit store (Redis) failed; nothing was sent
    ├── ChunkCancelledError          a bulk chunk was not sent, or its outcome is unknown, because
    │                                the bulk call was cancelled (found in ``ChunkOutcome.error``)
    ├── NotSentError                 a bulk chunk or lookup was never sent: an error no later
    │                                request could escape (``reason``) ended the run first
    ├── ClientClosedError            the client was closed before the call (also a RuntimeError)
    ├── TransportError               no HTTP response at all
    │   ├── ConnectError             could not connect / connection dropped
    │   │   └── CertificateError     the server's TLS certificate failed verification (never
    │   │                            retried: it cannot succeed on a second try)
    │   └── RequestTimeoutError      the request timed out (also a builtin TimeoutError)
    ├── DecodeError                  a success response whose body does not fit
    └── ApiError                     the API answered with an error status
        ├── BadRequestError              400
        ├── AuthenticationError          401
        ├── PermissionDeniedError        403
        ├── NotFoundError                404
        ├── UnprocessableEntityError     422
        ├── RateLimitError               429 (``retry_after`` in seconds, or None)
        ├── ServerError                  5xx
        └── AuthorNotAuthorizedError     "Author not authorized to send on this account"

Cancelling a bulk call is not an error: it raises :class:`BulkCancelledError` (an
``asyncio.CancelledError``) or, through the sync client, :class:`BulkInterruptedError` (a
``KeyboardInterrupt``); both carry the partial ``BulkResult[Any]`` in ``result``.

``str(exc)`` is always one line: method, path, status and the API's own message.
No message, repr or attribute ever holds a key or the Authorization header. Every error
pickles (Celery, multiprocessing, ``ProcessPoolExecutor``) and comes back with its type,
message and attributes.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import attrs

if TYPE_CHECKING:
    from .models.bulk import BulkResult

__all__ = [
    "ApiError",
    "AuthenticationError",
    "AuthorNotAuthorizedError",
    "BadRequestError",
    "BentoError",
    "BulkCancelledError",
    "BulkInterruptedError",
    "CertificateError",
    "ChunkCancelledError",
    "ClientClosedError",
    "ConfigError",
    "ConnectError",
    "DecodeError",
    "InputIssue",
    "NotFoundError",
    "NotSentError",
    "PermissionDeniedError",
    "RateLimitError",
    "RateLimitStoreError",
    "RateLimitWaitError",
    "RequestTimeoutError",
    "ServerError",
    "TransportError",
    "UnprocessableEntityError",
    "ValidationError",
]


def _restore(cls: type[BaseException], args: tuple[Any, ...], state: dict[str, Any]) -> Any:
    """Rebuild an unpickled error without calling its ``__init__`` (keyword-only arguments)."""
    error = cls.__new__(cls, *args)
    error.args = args
    error.__dict__.update(state)
    return error


class _Picklable:
    """Pickles as its class, ``args`` and attributes, whatever ``__init__`` takes."""

    args: tuple[Any, ...]

    def __reduce__(self) -> tuple[Any, ...]:
        return (_restore, (type(self), self.args, dict(self.__dict__)))


class BentoError(_Picklable, Exception):
    """Root of every error raised by the Bento SDK."""


class ConfigError(BentoError, ValueError):
    """The client configuration is missing or invalid."""


def shorten(text: str, limit: int) -> str:
    """Return ``text`` cut in the middle to at most ``limit`` characters, saying how long it was.

    Messages quote the caller's input; a 10 MB email must not make a 10 MB message.
    Start and end both stay: the end usually says what is wrong.
    """
    if len(text) <= limit:
        return text
    marker = f"...[{len(text)} characters]..."
    tail = limit // 3
    return f"{text[: limit - tail - len(marker)]}{marker}{text[-tail:]}"


def _short_path(text: str) -> str:
    return shorten(text, 120)


def _short_message(text: str) -> str:
    return shorten(text, 300)


@attrs.frozen
class InputIssue:
    """One problem with caller input: where it is (a dotted path) and what is wrong.

    Both are shortened (see :func:`shorten`), so a huge input never makes a huge message.
    """

    path: str = attrs.field(converter=_short_path)
    message: str = attrs.field(converter=_short_message)

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class ValidationError(BentoError, ValueError):
    """Caller input was rejected before any request was sent.

    ``issues`` lists every problem found, each with a dotted path such as
    ``events[3].email``.
    """

    def __init__(self, issues: Sequence[InputIssue] | str) -> None:
        if isinstance(issues, str):
            issues = [InputIssue("", issues)]
        self.issues: tuple[InputIssue, ...] = tuple(issues)
        shown = "; ".join(str(i) for i in self.issues[:5])
        more = len(self.issues) - 5
        if more > 0:
            shown += f"; and {more} more"
        super().__init__(f"invalid input: {shown}")


class RateLimitWaitError(BentoError):
    """Waiting for a rate-limit slot would take longer than the caller allowed.

    ``needed`` is the (estimated) wait, ``allowed`` the cap: the caller's
    ``max_wait`` or what was left of the retry deadline. ``attempts`` counts the
    requests already sent for this call; ``retry_after`` is the last Retry-After
    the API gave for it, in seconds, or None.
    """

    def __init__(
        self,
        family: str,
        needed: float,
        allowed: float,
        *,
        attempts: int = 0,
        retry_after: float | None = None,
    ) -> None:
        self.family = family
        self.needed = needed
        self.allowed = allowed
        self.attempts = attempts
        self.retry_after = retry_after
        super().__init__(family, needed, allowed)

    def __str__(self) -> str:
        suffix = f" (after {self.attempts} attempts)" if self.attempts else ""
        return (
            f"rate limit for {self.family!r} needs a wait of {self.needed:.2f}s, more than "
            f"the {self.allowed:.2f}s allowed{suffix}"
        )


class RateLimitStoreError(BentoError):
    """The shared rate-limit store could not be reached in time; the request was not sent.

    Raised only with ``RedisStore(on_error="fail")``. The message names the store with
    its password hidden.
    """


class TransportError(BentoError):
    """No HTTP response was received (connection failure or timeout).

    ``attempts`` counts the requests sent for the call; ``retry_after`` is the
    last Retry-After an earlier attempt got (seconds), or None.
    """

    def __init__(self, message: str, *, method: str, path: str, attempts: int = 1) -> None:
        self.method = method
        self.path = path
        self.attempts = attempts
        self.retry_after: float | None = None
        self.detail = message
        super().__init__(f"{method} {path}: {message}")

    def __str__(self) -> str:
        suffix = f" (after {self.attempts} attempts)" if self.attempts > 1 else ""
        return f"{self.method} {self.path}: {self.detail}{suffix}"


class ConnectError(TransportError):
    """The connection could not be made or was dropped before a response.

    ``maybe_processed`` is False when the request certainly never reached the
    server (the connection could not be opened), so repeating it is always safe.
    """

    def __init__(
        self,
        message: str,
        *,
        method: str,
        path: str,
        attempts: int = 1,
        maybe_processed: bool = True,
    ) -> None:
        super().__init__(message, method=method, path=path, attempts=attempts)
        self.maybe_processed = maybe_processed


class CertificateError(ConnectError):
    """The server's TLS certificate failed verification; the request was never sent.

    Not retried: the same certificate fails the same way. Pass ``ssl=`` (a CA bundle
    path or an ``ssl.SSLContext``) when a proxy or a private CA re-signs traffic.
    """


class RequestTimeoutError(TransportError, TimeoutError):
    """The request did not complete within its timeout."""


class DecodeError(BentoError):
    """A success response whose body is not the JSON the SDK expects."""

    def __init__(self, message: str, *, method: str, path: str, status: int, body: str) -> None:
        self.method = method
        self.path = path
        self.status = status
        self.body = body
        super().__init__(f"{method} {path} -> {status}: {message}")


class ApiError(BentoError):
    """The API answered with an error status.

    Attributes: ``status``, ``message`` (the API's own words), ``method``,
    ``path``, ``body`` (decoded JSON when it was JSON, else text), ``attempts``
    (requests sent for the call) and ``retry_after`` (this answer's Retry-After
    in seconds or, failing that, the last one an earlier attempt got; or None).
    """

    def __init__(
        self,
        message: str,
        *,
        status: int,
        method: str,
        path: str,
        body: Any = None,
        attempts: int = 1,
        retry_after: float | None = None,
    ) -> None:
        self.message = message
        self.status = status
        self.method = method
        self.path = path
        self.body = body
        self.attempts = attempts
        self.retry_after = retry_after
        super().__init__(message)

    def __str__(self) -> str:
        suffix = f" (after {self.attempts} attempts)" if self.attempts > 1 else ""
        return f"{self.method} {self.path} -> {self.status}: {self.message}{suffix}"

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(status={self.status}, method={self.method!r}, "
            f"path={self.path!r}, message={self.message!r})"
        )


class BadRequestError(ApiError):
    """400: the body or parameters were invalid."""


class AuthenticationError(ApiError):
    """401: missing or wrong keys, or a missing or foreign ``site_uuid``."""


class PermissionDeniedError(ApiError):
    """403: the request was blocked (often a missing User-Agent) or access is not granted."""


class NotFoundError(ApiError):
    """404: wrong path or method, or the resource does not exist."""


class UnprocessableEntityError(ApiError):
    """422: the shape was accepted but a business rule failed."""


class RateLimitError(ApiError):
    """429: too many requests (or email sends). ``retry_after`` is in seconds, or None."""


class ServerError(ApiError):
    """5xx: a transient problem on Bento's side."""


class AuthorNotAuthorizedError(ApiError):
    """The ``from`` address of an email is not an author of this account."""


class ChunkCancelledError(BentoError):
    """A bulk call was cancelled before this chunk was answered.

    ``maybe_processed`` is False when the chunk was never sent, so replaying its
    records is always safe; True when its request was in flight and the API may
    have processed it.
    """

    def __init__(self, *, maybe_processed: bool) -> None:
        self.maybe_processed = maybe_processed
        what = (
            "cancelled in flight: the API may have processed it"
            if maybe_processed
            else "not sent: the bulk call was cancelled first"
        )
        super().__init__(f"chunk {what}")


class NotSentError(BentoError):
    """A bulk chunk or lookup was never sent: the run had already met a fatal error.

    ``reason`` is that error (a 401, a 403, a closed client, a TLS failure...): no
    request could have succeeded, so the run stopped sending. Replaying the records
    once the cause is fixed is always safe. ``maybe_processed`` is always False.
    """

    maybe_processed = False

    def __init__(self, reason: BentoError) -> None:
        self.reason = reason
        super().__init__(f"not sent: the run stopped after {reason}")

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.reason,))


class ClientClosedError(BentoError, RuntimeError):
    """The client was closed before this call; nothing was sent."""


class BulkCancelledError(_Picklable, asyncio.CancelledError):
    """The task running a bulk call was cancelled; ``result`` is the partial BulkResult.

    It is an ``asyncio.CancelledError``, so cancellation propagates as usual. Awaiting
    the cancelled task re-raises this very error on Python 3.11 and later; Python 3.10
    raises a fresh CancelledError with this one as its context, so use
    :meth:`result_of` to reach the partial result on any version.
    """

    def __init__(self, result: BulkResult[Any], *args: object) -> None:
        super().__init__(*args)
        self.result = result

    @staticmethod
    def result_of(error: BaseException) -> BulkResult[Any] | None:
        """Return the partial result carried by ``error`` or the errors it arose from."""
        seen: set[int] = set()
        current: BaseException | None = error
        while current is not None and id(current) not in seen:
            if isinstance(current, BulkCancelledError):
                return current.result
            seen.add(id(current))
            current = current.__cause__ or current.__context__
        return None


class BulkInterruptedError(_Picklable, KeyboardInterrupt):
    """Ctrl-C stopped a bulk call of the sync client; ``result`` is the partial BulkResult.

    It is a ``KeyboardInterrupt``, so the program still stops unless it catches it.
    """

    def __init__(self, result: BulkResult[Any]) -> None:
        super().__init__()
        self.result = result

    def __str__(self) -> str:
        return f"interrupted: {self.result!r}"
