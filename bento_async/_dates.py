"""One lenient timestamp parser, the same on every supported Python version.

Bento is a Rails app and reads dates about as leniently as Rails does; the SDK checks date
inputs, reads timestamps in answers, and the emulator parses request dates with this one
function, so all three agree. `datetime.fromisoformat` is not used: what it accepts grew in
Python 3.11 (offsets without a colon, any fraction length, the `Z` suffix).

Accepted, with optional surrounding blanks:

    2023-11-29                       a date alone is midnight UTC
    2023-11-29T19:31:49Z             ISO 8601 extended form (`T`, `t` or a space between)
    2023-11-29 19:31:49 UTC          what Ruby's `Time#to_s` and `JSON.dump` write
    2023-11-29 19:31:49 +0000        offsets: +HH:MM, +HHMM or +HH, a space before allowed
    2023-11-29T19:31:49.123456789+01:00   any fraction length (kept to microseconds)
    20231129T193149Z                 ISO 8601 basic form
    2023-11-29T19:31                 seconds optional; no zone means UTC

Zone names other than `Z`, `UTC` and `GMT` (`EST`, `Europe/Paris`) are refused: their
offsets depend on a zone database, and Rails' reading of them on its own configuration.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

__all__ = ["parse_datetime"]

_TIMESTAMP = re.compile(
    r"""
    (?P<year>\d{4}) (?P<dsep>-?) (?P<month>\d{2}) (?P=dsep) (?P<day>\d{2})
    (?:
        (?:[Tt]|\x20+)
        (?P<hour>\d{2}) (?P<tsep>:?) (?P<minute>\d{2})
        (?: (?P=tsep) (?P<second>\d{2}) (?: [.,] (?P<fraction>\d+) )? )?
    )?
    \x20*
    (?P<zone> [Zz] | (?i:UTC|GMT) | (?P<sign>[+-]) (?P<oh>\d{2}) (?: :? (?P<om>\d{2}) )? )?
    """,
    re.VERBOSE | re.ASCII,
)

# The form Bento itself writes, in the subset every supported `fromisoformat` reads alike
# (3 or 6 fraction digits, an offset with a colon): a fast path for parsing answers.
_COMMON = re.compile(
    r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{3}(?:\d{3})?)?([Zz]|[+-]\d{2}:[0-5]\d)?",
    re.ASCII,
)

FORMS = "YYYY-MM-DD, optionally with THH:MM[:SS[.fraction]] and Z, UTC or +HH[:MM]"


def parse_datetime(value: str) -> datetime:
    """Parse a timestamp the way Bento reads one; the result is always timezone-aware.

    A date alone is midnight UTC; a time without a zone is UTC.

    Raises ValueError saying why the text is not a timestamp (its `str` fits a log line).
    """
    common = _common(value)
    if common is not None:
        return common
    text = value.strip()
    match = _TIMESTAMP.fullmatch(text)
    if match is None:
        raise ValueError(f"{value!r} is not a timestamp (expected {FORMS})")
    parts = match.groupdict()
    fraction = (parts["fraction"] or "")[:6].ljust(6, "0")
    try:
        return datetime(
            int(parts["year"]),
            int(parts["month"]),
            int(parts["day"]),
            int(parts["hour"] or 0),
            int(parts["minute"] or 0),
            int(parts["second"] or 0),
            int(fraction),
            tzinfo=_zone(parts["sign"], parts["oh"], parts["om"]),
        )
    except ValueError as problem:
        raise ValueError(f"{value!r} is not a timestamp: {problem}") from None


def _common(value: str) -> datetime | None:
    """Parse Bento's own form quickly; None for anything else (the full parser decides)."""
    match = _COMMON.fullmatch(value)
    if match is None:
        return None
    zone = match.group(1)
    if zone is None or zone in "Zz":  # an explicit offset is cheaper than .replace(tzinfo=)
        value = value[: match.start(1)] + "+00:00" if zone else value + "+00:00"
    try:
        return datetime.fromisoformat(value)
    except ValueError:  # out-of-range parts: the full parser words the message
        return None


def _zone(sign: str | None, hours: str | None, minutes: str | None) -> timezone:
    """Return the zone of an offset (UTC when there is none); ValueError past ±23:59."""
    if sign is None or hours is None:
        return timezone.utc
    offset = timedelta(hours=int(hours), minutes=int(minutes or 0))
    if int(minutes or 0) > 59 or offset >= timedelta(hours=24):
        raise ValueError(f"offset {sign}{hours}:{minutes or '00'} is out of range")
    return timezone(-offset if sign == "-" else offset)
