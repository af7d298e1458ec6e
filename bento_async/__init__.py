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
from .models.broadcasts import (
    Broadcast,
    BroadcastFailure,
    BroadcastResult,
    BroadcastStats,
    BroadcastStatus,
    BroadcastTemplate,
    BroadcastType,
    CreatedBroadcast,
    NewBroadcast,
    Sender,
)
from .models.commands import Command, CommandName
from .models.email_templates import EmailTemplate, TemplateStats, TemplateSummary
from .models.emails import Email
from .models.events import Event, EventType
from .models.forms import FormResponse, FormResponseData
from .models.pages import Page, PageMeta
from .models.search import DateRange
from .models.segments import Segment, SegmentMatch
from .models.sequences import DelayInterval, EmailSequence
from .models.workflows import Workflow, WorkflowStatus

__all__ = [
    "ApiError",
    "AsyncBento",
    "AuthenticationError",
    "AuthorNotAuthorizedError",
    "BadRequestError",
    "BatchResult",
    "BentoError",
    "Broadcast",
    "BroadcastFailure",
    "BroadcastResult",
    "BroadcastStats",
    "BroadcastStatus",
    "BroadcastTemplate",
    "BroadcastType",
    "ClientConfig",
    "Command",
    "CommandName",
    "CommandResult",
    "ConfigError",
    "ConnectError",
    "CreatedBroadcast",
    "DateRange",
    "DecodeError",
    "DelayInterval",
    "Email",
    "EmailSequence",
    "EmailTemplate",
    "Event",
    "EventType",
    "Field",
    "FormResponse",
    "FormResponseData",
    "Hooks",
    "InputIssue",
    "NewBroadcast",
    "NotFoundError",
    "Page",
    "PageMeta",
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
    "Segment",
    "SegmentMatch",
    "Sender",
    "ServerError",
    "Subscriber",
    "Tag",
    "TemplateStats",
    "TemplateSummary",
    "Timeouts",
    "TransportError",
    "UnprocessableEntityError",
    "ValidationError",
    "Workflow",
    "WorkflowStatus",
    "__version__",
    "configure_converter",
    "converter",
    "make_converter",
]
