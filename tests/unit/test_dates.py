"""The one timestamp parser (`bento_async.parse_datetime`): the same answers on every Python."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bento_async import parse_datetime

UTC = timezone.utc
AT = datetime(2023, 11, 29, 19, 31, 49, tzinfo=UTC)


def _zone(hours: int, minutes: int = 0) -> timezone:
    return timezone(timedelta(hours=hours, minutes=minutes))


ACCEPTED = [
    ("2023-11-29 19:31:49 UTC", AT),  # Ruby's Time#to_s, what JSON.dump writes
    ("2023-11-29 19:31:49 +0000", AT),  # Time#to_s of a non-UTC time; refused by 3.10
    ("2023-11-29T19:31:49Z", AT),
    ("2023-11-29T19:31:49z", AT),
    ("2023-11-29t19:31:49Z", AT),
    ("2023-11-29T19:31:49+00:00", AT),
    ("2023-11-29T19:31:49", AT),  # no zone: UTC
    ("2023-11-29 19:31:49", AT),
    ("2023-11-29 19:31:49 utc", AT),
    ("2023-11-29 19:31:49 GMT", AT),
    ("2023-11-29T19:31:49 Z", AT),
    ("  2023-11-29T19:31:49Z\n", AT),
    ("20231129T193149Z", AT),  # ISO 8601 basic form
    ("20231129T193149+0100", AT.replace(tzinfo=_zone(1))),
    ("2023-11-29T19:31:49+01:00", AT.replace(tzinfo=_zone(1))),
    ("2023-11-29T19:31:49+0100", AT.replace(tzinfo=_zone(1))),
    ("2023-11-29T19:31:49+01", AT.replace(tzinfo=_zone(1))),
    ("2023-11-29 19:31:49 -0530", AT.replace(tzinfo=_zone(-5, -30))),
    ("2023-11-29T19:31:49-05:30", AT.replace(tzinfo=_zone(-5, -30))),
    ("2023-11-29T19:31:49.5Z", AT.replace(microsecond=500000)),  # 3.10: 3 or 6 digits only
    ("2023-11-29T19:31:49.123Z", AT.replace(microsecond=123000)),
    ("2023-11-29T19:31:49,123Z", AT.replace(microsecond=123000)),
    ("2023-11-29T19:31:49.123456789Z", AT.replace(microsecond=123456)),  # JS/Go nanoseconds
    ("2023-11-29T19:31Z", AT.replace(second=0)),
    ("2023-11-29 19:31", AT.replace(second=0)),
    ("2023-11-29", datetime(2023, 11, 29, tzinfo=UTC)),  # a date alone: midnight UTC
    ("20231129", datetime(2023, 11, 29, tzinfo=UTC)),
    ("2024-02-29T00:00:00Z", datetime(2024, 2, 29, tzinfo=UTC)),
]

REFUSED = [
    ("", "is not a timestamp (expected"),
    ("now", "is not a timestamp (expected"),
    ("last week", "is not a timestamp (expected"),
    ("2023-11-29 19:31:49 EST", "is not a timestamp (expected"),  # zone names need a database
    ("2023-11-29T19:31:49 Europe/Paris", "is not a timestamp (expected"),
    ("29/11/2023", "is not a timestamp (expected"),
    ("2023-1129", "is not a timestamp (expected"),  # basic and extended forms mixed
    ("2023-11-29T1931:49", "is not a timestamp (expected"),
    ("2023-11-29T19", "is not a timestamp (expected"),
    ("2023-11-29T19:31:49.Z", "is not a timestamp (expected"),
    ("1701286309", "is not a timestamp (expected"),  # epoch seconds are not dates here
    ("2023-02-29", "day is out of range for month"),
    ("2023-13-01", "month must be in 1..12"),
    ("2023-11-29T24:00:00Z", "hour must be in 0..23"),
    ("2023-11-29T19:60:00Z", "minute must be in 0..59"),
    ("2023-11-29T19:31:60Z", "second must be in 0..59"),
    ("2023-11-29T19:31:49+24:00", "offset +24:00 is out of range"),
    ("2023-11-29T19:31:49+05:60", "offset +05:60 is out of range"),
    ("0000-01-01", "year 0 is out of range"),
]


@pytest.mark.parametrize(("text", "expected"), ACCEPTED)
def test_accepted_forms(text: str, expected: datetime) -> None:
    """Each form Bento (a Rails app) reads gives the same aware datetime on every Python."""
    parsed = parse_datetime(text)
    assert parsed == expected
    assert parsed.utcoffset() == expected.utcoffset()


@pytest.mark.parametrize(("text", "reason"), REFUSED)
def test_refused_forms_say_why(text: str, reason: str) -> None:
    """Text that is not a timestamp, or names an impossible one, is refused with the reason."""
    with pytest.raises(ValueError, match="not a timestamp") as caught:
        parse_datetime(text)
    assert reason in str(caught.value)
    assert repr(text) in str(caught.value)


aware = st.datetimes(
    min_value=datetime(1000, 1, 2),  # four-digit years; a day's margin for any offset
    max_value=datetime(9999, 12, 30),
    timezones=st.builds(
        lambda minutes: timezone(timedelta(minutes=minutes)), st.integers(-1439, 1439)
    ),
)


@given(aware)
def test_isoformat_round_trips(value: datetime) -> None:
    """Python's own ISO text of any aware datetime reads back as the same instant and offset."""
    parsed = parse_datetime(value.isoformat())
    assert parsed == value
    assert parsed.utcoffset() == value.utcoffset()


@given(aware.map(lambda value: value.replace(microsecond=0)))
def test_ruby_forms_round_trip(value: datetime) -> None:
    """Ruby's `Time#to_s` forms (`... UTC` and `... +HHMM`) read back as the same instant."""
    in_utc = value.astimezone(UTC)
    ruby_utc = in_utc.strftime("%Y-%m-%d %H:%M:%S UTC")
    assert parse_datetime(ruby_utc) == in_utc.replace(tzinfo=UTC)
    ruby_local = value.strftime("%Y-%m-%d %H:%M:%S %z")
    assert parse_datetime(ruby_local) == value
