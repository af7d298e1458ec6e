"""What `stats/*` needs beyond subscribers and segments: canned reports and the ads answer.

Reached as `emulator.state.stats`. Site counts are computed from the subscribers and a
segment's counts from its members (see `_handlers/stats`); reports and the ads answer are
fixtures a test seeds here.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Mapping
from typing import Any

import attrs

from ._core import JSONValue

DEFAULT_REPORT_TYPE = "Reporting::Reports::VisitorCountReport"


def default_ads() -> dict[str, Any]:
    """Return the canned `stats/ads` answer (Node SDK v2's shape, camelCase keys)."""
    return {
        "dimension": "source",
        "dimensionLabel": "Source",
        "attribution": {
            "mode": "first_touch",
            "modeLabel": "First touch",
            "windowDays": 30,
            "settingsPath": "/account/settings/attribution",
            "appliesToAdRevenue": True,
        },
        "revenueMode": {
            "mode": "all_revenue",
            "label": "All revenue",
            "description": "Every purchase made by attributed customers.",
        },
        "totals": {
            "signups": 12,
            "customers": 3,
            "revenueCents": 24000,
            "revenueCurrency": "USD",
            "revenueByCurrency": {"USD": 24000},
            "revenueVisitorCount": 3,
            "customerRate": 0.25,
            "topSource": "google",
        },
        "chartData": [
            {"x": 1717200000, "signups": 7, "customers": 2, "revenue": 16000},
            {"x": 1717286400, "signups": 5, "customers": 1, "revenue": 8000},
        ],
        "breakdown": [
            _ads_row("google", "Google", 8, 2, 16000),
            _ads_row("newsletter", "Newsletter", 4, 1, 8000),
        ],
        "revenueTruncated": False,
    }


def _ads_row(key: str, label: str, signups: int, customers: int, cents: int) -> dict[str, Any]:
    return {
        "key": key,
        "label": label,
        "signups": signups,
        "customers": customers,
        "customerRate": customers / signups,
        "revenueCents": cents,
        "revenueCurrency": "USD",
        "revenueByCurrency": {"USD": cents},
        "revenuePerSignupCents": cents // signups,
    }


@attrs.frozen
class StatsReport:
    """A canned report: `data` is a number (counter) or a list of `{g, x, y}` points."""

    id: str
    data: JSONValue
    chart_style: str = "counter"
    report_type: str = DEFAULT_REPORT_TYPE
    report_name: str = "API Report"

    def payload(self) -> dict[str, JSONValue]:
        """Return the `stats/report` answer."""
        return {
            "data": copy.deepcopy(self.data),
            "chart_style": self.chart_style,
            "report_type": self.report_type,
            "report_name": self.report_name,
        }


@attrs.define(eq=False)
class StatsFixtures:
    """Reports and the ads answer of one emulated site (segments live in the state). Thread-safe."""

    _lock: threading.Lock = attrs.field(init=False, factory=threading.Lock, repr=False)
    _reports: dict[str, StatsReport] = attrs.field(init=False, factory=dict)
    _ads: dict[str, Any] = attrs.field(init=False, factory=default_ads)

    def reset(self) -> None:
        """Forget reports and restore the canned ads answer."""
        with self._lock:
            self._reports.clear()
            self._ads = default_ads()

    def add_report(
        self,
        report_id: str | int,
        data: JSONValue = 0,
        *,
        chart_style: str = "counter",
        report_type: str = DEFAULT_REPORT_TYPE,
        report_name: str = "API Report",
    ) -> StatsReport:
        """Add (or replace) the report answered for `report_id`."""
        report = StatsReport(str(report_id), data, chart_style, report_type, report_name)
        with self._lock:
            self._reports[report.id] = report
        return report

    def report(self, report_id: str) -> StatsReport | None:
        """Return the report with this id, or None."""
        with self._lock:
            return self._reports.get(report_id)

    @property
    def ads(self) -> dict[str, Any]:
        """Return a copy of the canned `stats/ads` answer."""
        with self._lock:
            return copy.deepcopy(self._ads)

    def set_ads(self, payload: Mapping[str, Any]) -> None:
        """Replace the canned `stats/ads` answer (the handler still echoes the dimension)."""
        with self._lock:
            self._ads = copy.deepcopy(dict(payload))
