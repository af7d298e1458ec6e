"""Typed models of the Bento API, built by the SDK's cattrs converter."""

from .experimental import (
    BlacklistResult,
    EmailValidation,
    GenderGuess,
    Geolocation,
    JessesRulesetResult,
    ModerationResult,
)
from .fields import Field
from .results import BatchResult, CommandResult
from .stats import (
    AdsAttribution,
    AdsBreakdownRow,
    AdsChartPoint,
    AdsDimension,
    AdsRevenueModeDetails,
    AdsStats,
    AdsTotals,
    ChartStyle,
    ReportPoint,
    ReportStats,
    RevenueMode,
    SegmentStats,
    SiteStats,
    StatsCounts,
)
from .subscribers import Subscriber
from .tags import Tag

__all__ = [
    "AdsAttribution",
    "AdsBreakdownRow",
    "AdsChartPoint",
    "AdsDimension",
    "AdsRevenueModeDetails",
    "AdsStats",
    "AdsTotals",
    "BatchResult",
    "BlacklistResult",
    "ChartStyle",
    "CommandResult",
    "EmailValidation",
    "Field",
    "GenderGuess",
    "Geolocation",
    "JessesRulesetResult",
    "ModerationResult",
    "ReportPoint",
    "ReportStats",
    "RevenueMode",
    "SegmentStats",
    "SiteStats",
    "StatsCounts",
    "Subscriber",
    "Tag",
]
