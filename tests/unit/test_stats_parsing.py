"""Property tests of parsing stats and experimental answers and of their input checks."""

from __future__ import annotations

import ipaddress
from datetime import date, datetime, timezone
from typing import Any

import cattrs
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from bento_async import (
    AdsDimension,
    AdsStats,
    AdsTotals,
    BlacklistResult,
    ChartStyle,
    InputIssue,
    JessesRulesetResult,
    ReportPoint,
    ReportStats,
    RevenueMode,
    converter,
)
from bento_async._validate import check_choice, check_date, check_ip, valid_domain
from bento_async.models._base import OpenEnum, parse_datetime, snake_case

numbers = st.integers(-(10**12), 10**12) | st.floats(allow_nan=False, allow_infinity=False)
text = st.text(max_size=20)
point = st.fixed_dictionaries(
    {},
    optional={
        "g": text,
        "x": text | st.integers(0, 2**40),
        "y": numbers,
    },
)


@given(numbers)
def test_counter_report_data_is_its_number(value: float) -> None:
    """A number under data is the report's value, kept as int or float, with no points."""
    report = converter.structure({"data": value}, ReportStats)
    assert report.value == value
    assert type(report.value) is type(value)
    assert report.points == ()


@given(st.lists(point, max_size=10))
def test_chart_report_data_is_its_points(points: list[dict[str, Any]]) -> None:
    """A list under data becomes that many points, each keeping g, x and y."""
    report = converter.structure({"data": points, "chart_style": "line_chart"}, ReportStats)
    assert report.value is None
    assert report.points == tuple(ReportPoint(p.get("g"), p.get("x"), p.get("y")) for p in points)


@pytest.mark.parametrize("data", [True, "42", {"y": 1}, [1, 2]])
def test_other_report_data_shapes_are_refused(data: Any) -> None:
    """A bool, string, object or list of non-objects under data does not fit."""
    with pytest.raises((cattrs.BaseValidationError, ValueError)):
        converter.structure({"data": data}, ReportStats)


@given(st.sampled_from([ChartStyle, AdsDimension, RevenueMode]), text)
def test_open_enums_keep_unknown_values(enum_cls: type[OpenEnum], value: str) -> None:
    """parse gives the member for a known value and the very string for any other."""
    parsed = enum_cls.parse(value)
    if value in {m.value for m in enum_cls}:
        assert parsed is enum_cls(value)
    else:
        assert parsed == value
        assert type(parsed) is str


@given(text)
def test_unknown_chart_style_never_breaks_parsing(style: str) -> None:
    """Any string chart_style parses: a ChartStyle when known, else the string."""
    report = converter.structure({"data": 1, "chart_style": style}, ReportStats)
    assert report.chart_style == style
    assert isinstance(report.chart_style, ChartStyle) == (style in {m.value for m in ChartStyle})


@given(st.sampled_from([AdsDimension, RevenueMode]), text)
def test_caller_values_are_strict(enum_cls: type[OpenEnum], value: str) -> None:
    """A value the caller passes must name a member: otherwise one issue and None."""
    issues: list[InputIssue] = []
    result = check_choice(value, enum_cls, "x", issues)
    if value in {m.value for m in enum_cls}:
        assert (result, issues) == (enum_cls(value), [])
    else:
        assert result is None
        assert [i.path for i in issues] == ["x"]


def test_open_enum_str_is_its_value() -> None:
    """str() of a member is its wire value, so it can never leak as 'Class.MEMBER'."""
    assert str(AdsDimension.CAMPAIGN) == "campaign"
    assert f"{RevenueMode.SUBSCRIPTIONS}" == "subscriptions"


# Words of two letters or more: "aAA" could be a + AA or a + A + A, so the API avoids it.
words = st.from_regex(r"[a-z][a-z0-9]{1,8}", fullmatch=True)


@given(st.lists(words, min_size=1, max_size=4))
def test_snake_case_of_camel_case(parts: list[str]) -> None:
    """camelCase joins become underscores; a snake_case key stays as it is."""
    camel = parts[0] + "".join(p[:1].upper() + p[1:] for p in parts[1:])
    snake = "_".join(parts)
    assert snake_case(camel) == snake
    assert snake_case(snake) == snake


