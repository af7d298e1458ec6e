"""bento.stats through the async client against the emulator: counts, reports, ads, errors."""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any

import pytest

from bento_async import (
    AdsDimension,
    AdsStats,
    AsyncBento,
    ChartStyle,
    Hooks,
    NotFoundError,
    RateLimits,
    ReportPoint,
    RevenueMode,
    SegmentStats,
    SiteStats,
    ValidationError,
)
from bento_emulator import BentoEmulator

pytestmark = pytest.mark.anyio


def _seed_people(emulator: BentoEmulator) -> None:
    state = emulator.state
    for name in ("a", "b", "c", "d"):
        state.find_or_create_subscriber(f"{name}@example.com")
    state.unsubscribe("d@example.com")


def _query(emulator: BentoEmulator) -> dict[str, str]:
    return dict(emulator.requests[-1].query)


async def test_site_counts_follow_the_subscribers(
    bento: AsyncBento, emulator: BentoEmulator
) -> None:
    """Site stats count everyone, the subscribed and the unsubscribed, as the state changes."""
    assert await bento.stats.site() == SiteStats(0, 0, 0)
    _seed_people(emulator)
    stats = await bento.stats.site()
    assert isinstance(stats, SiteStats)
    assert (stats.user_count, stats.subscriber_count, stats.unsubscriber_count) == (4, 3, 1)
    await bento.commands.unsubscribe("a@example.com")
    assert await bento.stats.site() == SiteStats(4, 2, 2)


async def test_segment_counts_its_members(bento: AsyncBento, emulator: BentoEmulator) -> None:
    """A segment's counts cover only its members; the id goes in the query."""
    _seed_people(emulator)
    segment = emulator.state.add_segment(
        "Some", emails=["A@example.com", "d@example.com", "nobody@example.com"]
    )
    stats = await bento.stats.segment(segment.id)
    assert stats == SegmentStats(2, 1, 1)
    assert _query(emulator) == {"segment_id": segment.id, "site_uuid": emulator.site_uuid}


async def test_segment_by_predicate_and_int_id(bento: AsyncBento, emulator: BentoEmulator) -> None:
    """A predicate segment is evaluated at call time; an int id is sent as its digits."""
    _seed_people(emulator)
    emulator.state.add_segment("Unsubscribed", rule=lambda s: not s.subscribed, segment_id="42")
    assert await bento.stats.segment(42) == SegmentStats(1, 0, 1)
    await bento.commands.unsubscribe("b@example.com")
    assert await bento.stats.segment("42") == SegmentStats(2, 0, 2)


async def test_unknown_segment_is_not_found(bento: AsyncBento) -> None:
    """An unknown segment gives NotFoundError carrying the API's words."""
    with pytest.raises(NotFoundError) as info:
        await bento.stats.segment("999")
    assert (info.value.status, info.value.message) == (404, "Segment not found")
    assert info.value.path == "stats/segment"


@pytest.mark.parametrize("bad", ["", "   ", None, 1.5, True])
async def test_blank_ids_are_refused_before_sending(
    bento: AsyncBento, emulator: BentoEmulator, bad: Any
) -> None:
    """An empty or mistyped segment or report id raises ValidationError and sends nothing."""
    with pytest.raises(ValidationError) as info:
        await bento.stats.segment(bad)
    assert info.value.issues[0].path == "segment_id"
    with pytest.raises(ValidationError) as info:
        await bento.stats.report(bad)
    assert info.value.issues[0].path == "report_id"
    assert emulator.requests == []


async def test_counter_report(bento: AsyncBento, emulator: BentoEmulator) -> None:
    """A counter report's data is a number: value is set, points are empty."""
    emulator.state.stats.add_report("7", 42, report_name="Visitors")
    report = await bento.stats.report("7")
    assert report.data == 42
    assert report.value == 42
    assert report.points == ()
    assert report.chart_style is ChartStyle.COUNTER
    assert report.report_name == "Visitors"
    assert report.report_type == "Reporting::Reports::VisitorCountReport"
    assert _query(emulator) == {"report_id": "7", "site_uuid": emulator.site_uuid}


async def test_chart_report_and_unknown_style(bento: AsyncBento, emulator: BentoEmulator) -> None:
    """A chart report's data is a list of points; a style this SDK does not know is kept."""
    points = [{"g": "signups", "x": "2024-01-01", "y": 3}, {"g": "signups", "x": "2024-01-02"}]
    emulator.state.stats.add_report(8, points, chart_style="radar_chart")
    report = await bento.stats.report(8)
    assert report.points == (
        ReportPoint("signups", "2024-01-01", 3),
        ReportPoint("signups", "2024-01-02"),
    )
    assert report.value is None
    assert report.chart_style == "radar_chart"
    assert isinstance(report.chart_style, ChartStyle)
    assert not report.chart_style.known


