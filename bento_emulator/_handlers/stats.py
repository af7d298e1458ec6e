"""Statistics: `GET stats/site`, `stats/segment`, `stats/report` and `stats/ads` (§10.1).

- site: `user_count` counts every subscriber, `subscriber_count` those without
  `unsubscribed_at`, `unsubscriber_count` the rest;
- segment: the same counts over the subscribers a seeded segment contains
  (`state.add_segment`, the same segments `fetch/segments` lists); no `segment_id` gives
  400, an unknown one 404
  `{"error": "Segment not found"}`;
- report: the canned report seeded with `state.stats.add_report`; no `report_id` gives 400,
  an unknown one 404 `{"error": "Report not found"}`;
- ads: the canned answer (`state.stats.ads`), with `dimension` and `revenueMode.mode` set to
  the ones asked for, and the breakdown narrowed to `value` when given; an unknown dimension
  or revenue mode gives 400. Dates are accepted as given (Bento takes "last week").

Parameters are read from the query, or from a JSON body.
"""

from __future__ import annotations

from collections.abc import Iterable

from .._state import JSONValue, Subscriber
from ._common import Call, Reply, Route, bad_request, found, param

DIMENSIONS = ("source", "campaign", "medium", "content", "ad")
REVENUE_MODES = ("all_revenue", "first_revenue", "subscriptions")


def people_counts(subscribers: Iterable[Subscriber]) -> dict[str, JSONValue]:
    """Return the three people counts of a group of subscribers."""
    people = list(subscribers)
    subscribed = sum(1 for person in people if person.subscribed)
    return {
        "user_count": len(people),
        "subscriber_count": subscribed,
        "unsubscriber_count": len(people) - subscribed,
    }


def _required_id(call: Call, name: str) -> str:
    value = param(call, name)
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value.strip():
        raise bad_request(f"{name} is required")
    return value.strip()


def site_stats(call: Call) -> Reply:
    """Count the site's subscribers."""
    return Reply(people_counts(call.state.subscribers))


def segment_stats(call: Call) -> Reply:
    """Count the subscribers of one segment."""
    segment = found(call.state.segment_by_id(_required_id(call, "segment_id")), "Segment")
    return Reply(people_counts(call.state.segment_members(segment.id)))


def report_stats(call: Call) -> Reply:
    """Answer a seeded report."""
    report = found(call.state.stats.report(_required_id(call, "report_id")), "Report")
    return Reply(report.payload())


def _choice(call: Call, name: str, choices: tuple[str, ...], default: str) -> str:
    value = param(call, name)
    if value is None or value == "":
        return default
    if value not in choices:
        raise bad_request(f"{name} must be one of {', '.join(choices)}")
    return str(value)


def ads_stats(call: Call) -> Reply:
    """Answer the canned ads statistics for the dimension and revenue mode asked for."""
    dimension = _choice(call, "dimension", DIMENSIONS, "source")
    mode = _choice(call, "revenue_mode", REVENUE_MODES, "all_revenue")
    answer = call.state.stats.ads
    answer["dimension"] = dimension
    answer["dimensionLabel"] = dimension.title()
    if isinstance(answer.get("revenueMode"), dict):
        answer["revenueMode"]["mode"] = mode
    value = param(call, "value")
    if value is not None and isinstance(answer.get("breakdown"), list):
        answer["breakdown"] = [
            row for row in answer["breakdown"] if isinstance(row, dict) and row.get("key") == value
        ]
    return Reply(answer)


ROUTES = (
    Route("GET", "/stats/site", site_stats),
    Route("GET", "/stats/segment", segment_stats),
    Route("GET", "/stats/report", report_stats),
    Route("GET", "/stats/ads", ads_stats),
)
