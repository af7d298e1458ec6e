"""``bento.stats``: site, segment, report and ads statistics (``stats/*``).

Bento allows few stats calls (60 an hour by default): cache the answers rather
than polling. Every call is a read, so every call is safe to retry.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TypeVar

from .._errors import InputIssue
from .._http import Request
from .._validate import check_choice, check_date_or_phrase, check_text, raise_if
from ..models import AdsDimension, AdsStats, ReportStats, RevenueMode, SegmentStats, SiteStats
from ._base import ResourceBase, parse_object

__all__ = ["Stats"]

T = TypeVar("T")


def _identifier(value: object, path: str, issues: list[InputIssue]) -> str:
    """Return an id (a non-empty string, or an int) as the string sent to the API."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    check_text(value, path, issues, path)
    return value.strip() if isinstance(value, str) else ""


class Stats(ResourceBase):
    """Statistics: ``site``, ``segment``, ``report`` and ``ads``."""

    async def _by_id(self, kind: str, value: object, cls: type[T]) -> T:
        """GET ``stats/<kind>?<kind>_id=<value>``; ValidationError for an empty id."""
        issues: list[InputIssue] = []
        wire_id = _identifier(value, f"{kind}_id", issues)
        raise_if(issues)
        request = Request.build("GET", f"stats/{kind}", params={f"{kind}_id": wire_id})
        return await self._call(request, parse_object(cls))

    async def site(self) -> SiteStats:
        """Return the site's people counts: everyone, subscribed, unsubscribed."""
        return await self._call(Request.build("GET", "stats/site"), parse_object(SiteStats))

    async def segment(self, segment_id: str | int) -> SegmentStats:
        """Return the people counts of one segment.

        Raises ValidationError for an empty id, NotFoundError for an unknown segment.
        """
        return await self._by_id("segment", segment_id, SegmentStats)

    async def report(self, report_id: str | int) -> ReportStats:
        """Return a saved report: a number (counter) or chart points, with its style and name.

        Raises ValidationError for an empty id, NotFoundError for an unknown report.
        """
        return await self._by_id("report", report_id, ReportStats)

    async def ads(
        self,
        *,
        dimension: AdsDimension | str | None = None,
        value: str | None = None,
        start_date: date | datetime | str | None = None,
        end_date: date | datetime | str | None = None,
        revenue_mode: RevenueMode | str | None = None,
    ) -> AdsStats:
        """Return signups, customers and revenue attributed to ads.

        ``dimension`` picks the breakdown (source, campaign, medium, content, ad)
        and ``value`` narrows it to one of its values. Dates and datetimes are sent
        in ISO 8601; strings are sent as given, so the API's own phrases work
        (``start_date="last week", end_date="now"``).

        Raises ValidationError for an unknown dimension or revenue mode, a blank
        value, or a date that is neither a date, a datetime nor a non-blank string.
        """
        issues: list[InputIssue] = []
        dimension_member = check_choice(dimension, AdsDimension, "dimension", issues)
        mode_member = check_choice(revenue_mode, RevenueMode, "revenue_mode", issues)
        if value is not None:
            check_text(value, "value", issues, "value")
        check_date_or_phrase(start_date, "start_date", issues)
        check_date_or_phrase(end_date, "end_date", issues)
        raise_if(issues)
        params = {
            "dimension": None if dimension_member is None else dimension_member.value,
            "value": value,
            "start_date": start_date,
            "end_date": end_date,
            "revenue_mode": None if mode_member is None else mode_member.value,
        }
        request = Request.build("GET", "stats/ads", params=params)
        return await self._call(request, parse_object(AdsStats))
