"""The sync facade's stats and experimental resources, end to end against the emulator."""

from __future__ import annotations

import pytest

from bento_emulator import BentoEmulator
from bento_sync import (
    AdsDimension,
    Bento,
    ChartStyle,
    EmailValidation,
    GenderGuess,
    NotFoundError,
    SegmentStats,
    SiteStats,
    ValidationError,
)


def test_stats(sync_bento: Bento, threaded_emulator: BentoEmulator) -> None:
    """Site, segment, report and ads stats come back typed; errors are raised in the caller."""
    state = threaded_emulator.state
    state.find_or_create_subscriber("a@example.com")
    state.unsubscribe("b@example.com")
    segment = state.add_segment("B", emails=["b@example.com"])
    state.stats.add_report("1", 7)
    assert sync_bento.stats.site() == SiteStats(2, 1, 1)
    assert sync_bento.stats.segment(segment.id) == SegmentStats(1, 0, 1)
    report = sync_bento.stats.report("1")
    assert (report.value, report.chart_style) == (7, ChartStyle.COUNTER)
    assert sync_bento.stats.ads(dimension="ad").dimension is AdsDimension.AD
    with pytest.raises(NotFoundError):
        sync_bento.stats.report("2")
    with pytest.raises(ValidationError):
        sync_bento.stats.ads(revenue_mode="nope")


def test_experimental(sync_bento: Bento, threaded_emulator: BentoEmulator) -> None:
    """Every experimental call works through the facade with the async client's answers."""
    experimental = sync_bento.experimental
    assert experimental.validate_email("a@example.com") == EmailValidation(valid=True)
    assert experimental.jesses_ruleset("a@gmail.com", block_free_providers=True).reasons == (
        "Email provider is free",
    )
    assert experimental.guess_gender("John") == GenderGuess("male", 0.99)
    assert experimental.geolocate("1.1.1.1") is None
    threaded_emulator.state.experimental.add_to_blacklist("bad.example")
    assert experimental.blacklist(domain="bad.example").listed_on == ("spamhaus",)
    assert experimental.moderate_content("hi").valid is True
    with pytest.raises(ValidationError):
        experimental.blacklist()
    assert len(threaded_emulator.requests) == 6
