"""Async-first, typed SDK for the Bento email-marketing API.

>>> async with AsyncBento() as bento:            # doctest: +SKIP
...     sub = await bento.subscribers.create("jesse@example.com")
"""

from ._client import AsyncBento
from ._config import ClientConfig, RateLimit, RateLimits, RetryPolicy, Timeouts
from ._converter import configure_converter, converter, make_converter
from ._errors import (
    ApiError,
    AuthenticationError,
    AuthorNotAuthorizedError,
    BadRequestError,
    BentoError,
    BulkCancelledError,
    BulkInterruptedError,
    ChunkCancelledError,
    ConfigError,
    ConnectError,
    DecodeError,
    InputIssue,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    RateLimitWaitError,
    RequestTimeoutError,
    ServerError,
    TransportError,
    UnprocessableEntityError,
    ValidationError,
)
from ._hooks import Hooks, RequestEvent, ResponseEvent, RetryEvent
from ._version import __version__
from .models import BatchResult, CommandResult, Field, Subscriber, Tag
from .models.bulk import BulkProgress, BulkResult, ChunkOutcome, InvalidRecord, Lookup
from .models.commands import Command, CommandName
from .models.events import Event, EventType

__all__ = [
    "ApiError",
    "AsyncBento",
    "AuthenticationError",
    "AuthorNotAuthorizedError",
    "BadRequestError",
    "BatchResult",
    "BentoError",
    "BulkCancelledError",
    "BulkInterruptedError",
    "BulkProgress",
    "BulkResult",
    "ChunkCancelledError",
    "ChunkOutcome",
    "ClientConfig",
    "Command",
    "CommandName",
    "CommandResult",
    "ConfigError",
    "ConnectError",
    "DecodeError",
    "Event",
    "EventType",
    "Field",
    "Hooks",
    "InputIssue",
    "InvalidRecord",
    "Lookup",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimit",
    "RateLimitError",
    "RateLimitWaitError",
    "RateLimits",
    "RequestEvent",
    "RequestTimeoutError",
    "ResponseEvent",
    "RetryEvent",
    "RetryPolicy",
    "ServerError",
    "Subscriber",
    "Tag",
    "Timeouts",
    "TransportError",
    "UnprocessableEntityError",
    "ValidationError",
    "__version__",
    "configure_converter",
    "converter",
    "make_converter",
]
