"""The progress display of bulk commands, driven without a terminal, and its time estimate."""

from __future__ import annotations

import io

from hypothesis import given
from hypothesis import strategies as st
from rich.console import Console
from rich.text import Text

from bento_async import RateLimit
from bento_cli._progress import ProgressDisplay, describe_seconds, time_left

SEED_BATCH = RateLimit(500, 3600.0)


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_terminal_display_draws_a_bar_with_counts_rate_and_time_left() -> None:
    """On a (forced) terminal the rich bar shows done/total, pace, counters and time left."""
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=100, color_system=None)
    clock = FakeClock()
    display = ProgressDisplay(
        console,
        label="Importing subscribers",
        total=5000,
        chunk_size=1000,
        limit=SEED_BATCH,
        clock=clock,
        auto_refresh=False,
    )
    with display:
        clock.now += 2
        display.update(2000, {"accepted": 1990, "failed": 0, "invalid": 10})
        clock.now += 3
        display.update(5000, {"accepted": 4980, "failed": 0, "invalid": 20}, waited=75.0)
    screen = Text.from_ansi(out.getvalue()).plain
    lines = screen.splitlines()
    at = max(i for i, line in enumerate(lines) if "Importing subscribers" in line)
    bar, counters = lines[at], lines[at + 1]
    assert "━" in bar
    assert bar.endswith("5,000/5,000 · 1,000/s · <1s left")
    assert counters == "  accepted 4,980 · failed 0 · invalid 20 · rate-limit waits 1m 15s"


def test_plain_display_prints_a_line_per_interval_and_one_at_the_end() -> None:
    """Without a terminal it prints at most one line per interval, and a final one."""
    out = io.StringIO()
    console = Console(file=out, force_terminal=False, width=200)
    clock = FakeClock()
    with ProgressDisplay(
        console,
        label="Looking up",
        total=None,
        chunk_size=1,
        limit=None,
        unit="emails",
        interval=5.0,
        clock=clock,
    ) as display:
        for step in range(1, 11):
            clock.now += 1
            display.update(step * 10, {"found": step * 10})
    lines = out.getvalue().splitlines()
    assert lines == [
        "Looking up: 10 emails · 10 emails/s · found 10",
        "Looking up: 60 emails · 10 emails/s · found 60",
        "Looking up: 100 emails · 10 emails/s · found 100",
    ]


def test_time_left_before_anything_moves_is_set_by_the_limit() -> None:
    """100,000 rows at the seed batch limit: 15 requests of burst, 85 at 485 an hour."""
    estimate = time_left(100_000, done=0, elapsed=0.0, chunk_size=1000, limit=SEED_BATCH)
    assert estimate is not None
    assert round(estimate) == round(85 / (485 / 3600))
    assert time_left(5_000, done=0, elapsed=0.0, chunk_size=1000, limit=SEED_BATCH) == 0.0
    assert time_left(5_000, done=0, elapsed=0.0, chunk_size=1000, limit=None) is None


@given(
    remaining=st.integers(0, 10**7),
    more=st.integers(0, 10**6),
    done=st.integers(0, 10**7),
    elapsed=st.floats(0, 10**5),
    chunk=st.integers(1, 1000),
)
def test_time_left_grows_with_the_work_and_never_beats_the_limit(
    remaining: int, more: int, done: int, elapsed: float, chunk: int
) -> None:
    """More work never takes less time, and no estimate is below what the limit allows."""
    kwargs = {"done": done, "elapsed": elapsed, "chunk_size": chunk, "limit": SEED_BATCH}
    a = time_left(remaining, **kwargs)  # type: ignore[arg-type]
    b = time_left(remaining + more, **kwargs)  # type: ignore[arg-type]
    assert a is not None
    assert b is not None
    assert 0 <= a <= b
    floor = (-(-remaining // chunk) - SEED_BATCH.burst) / SEED_BATCH.drain_rate
    assert a >= floor - 1e-6


def test_durations_read_as_people_say_them() -> None:
    """Seconds become '<1s', '12s', '3m 20s', '2h 05m'; unknown is '?'."""
    assert [describe_seconds(v) for v in (None, 0.2, 12, 200, 7500)] == [
        "?",
        "<1s",
        "12s",
        "3m 20s",
        "2h 05m",
    ]