@given(
    st.integers(0, 10**6),
    st.integers(0, 10**9),
    st.dictionaries(st.from_regex(r"[A-Z]{3}", fullmatch=True), st.integers(0, 10**9)),
    st.dictionaries(
        st.from_regex(r"zz[A-Za-z]{1,8}", fullmatch=True), st.integers() | text, max_size=3
    ),
)
def test_camel_case_totals_map_to_attributes(
    signups: int, cents: int, by_currency: dict[str, int], unknown: dict[str, Any]
) -> None:
    """camelCase keys fill snake_case attributes; unknown keys are kept as sent in extra."""
    payload = {
        "signups": signups,
        "revenueCents": cents,
        "revenueByCurrency": by_currency,
        **unknown,
    }
    totals = converter.structure(payload, AdsTotals)
    assert (totals.signups, totals.revenue_cents) == (signups, cents)
    assert totals.revenue_by_currency == by_currency
    assert totals.extra == unknown


def test_ads_nulls_and_missing_parts() -> None:
    """Null lists are empty, missing objects are None, and nothing else is required."""
    ads = converter.structure({"chartData": None, "breakdown": None}, AdsStats)
    assert (ads.chart_data, ads.breakdown, ads.totals, ads.attribution) == ((), (), None, None)


def test_blacklist_and_ruleset_fallbacks() -> None:
    """A null results map is empty; a ruleset answer without valid falls back to its reasons."""
    blacklist = converter.structure({"query": "a.example", "results": None}, BlacklistResult)
    assert (blacklist.results, blacklist.listed, blacklist.listed_on) == ({}, False, ())
    assert converter.structure({"reasons": []}, JessesRulesetResult).passed
    assert not converter.structure({"reasons": ["Email is free"]}, JessesRulesetResult).passed
    assert not converter.structure({"valid": False, "reasons": []}, JessesRulesetResult).passed


@given(st.ip_addresses())
def test_every_ip_address_passes(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> None:
    """IPv4 and IPv6 addresses in text form pass the IP check."""
    issues: list[InputIssue] = []
    check_ip(str(address), "ip", issues)
    assert issues == []


@given(text)
def test_ip_check_agrees_with_ipaddress(value: str) -> None:
    """The IP check fails exactly for what ipaddress refuses."""
    try:
        ipaddress.ip_address(value)
        expected = 0
    except ValueError:
        expected = 1
    issues: list[InputIssue] = []
    check_ip(value, "ip", issues)
    assert len(issues) == expected


label = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?", fullmatch=True)
tld = st.from_regex(r"[a-z]{2,6}", fullmatch=True)


@given(st.lists(label, min_size=1, max_size=3), tld)
def test_plausible_domains_pass(labels: list[str], top: str) -> None:
    """Dotted labels ending in an alphabetic TLD are domains."""
    assert valid_domain(".".join([*labels, top]))


@pytest.mark.parametrize(
    "value",
    ["", "localhost", "a@b.example", "http://a.example", "a.example/x", "-a.example", "1.2.3.4"],
)
def test_non_domains_fail(value: str) -> None:
    """Addresses, URLs, bare hosts and IP addresses are not domains."""
    assert not valid_domain(value)


@given(
    st.dates()
    | st.datetimes(timezones=st.just(timezone.utc))
    | st.dates().map(date.isoformat)
    | st.datetimes().map(datetime.isoformat)
)
def test_dates_datetimes_and_iso_strings_pass(value: date | str) -> None:
    """A date, a datetime or its ISO 8601 text passes the date check."""
    issues: list[InputIssue] = []
    check_date(value, "start_date", issues)
    assert issues == []


@given(text)
def test_non_iso_strings_fail_the_date_check(value: str) -> None:
    """Text that is not ISO 8601 gives one issue at the parameter's path."""
    try:
        parse_datetime(value)
        assume(False)
    except ValueError:
        pass
    issues: list[InputIssue] = []
    check_date(value, "start_date", issues)
    assert [i.path for i in issues] == ["start_date"]
