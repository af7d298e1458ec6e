"""Client-side input checks, run before anything is sent.

Each check appends :class:`InputIssue` values to a list so a batch can report
every problem at once, with the path of the offending item.
"""

from __future__ import annotations

import ipaddress
import math
import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any, TypeVar
from urllib.parse import quote

from ._errors import InputIssue, ValidationError
from .models._base import parse_datetime
from .models._enums import OpenEnum

__all__ = [
    "check_choice",
    "all_valid_emails",
    "check_count",
    "check_date",
    "check_date_or_phrase",
    "check_domain",
    "check_email",
    "check_flag",
    "check_flat_fields",
    "check_int_range",
    "check_ip",
    "check_json_value",
    "check_keys",
    "check_path_id",
    "check_text",
    "check_timestamp",
    "raise_if",
    "valid_domain",
    "valid_email",
]

E = TypeVar("E", bound=OpenEnum)

MAX_EMAIL_LENGTH = 320
# Deliberately simple: one @, a non-empty local part without spaces or control
# characters (NUL, BEL, DEL, C1...), a dotted domain.
_EMAIL_CORE = (
    r"[^@\s\"(),:;<>\[\]\\\x00-\x1f\x7f-\x9f]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+"
)
_EMAIL = re.compile(_EMAIL_CORE)
_EMAIL_LINES = re.compile(f"(?:{_EMAIL_CORE}\n)*{_EMAIL_CORE}")


# Dotted labels of letters, digits and inner hyphens, ending in an alphabetic TLD.
_DOMAIN = re.compile(
    r"^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$"
)


def valid_email(value: object) -> bool:
    """Whether ``value`` is a plausible email address."""
    return (
        isinstance(value, str)
        and len(value) <= MAX_EMAIL_LENGTH
        and _EMAIL.fullmatch(value) is not None
    )


def all_valid_emails(emails: list[str]) -> bool:
    """Whether every string is a valid email, checked in one pass over the joined text.

    A sufficient check: True means each one passes valid_email. It may say False
    for some that would pass (an address ending in a newline): check those one by one.
    Raises TypeError when an item is not a string.
    """
    if not emails:
        return True
    text = "\n".join(emails)
    return (
        max(map(len, emails)) <= MAX_EMAIL_LENGTH
        and text.count("\n") == len(emails) - 1
        and _EMAIL_LINES.fullmatch(text) is not None
    )


def raise_if(issues: list[InputIssue]) -> None:
    """Raise ValidationError when any issue was found."""
    if issues:
        raise ValidationError(issues)


def check_email(value: object, path: str, issues: list[InputIssue]) -> None:
    """Require a well-formed email address."""
    if not isinstance(value, str) or not value:
        issues.append(InputIssue(path, "an email address is required"))
    elif not valid_email(value):
        issues.append(InputIssue(path, f"{value!r} is not a valid email address"))


def check_path_id(value: object, path: str, issues: list[InputIssue], what: str) -> str:
    """Return a string id quoted as one URL path segment, or record why it cannot be one.

    Blank ids and the dot segments ``.`` and ``..`` are refused: a URL resolves them
    to another endpoint (``fetch/tags/..`` is ``fetch/``). Everything else is sent
    percent-encoded.
    """
    if not isinstance(value, str) or not value.strip():
        issues.append(InputIssue(path, f"{what} must be a non-empty string"))
        return ""
    text = value.strip()
    if text in (".", ".."):
        issues.append(InputIssue(path, f"{text!r} is not an id ({what})"))
        return ""
    return quote(text, safe="")


def check_date_or_phrase(value: object, path: str, issues: list[InputIssue]) -> None:
    """Require None, a date, a datetime, or a non-blank string sent as given.

    Strings may be ISO 8601 or what the API reads itself ("last week", "now").
    """
    if value is None or isinstance(value, (date, datetime)):
        return
    if isinstance(value, str) and value.strip():
        return
    issues.append(InputIssue(path, "expected a date, a datetime or a non-blank string"))


def check_text(value: object, path: str, issues: list[InputIssue], what: str = "value") -> None:
    """Require a non-blank string."""
    if not isinstance(value, str) or not value.strip():
        issues.append(InputIssue(path, f"{what} must be a non-empty string"))


def check_count(n: int, limit: int, what: str, issues: list[InputIssue], path: str = "") -> None:
    """Require between 1 and ``limit`` items."""
    if n < 1:
        issues.append(InputIssue(path, f"at least one {what} is required"))
    elif n > limit:
        issues.append(InputIssue(path, f"at most {limit} {what} per call, got {n}"))


def check_json_value(value: object, path: str, issues: list[InputIssue]) -> None:
    """Require a value JSON can carry (datetimes are sent as ISO 8601)."""
    if value is None or isinstance(value, (str, bool, int, datetime, date)):
        return
    if isinstance(value, float):
        if not math.isfinite(value):
            issues.append(InputIssue(path, f"{value!r} cannot be sent as JSON"))
        return
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                issues.append(InputIssue(path, f"key {key!r} must be a string"))
            else:
                check_json_value(item, f"{path}.{key}", issues)
        return
    if isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            check_json_value(item, f"{path}[{i}]", issues)
        return
    issues.append(InputIssue(path, f"{type(value).__name__} cannot be sent as JSON"))


