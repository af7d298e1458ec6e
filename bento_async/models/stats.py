"""Site, segment, report and ads statistics (``stats/*``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from ._base import ApiObject
from ._enums import OpenEnum
from ._frozen import EMPTY

__all__ = [
    "AdsAttribution",
    "AdsBreakdownRow",
    "AdsChartPoint",
    "AdsDimension",
    "AdsRevenueModeDetails",
    "AdsStats",
    "AdsTotals",
    "ChartStyle",
    "ReportData",
    "ReportPoint",
    "ReportStats",
    "RevenueMode",
    "SegmentStats",
    "SiteStats",
    "StatsCounts",
]


class ChartStyle(OpenEnum):
    """How Bento draws a report."""

    COUNTER = "counter"
    COLUMN_CHART = "column_chart"
    AREA_CHART = "area_chart"
    LINE_CHART = "line_chart"


class AdsDimension(OpenEnum):
    """What ads statistics are broken down by (the UTM parameter)."""

    SOURCE = "source"
    CAMPAIGN = "campaign"
    MEDIUM = "medium"
    CONTENT = "content"
    AD = "ad"


class RevenueMode(OpenEnum):
    """Which revenue ads statistics count."""

    ALL_REVENUE = "all_revenue"
    FIRST_REVENUE = "first_revenue"
    SUBSCRIPTIONS = "subscriptions"


@attrs.frozen
class StatsCounts(ApiObject):
    """People counts: everyone, the subscribed, and the unsubscribed."""

    user_count: int
    subscriber_count: int
    unsubscriber_count: int
    extra: Mapping[str, Any] = attrs.field(default=EMPTY, repr=False)


@attrs.frozen
class SiteStats(StatsCounts):
    """Counts for the whole site (``stats/site``)."""


@attrs.frozen
class SegmentStats(StatsCounts):
    """Counts for one segment (``stats/segment``)."""


@attrs.frozen
class ReportPoint(ApiObject):
    """One point of a chart report: ``g`` the series (group), ``x`` the bucket, ``y`` the value."""

    g: str | None = None
    x: str | int | float | None = None
    y: int | float | None = None
    extra: Mapping[str, Any] = attrs.field(default=EMPTY, repr=False)


ReportData = int | float | tuple[ReportPoint, ...] | None
"""A report's ``data``: one number (counter reports) or a list of points (charts)."""


@attrs.frozen
class ReportStats(ApiObject):
    """A saved report (``stats/report``).

    ``data`` is a number for counter reports and a tuple of points for charts;
    ``value`` and ``points`` read whichever it is. ``chart_style`` is a
    ChartStyle, or the plain string when Bento sends a style this SDK does not know.
    """

    data: ReportData = None
    chart_style: ChartStyle | str | None = None
    report_type: str | None = None
    report_name: str | None = None
    extra: Mapping[str, Any] = attrs.field(default=EMPTY, repr=False)

    @property
    def value(self) -> int | float | None:
        """The number of a counter report; None when the data is a list of points."""
        return None if isinstance(self.data, tuple) else self.data

    @property
    def points(self) -> tuple[ReportPoint, ...]:
        """The points of a chart report; empty when the data is a single number."""
        return self.data if isinstance(self.data, tuple) else ()


@attrs.frozen
class AdsAttribution(ApiObject):
    """How signups are attributed to ads (``attribution``)."""

    mode: str | None = None
    mode_label: str | None = None
    window_days: int | None = None
    settings_path: str | None = None
    applies_to_ad_revenue: bool | None = None
    extra: Mapping[str, Any] = attrs.field(default=EMPTY, repr=False)


@attrs.frozen
class AdsRevenueModeDetails(ApiObject):
    """The revenue mode the statistics were computed with (``revenueMode``)."""

    mode: RevenueMode | str | None = None
    label: str | None = None
    description: str | None = None
    extra: Mapping[str, Any] = attrs.field(default=EMPTY, repr=False)


@attrs.frozen
class AdsTotals(ApiObject):
    """Totals over the period; revenue is in cents of ``revenue_currency``."""

    signups: int = 0
    customers: int = 0
    revenue_cents: int = 0
    revenue_currency: str | None = None
    revenue_by_currency: Mapping[str, int | float] = attrs.field(default=EMPTY)
    revenue_visitor_count: int = 0
    customer_rate: float = 0.0
    top_source: str | None = None
    extra: Mapping[str, Any] = attrs.field(default=EMPTY, repr=False)


@attrs.frozen
class AdsChartPoint(ApiObject):
    """One point of the ads chart: ``x`` is the bucket."""

    x: str | int | float | None = None
    signups: int = 0
    customers: int = 0
    revenue: int | float = 0
    extra: Mapping[str, Any] = attrs.field(default=EMPTY, repr=False)


@attrs.frozen
class AdsBreakdownRow(ApiObject):
    """One value of the dimension (one source, campaign...) and its numbers."""

    key: str | None = None
    label: str | None = None
    signups: int = 0
    customers: int = 0
    customer_rate: float = 0.0
    revenue_cents: int = 0
    revenue_currency: str | None = None
    revenue_by_currency: Mapping[str, int | float] = attrs.field(default=EMPTY)
    revenue_per_signup_cents: int | float = 0
    extra: Mapping[str, Any] = attrs.field(default=EMPTY, repr=False)


@attrs.frozen
class AdsStats(ApiObject):
    """Signups, customers and revenue attributed to ads (``stats/ads``).

    The API's camelCase keys become snake_case attributes. ``dimension`` is an
    AdsDimension, or the plain string when Bento sends one this SDK does not know.
    """

    dimension: AdsDimension | str | None = None
    dimension_label: str | None = None
    attribution: AdsAttribution | None = None
    revenue_mode: AdsRevenueModeDetails | None = None
    totals: AdsTotals | None = None
    chart_data: tuple[AdsChartPoint, ...] = ()
    breakdown: tuple[AdsBreakdownRow, ...] = ()
    revenue_truncated: bool | None = None
    extra: Mapping[str, Any] = attrs.field(default=EMPTY, repr=False)