async def test_unknown_report_is_not_found(bento: AsyncBento) -> None:
    """An unknown report gives NotFoundError carrying the API's words."""
    with pytest.raises(NotFoundError) as info:
        await bento.stats.report("404")
    assert info.value.message == "Report not found"


async def test_ads_default(bento: AsyncBento, emulator: BentoEmulator) -> None:
    """With no parameters only site_uuid is sent; camelCase keys fill snake_case attributes."""
    ads = await bento.stats.ads()
    assert _query(emulator) == {"site_uuid": emulator.site_uuid}
    assert isinstance(ads, AdsStats)
    assert ads.dimension is AdsDimension.SOURCE
    assert ads.dimension_label == "Source"
    assert ads.attribution is not None
    assert ads.attribution.window_days == 30
    assert ads.revenue_mode is not None
    assert ads.revenue_mode.mode is RevenueMode.ALL_REVENUE
    assert ads.totals is not None
    assert (ads.totals.signups, ads.totals.revenue_cents) == (12, 24000)
    assert ads.totals.revenue_by_currency == {"USD": 24000}
    assert ads.totals.top_source == "google"
    assert [p.signups for p in ads.chart_data] == [7, 5]
    assert [row.key for row in ads.breakdown] == ["google", "newsletter"]
    assert ads.breakdown[0].revenue_per_signup_cents == 2000
    assert ads.revenue_truncated is False
    assert ads.extra == {}


async def test_ads_parameters_go_in_the_query(bento: AsyncBento, emulator: BentoEmulator) -> None:
    """Members and plain strings are sent as their values; dates as ISO 8601."""
    ads = await bento.stats.ads(
        dimension=AdsDimension.CAMPAIGN,
        value="google",
        start_date=date(2024, 1, 1),
        end_date=datetime(2024, 2, 1, 12, 30, tzinfo=timezone.utc),
        revenue_mode="first_revenue",
    )
    assert _query(emulator) == {
        "dimension": "campaign",
        "value": "google",
        "start_date": "2024-01-01",
        "end_date": "2024-02-01T12:30:00+00:00",
        "revenue_mode": "first_revenue",
        "site_uuid": emulator.site_uuid,
    }
    assert ads.dimension is AdsDimension.CAMPAIGN
    assert ads.revenue_mode is not None
    assert ads.revenue_mode.mode is RevenueMode.FIRST_REVENUE
    assert [row.key for row in ads.breakdown] == ["google"]


async def test_ads_iso_string_dates_are_sent_as_given(
    bento: AsyncBento, emulator: BentoEmulator
) -> None:
    """An ISO 8601 string date is passed through unchanged."""
    await bento.stats.ads(start_date="2024-03-01T00:00:00Z", end_date="2024-03-31")
    query = _query(emulator)
    assert (query["start_date"], query["end_date"]) == ("2024-03-01T00:00:00Z", "2024-03-31")


@pytest.mark.parametrize(
    ("kwargs", "path"),
    [
        ({"dimension": "country"}, "dimension"),
        ({"dimension": RevenueMode.ALL_REVENUE}, "dimension"),
        ({"revenue_mode": "everything"}, "revenue_mode"),
        ({"value": " "}, "value"),
        ({"start_date": "  "}, "start_date"),
        ({"end_date": 20240101}, "end_date"),
    ],
)
async def test_ads_bad_parameters_are_refused(
    bento: AsyncBento, emulator: BentoEmulator, kwargs: dict[str, Any], path: str
) -> None:
    """Unknown enum values, a blank value or a non-date raise ValidationError; nothing is sent."""
    with pytest.raises(ValidationError) as info:
        await bento.stats.ads(**kwargs)
    assert [issue.path for issue in info.value.issues] == [path]
    assert emulator.requests == []


async def test_ads_unknown_keys_and_dimension_are_kept(
    bento: AsyncBento, emulator: BentoEmulator
) -> None:
    """Keys the SDK does not know land in extra, at every level, without breaking parsing."""
    canned = emulator.state.stats.ads
    canned["cohorts"] = [1, 2]
    canned["totals"]["refundCents"] = 500
    emulator.state.stats.set_ads(canned)
    ads = await bento.stats.ads()
    assert ads.extra == {"cohorts": [1, 2]}
    assert ads.totals is not None
    assert ads.totals.extra == {"refundCents": 500}


async def test_stats_calls_are_the_stats_family(emulator: BentoEmulator) -> None:
    """Every stats call is rate-limited as the stats family."""
    families: list[str] = []
    hooks = Hooks(on_request=lambda event: families.append(event.family))
    emulator.state.add_segment("s", segment_id="1")
    emulator.state.stats.add_report("1", 1)
    async with AsyncBento(
        **emulator.credentials, rate_limits=RateLimits.off(), hooks=hooks
    ) as client:
        await client.stats.site()
        await client.stats.segment("1")
        await client.stats.report("1")
        await client.stats.ads()
    assert families == ["stats"] * 4