def check_flat_fields(fields: object, path: str, issues: list[InputIssue]) -> None:
    """Require a flat mapping of non-empty string keys to JSON scalars or lists."""
    if not isinstance(fields, Mapping):
        issues.append(InputIssue(path, "fields must be a mapping"))
        return
    for key, value in fields.items():
        if not isinstance(key, str) or not key.strip():
            issues.append(InputIssue(path, f"field key {key!r} must be a non-empty string"))
            continue
        if isinstance(value, Mapping):
            issues.append(InputIssue(f"{path}.{key}", "fields must be flat, not nested objects"))
            continue
        check_json_value(value, f"{path}.{key}", issues)


def as_dict(value: Any, path: str, issues: list[InputIssue]) -> Mapping[str, Any] | None:
    """Return ``value`` when it is a mapping, else record an issue."""
    if isinstance(value, Mapping):
        return value
    issues.append(InputIssue(path, f"expected a mapping, got {type(value).__name__}"))
    return None


def valid_domain(value: object) -> bool:
    """Whether ``value`` is a plausible domain name such as ``example.com``.

    International names are checked in their IDNA (``xn--``) form; a trailing
    dot is allowed.
    """
    if not isinstance(value, str):
        return False
    try:
        ascii_name = value.removesuffix(".").encode("idna").decode("ascii").lower()
    except UnicodeError:
        return False
    return len(ascii_name) <= 253 and _DOMAIN.match(ascii_name) is not None


def check_domain(value: object, path: str, issues: list[InputIssue]) -> None:
    """Require a domain name (not a URL, not an address)."""
    if not isinstance(value, str) or not value.strip():
        issues.append(InputIssue(path, "a domain name is required"))
    elif not valid_domain(value):
        issues.append(InputIssue(path, f"{value!r} is not a valid domain name"))


def check_ip(value: object, path: str, issues: list[InputIssue]) -> None:
    """Require an IPv4 or IPv6 address in text form."""
    if not isinstance(value, str) or not value.strip():
        issues.append(InputIssue(path, "an IP address is required"))
        return
    try:
        ipaddress.ip_address(value)
    except ValueError:
        issues.append(InputIssue(path, f"{value!r} is not a valid IP address"))


def check_flag(value: object, path: str, issues: list[InputIssue]) -> None:
    """Require None or a bool (not 0/1, not "true")."""
    if value is not None and not isinstance(value, bool):
        issues.append(InputIssue(path, f"expected True or False, got {type(value).__name__}"))


def check_date(value: object, path: str, issues: list[InputIssue]) -> None:
    """Require None, a date, a datetime, or an ISO 8601 date or timestamp string."""
    if value is None or isinstance(value, (date, datetime)):
        return
    if isinstance(value, str):
        try:
            parse_datetime(value)
            return
        except ValueError:
            pass
    issues.append(InputIssue(path, f"{value!r} is not a date, a datetime or an ISO 8601 string"))


def check_choice(value: object, choices: type[E], path: str, issues: list[InputIssue]) -> E | None:
    """Return the member of ``choices`` named by ``value`` (or an alias), or record why not.

    None stays None. Values the API may add later are accepted when parsing responses,
    never from callers.
    """
    if value is None:
        return None
    if not choices.is_known(value):
        issues.append(InputIssue(path, f"{value!r} is not one of {choices.choices()}"))
        return None
    return choices(value)


def check_int_range(
    value: object, path: str, issues: list[InputIssue], low: int, high: int | None = None
) -> None:
    """Require an integer (not a bool) of at least ``low`` and at most ``high``."""
    if isinstance(value, bool) or not isinstance(value, int):
        issues.append(InputIssue(path, f"expected an integer, got {type(value).__name__}"))
    elif value < low or (high is not None and value > high):
        bounds = f"between {low} and {high}" if high is not None else f"at least {low}"
        issues.append(InputIssue(path, f"must be {bounds}, got {value}"))


def check_timestamp(value: object, path: str, issues: list[InputIssue]) -> None:
    """Require a datetime, or a string in ISO 8601 form."""
    if isinstance(value, datetime):
        return
    if isinstance(value, str):
        try:
            parse_datetime(value)
        except ValueError:
            issues.append(InputIssue(path, f"{value!r} is not an ISO 8601 timestamp"))
        return
    issues.append(InputIssue(path, "expected a datetime or an ISO 8601 string"))


def check_keys(
    value: Mapping[str, Any], allowed: Iterable[str], path: str, issues: list[InputIssue]
) -> None:
    """Refuse keys outside ``allowed`` (a typo would otherwise be dropped by the API)."""
    unknown = sorted(map(str, set(value) - set(allowed)))
    if unknown:
        issues.append(InputIssue(path, f"unknown keys {unknown}"))
