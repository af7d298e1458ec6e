"""Stats: counts from state, seeded segments and reports, the canned ads answer, errors."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.anyio


def _seed(emu) -> None:
    for email in ("a@example.com", "b@example.com", "c@example.com"):
        emu.state.find_or_create_subscriber(email)
    emu.state.unsubscribe("c@example.com")


async def test_site_counts(api, emu):
    """user_count is everyone, subscriber_count the subscribed, unsubscriber_count the rest."""
    _seed(emu)
    answer = await api.get("stats/site")
    assert (answer.status, answer.body) == (
        200,
        {"user_count": 3, "subscriber_count": 2, "unsubscriber_count": 1},
    )


async def test_site_counts_when_empty(api):
    """A new site counts zero everywhere."""
    answer = await api.get("stats/site")
    assert answer.body == {"user_count": 0, "subscriber_count": 0, "unsubscriber_count": 0}


@pytest.mark.parametrize("placement", ["query", "body"])
async def test_segment_counts(api, emu, placement):
    """A segment counts the subscribers it contains; segment_id may be in the query or body."""
    _seed(emu)
    segment = emu.state.stats.add_segment("Two", ["b@example.com", "C@EXAMPLE.COM"])
    if placement == "query":
        answer = await api.get("stats/segment", segment_id=segment.id)
    else:
        answer = await api.call("GET", "stats/segment", {"segment_id": segment.id})
    assert (answer.status, answer.body) == (
        200,
        {"user_count": 2, "subscriber_count": 1, "unsubscriber_count": 1},
    )


async def test_segment_ids_count_up_unless_given(emu):
    """Seeded segments get ids 1, 2... unless one is given; reset forgets them."""
    assert emu.state.stats.add_segment("a").id == "1"
    assert emu.state.stats.add_segment("b", segment_id="x").id == "x"
    assert emu.state.stats.add_segment("c").id == "2"
    emu.reset()
    assert emu.state.stats.segment("x") is None
    assert emu.state.stats.add_segment("d").id == "1"


@pytest.mark.parametrize("query", [{}, {"segment_id": ""}, {"segment_id": "  "}])
async def test_segment_without_id_is_400(api, query):
    """No segment_id gives 400."""
    answer = await api.get("stats/segment", **query)
    assert answer.status == 400
    assert answer.body == {"error": "segment_id is required"}


async def test_unknown_segment_is_404(api):
    """An unknown segment gives 404 with Bento's message."""
    answer = await api.get("stats/segment", segment_id="12")
    assert (answer.status, answer.body) == (404, {"error": "Segment not found"})


async def test_report_answers_the_seeded_fixture(api, emu):
    """A seeded report answers data, chart_style, report_type and report_name."""
    emu.state.stats.add_report(5, [{"g": "a", "x": "2024-01-01", "y": 1}], chart_style="line_chart")
    answer = await api.get("stats/report", report_id="5")
    assert answer.body == {
        "data": [{"g": "a", "x": "2024-01-01", "y": 1}],
        "chart_style": "line_chart",
        "report_type": "Reporting::Reports::VisitorCountReport",
        "report_name": "API Report",
    }


async def test_report_errors(api):
    """No report_id gives 400, an unknown one 404 with Bento's message."""
    missing = await api.get("stats/report")
    assert (missing.status, missing.body) == (400, {"error": "report_id is required"})
    unknown = await api.get("stats/report", report_id="9")
    assert (unknown.status, unknown.body) == (404, {"error": "Report not found"})


async def test_ads_echoes_dimension_and_mode(api, emu):
    """The canned ads answer takes the dimension, revenue mode and value asked for."""
    answer = await api.get(
        "stats/ads", dimension="medium", revenue_mode="subscriptions", value="newsletter"
    )
    assert answer.status == 200
    assert (answer.body["dimension"], answer.body["dimensionLabel"]) == ("medium", "Medium")
    assert answer.body["revenueMode"]["mode"] == "subscriptions"
    assert [row["key"] for row in answer.body["breakdown"]] == ["newsletter"]
    assert emu.state.stats.ads["dimension"] == "source"  # the fixture itself is untouched


async def test_ads_dates_are_accepted_as_given(api):
    """Bento takes free-form dates such as "last week"; so does the emulator."""
    answer = await api.get("stats/ads", start_date="last week", end_date="now")
    assert answer.status == 200


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"dimension": "country"}, "dimension must be one of"),
        ({"revenue_mode": "most"}, "revenue_mode must be one of"),
    ],
)
async def test_ads_unknown_choices_are_400(api, query, message):
    """An unknown dimension or revenue mode gives 400."""
    answer = await api.get("stats/ads", **query)
    assert answer.status == 400
    assert answer.body["error"].startswith(message)


async def test_ads_fixture_can_be_replaced(api, emu):
    """set_ads replaces the canned answer; reset restores the default one."""
    emu.state.stats.set_ads({"dimension": "source", "breakdown": [], "custom": True})
    answer = await api.get("stats/ads")
    assert answer.body == {
        "dimension": "source",
        "dimensionLabel": "Source",
        "breakdown": [],
        "custom": True,
    }
    emu.reset()
    assert "totals" in emu.state.stats.ads


@pytest.mark.parametrize("path", ["stats/site", "stats/segment", "stats/report", "stats/ads"])
async def test_stats_are_get_only(api, path):
    """Stats take GET only: another method is an unknown route, 404."""
    answer = await api.post(path, {})
    assert answer.status == 404
