"""``bento.subscribers``: find, find-or-create, import."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .._errors import InputIssue
from .._http import Request
from .._validate import check_count, check_email, check_flat_fields, raise_if
from ..models import BatchResult, Subscriber
from ._base import ResourceBase, parse_batch_result, parse_item, parse_optional_item

__all__ = ["Subscribers", "import_record"]

MAX_IMPORT = 1000
_TAG_KEYS = ("tags", "remove_tags")


def _tag_list(value: object, path: str, issues: list[InputIssue]) -> str | None:
    if isinstance(value, str):
        names = value.split(",")
    elif isinstance(value, (list, tuple, set, frozenset)):
        if not all(isinstance(name, str) and "," not in name for name in value):
            issues.append(InputIssue(path, "tag names must be strings without commas"))
            return None
        names = list(value)
    else:
        issues.append(InputIssue(path, "tags must be a comma-separated string or a list"))
        return None
    return ",".join(name.strip() for name in names if name.strip())


def import_record(record: object, path: str, issues: list[InputIssue]) -> dict[str, Any] | None:
    """Check one import record and return it in the flat wire form.

    ``tags`` and ``remove_tags`` may be lists (sent as comma strings); a nested
    ``fields`` mapping is flattened into the record.
    """
    if not isinstance(record, Mapping):
        issues.append(InputIssue(path, f"expected a mapping, got {type(record).__name__}"))
        return None
    before = len(issues)
    check_email(record.get("email"), f"{path}.email", issues)
    out: dict[str, Any] = {"email": record.get("email")}
    flat: dict[str, Any] = {}
    for key, value in record.items():
        if key == "email":
            continue
        if key in _TAG_KEYS:
            if value is not None:
                out[key] = _tag_list(value, f"{path}.{key}", issues)
        elif key == "fields" and isinstance(value, Mapping):
            flat.update(value)
        else:
            flat[key] = value
    check_flat_fields(flat, path, issues)
    out.update(flat)
    return out if len(issues) == before else None


class Subscribers(ResourceBase):
    """Subscribers: ``get``, ``create`` and ``import_many``."""

    async def get(self, *, email: str | None = None, uuid: str | None = None) -> Subscriber | None:
        """Find a subscriber by email or uuid (exactly one); None when there is none.

        Raises ValidationError for both or neither argument, or a malformed email.
        """
        issues: list[InputIssue] = []
        if (email is None) == (uuid is None):
            issues.append(InputIssue("", "give exactly one of email or uuid"))
        elif email is not None:
            check_email(email, "email", issues)
        elif not isinstance(uuid, str) or not uuid.strip():
            issues.append(InputIssue("uuid", "uuid must be a non-empty string"))
        raise_if(issues)
        params = {"email": email} if email is not None else {"uuid": uuid}
        request = Request.build("GET", "fetch/subscribers", params=params)
        return await self._call(request, parse_optional_item(Subscriber))

    async def create(self, email: str) -> Subscriber:
        """Find the subscriber with this email, or create one. Does not fire automations
        of its own, but Bento may start "new subscriber" flows.

        Raises ValidationError for a malformed email.
        """
        issues: list[InputIssue] = []
        check_email(email, "email", issues)
        raise_if(issues)
        request = Request.build(
            "POST", "fetch/subscribers", json_body={"subscriber": {"email": email}}
        )
        return await self._call(request, parse_item(Subscriber))

    async def import_many(self, records: Sequence[Mapping[str, Any]]) -> BatchResult:
        """Import (upsert) up to 1000 subscribers in one call; no automations fire.

        Each record has ``email`` plus any fields, and optionally ``tags`` and
        ``remove_tags`` (a list or a comma-separated string). Bento queues the
        import; it becomes visible within minutes.

        Raises ValidationError listing every bad record before anything is sent.
        """
        issues: list[InputIssue] = []
        records = list(records)
        check_count(len(records), MAX_IMPORT, "subscribers", issues)
        wire = [import_record(r, f"subscribers[{i}]", issues) for i, r in enumerate(records)]
        raise_if(issues)
        request = Request.build("POST", "batch/subscribers", json_body={"subscribers": wire})
        return await self._call(request, parse_batch_result)
