"""Client-side input checks, run before anything is sent.

Each check appends :class:`InputIssue` values to a list so a batch can report
every problem at once, with the path of the offending item.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from ._errors import InputIssue, ValidationError

__all__ = [
    "all_valid_emails",
    "check_count",
    "check_email",
    "check_flat_fields",
    "check_json_value",
    "check_text",
    "raise_if",
    "valid_email",
]

MAX_EMAIL_LENGTH = 320
# Deliberately simple: one @, a non-empty local part without spaces, a dotted domain.
_EMAIL_CORE = (
    r"[^@\s\"(),:;<>\[\]\\]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+"
)
_EMAIL = re.compile(f"^{_EMAIL_CORE}$")
_EMAIL_LINES = re.compile(f"(?:{_EMAIL_CORE}\n)*{_EMAIL_CORE}")


def valid_email(value: object) -> bool:
    """Whether ``value`` is a plausible email address."""
    return (
        isinstance(value, str)
        and len(value) <= MAX_EMAIL_LENGTH
        and _EMAIL.match(value) is not None
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
