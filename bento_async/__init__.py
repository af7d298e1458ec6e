"""Async-first, typed SDK for the Bento email-marketing API.

>>> async with AsyncBento() as bento:            # doctest: +SKIP
...     sub = await bento.subscribers.create("jesse@example.com")
"""

from ._client import (
    AsyncBento,
)
from ._config import (
    FAMILIES,
    ClientConfig,
    Family,
    RateLimit,
    RateLimits,
    RedisStore,
    RetryPolicy,
    Timeouts,
)
from ._converter import (
    configure_converter,
    converter,
    make_converter,
)
from ._dates import parse_datetime
from ._errors import (
    ApiError,
    AuthenticationError,
    AuthorNotAuthorizedError,
    BadRequestError,
    BentoError,
    BulkCancelledError,
    BulkInterruptedError,
    CertificateError,
    ChunkCancelledError,
    ClientClosedError,
    ConfigError,
    ConnectError,
    DecodeError,
    InputIssue,
    NotFoundError,
    NotSentError,
    NotVisibleError,
    PermissionDeniedError,
    QueueFullError,
    RateLimitError,
    RateLimitStoreError,
    RateLimitWaitError,
    RequestTimeoutError,
    ServerError,
    TransportError,
    UndeliveredError,
    UnprocessableEntityError,
    ValidationError,
)
from ._hooks import (
    Hooks,
    RequestEvent,
    ResponseEvent,
    RetryEvent,
)
from ._http import (
    Request,
    Response,
)
from ._mock import (
    MockTransport,
)
from ._public import (
    claim as _claim,
)
from ._queue import (
    EventQueue,
)
from ._queue_options import (
    QueueStats,
)
from ._ratelimit import LimiterBackend
from ._tls import InsecureTLSWarning
from ._transport import (
    Transport,
)
from ._version import (
    __version__,
)
from .models import (
    AdsAttribution,
    AdsBreakdownRow,
    AdsChartPoint,
    AdsDimension,
    AdsRevenueModeDetails,
    AdsStats,
    AdsTotals,
    BatchResult,
    BlacklistResult,
    ChartStyle,
    CommandResult,
    EmailValidation,
    Field,
    GenderGuess,
    Geolocation,
    JessesRulesetResult,
    ModerationResult,
    ReportPoint,
    ReportStats,
    RevenueMode,
    SegmentStats,
    SiteStats,
    StatsCounts,
    Subscriber,
    Tag,
)
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
from .models.bulk import (
    BulkProgress,
    BulkResult,
    ChunkOutcome,
    InvalidRecord,
    Lookup,
)
from .models.commands import (
    Command,
    CommandName,
)
from .models.email_templates import (
    EmailTemplate,
    TemplateStats,
    TemplateSummary,
)
from .models.emails import (
    Email,
)
from .models.events import (
    Event,
    EventType,
)
from .models.forms import (
    FormResponse,
    FormResponseData,
)
from .models.pages import (
    Page,
    PageMeta,
)
from .models.search import (
    DateRange,
)
from .models.segments import (
    Segment,
    SegmentMatch,
)
from .models.sequences import (
    DelayInterval,
    EmailSequence,
)
from .models.workflows import (
    Workflow,
    WorkflowStatus,
)

__all__ = [
    "AdsAttribution",
    "AdsBreakdownRow",
    "AdsChartPoint",
    "AdsDimension",
    "AdsRevenueModeDetails",
    "AdsStats",
    "AdsTotals",
    "ApiError",
    "AsyncBento",
    "AuthenticationError",
    "AuthorNotAuthorizedError",
    "BadRequestError",
    "BatchResult",
    "BentoError",
    "BlacklistResult",
    "Broadcast",
    "BroadcastFailure",
    "BroadcastResult",
    "BroadcastStats",
    "BroadcastStatus",
    "BroadcastTemplate",
    "BroadcastType",
    "BulkCancelledError",
    "BulkInterruptedError",
    "BulkProgress",
    "BulkResult",
    "CertificateError",
    "ChartStyle",
    "ChunkCancelledError",
    "ChunkOutcome",
    "ClientClosedError",
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
    "EmailValidation",
    "Event",
    "EventQueue",
    "EventType",
    "FAMILIES",
    "Family",
    "Field",
    "FormResponse",
    "FormResponseData",
    "GenderGuess",
    "Geolocation",
    "Hooks",
    "InputIssue",
    "InsecureTLSWarning",
    "InvalidRecord",
    "JessesRulesetResult",
    "LimiterBackend",
    "Lookup",
    "MockTransport",
    "ModerationResult",
    "NewBroadcast",
    "NotFoundError",
    "NotSentError",
    "NotVisibleError",
    "Page",
    "PageMeta",
    "PermissionDeniedError",
    "QueueFullError",
    "QueueStats",
    "RateLimit",
    "RateLimitError",
    "RateLimitStoreError",
    "RateLimitWaitError",
    "RateLimits",
    "RedisStore",
    "ReportPoint",
    "ReportStats",
    "Request",
    "RequestEvent",
    "RequestTimeoutError",
    "Response",
    "ResponseEvent",
    "RetryEvent",
    "RetryPolicy",
    "RevenueMode",
    "Segment",
    "SegmentMatch",
    "SegmentStats",
    "Sender",
    "ServerError",
    "SiteStats",
    "StatsCounts",
    "Subscriber",
    "Tag",
    "TemplateStats",
    "TemplateSummary",
    "Timeouts",
    "Transport",
    "TransportError",
    "UndeliveredError",
    "UnprocessableEntityError",
    "ValidationError",
    "Workflow",
    "WorkflowStatus",
    "__version__",
    "configure_converter",
    "converter",
    "make_converter",
    "parse_datetime",
]

_claim(globals(), __all__, __name__)
