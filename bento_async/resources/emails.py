"""``bento.emails``: send emails one by one (transactional or not) through ``batch/emails``."""

from __future__ import annotations

import builtins
from collections.abc import AsyncIterable, Callable, Iterable, Mapping
from typing import Any

from .._bulk import BulkSpec, run_bulk
from .._errors import InputIssue
from .._http import Request
from .._validate import (
    check_count,
    check_email,
    check_json_value,
    check_keys,
    check_text,
    raise_if,
)
from ..models import BatchResult
from ..models.bulk import BulkProgress, BulkResult
from ..models.emails import Email
from ._base import ResourceBase, parse_batch_result

__all__ = ["Emails", "check_email_item"]

MAX_EMAILS = 60
_KEYS = {"to", "from", "subject", "html_body", "transactional", "personalizations"}


def check_email_item(
    item: Email | Mapping[str, Any], path: str, issues: list[InputIssue]
) -> dict[str, Any] | None:
    """Check one email and return its wire form, or record what is wrong.

    A mapping is taken in the wire form (``from``, not ``from_``).
    """
    before = len(issues)
    if isinstance(item, Email):
        wire = item.to_wire()
    elif isinstance(item, Mapping):
        wire = dict(item)
        check_keys(wire, _KEYS, path, issues)
        wire.setdefault("transactional", False)
    else:
        issues.append(InputIssue(path, f"expected an Email, got {type(item).__name__}"))
        return None
    check_email(wire.get("to"), f"{path}.to", issues)
    check_email(wire.get("from"), f"{path}.from", issues)
    check_text(wire.get("subject"), f"{path}.subject", issues, "subject")
    check_text(wire.get("html_body"), f"{path}.html_body", issues, "html_body")
    if not isinstance(wire.get("transactional"), bool):
        issues.append(InputIssue(f"{path}.transactional", "transactional must be True or False"))
    personalizations = wire.get("personalizations")
    if personalizations is not None:
        if isinstance(personalizations, Mapping):
            check_json_value(personalizations, f"{path}.personalizations", issues)
        else:
            issues.append(InputIssue(f"{path}.personalizations", "expected a mapping"))
    return wire if len(issues) == before else None


class Emails(ResourceBase):
    """Emails: ``send`` one, ``send_batch`` up to 60 per call, ``send_many`` any number.

    Sends count against the client's ``emails`` pace (60 a minute by default), one unit
    per email. Sends are not retried after an ambiguous failure: a repeat could deliver twice.
    """

    async def send_batch(self, emails: Iterable[Email | Mapping[str, Any]]) -> BatchResult:
        """Queue up to 60 emails in one call; ``results`` counts the emails Bento queued.

        Every ``from`` must be an author of the account, or Bento refuses the whole call
        (AuthorNotAuthorizedError).

        Raises ValidationError listing every bad email before anything is sent.
        """
        issues: list[InputIssue] = []
        items = builtins.list(emails)
        check_count(len(items), MAX_EMAILS, "emails", issues)
        wire = [check_email_item(e, f"emails[{i}]", issues) for i, e in enumerate(items)]
        raise_if(issues)
        return await self._post([w for w in wire if w is not None])

    async def send_many(
        self,
        emails: Iterable[Email | Mapping[str, Any]] | AsyncIterable[Email | Mapping[str, Any]],
        *,
        chunk_size: int = MAX_EMAILS,
        concurrency: int = 4,
        on_progress: Callable[[BulkProgress], None] | None = None,
        dry_run: bool = False,
    ) -> BulkResult[Email | Mapping[str, Any]]:
        """Queue any number of emails, 60 per request at most, at the client's send pace.

        Emails are read lazily; a bad one is skipped and reported in ``invalid``; a
        chunk whose request fails is reported and its emails kept in ``failed_records``
        (never retried after an ambiguous failure: a repeat could deliver twice).
        ``dry_run`` checks everything and sends nothing.

        Raises ValidationError for a bad ``chunk_size`` or ``concurrency``, and
        BulkCancelledError (carrying the partial result) when cancelled.
        """
        return await run_bulk(
            BulkSpec("emails", MAX_EMAILS, check_email_item, self._send_chunk),
            emails,
            chunk_size=chunk_size,
            concurrency=concurrency,
            on_progress=on_progress,
            dry_run=dry_run,
        )

    async def _send_chunk(self, wire: list[dict[str, Any]]) -> tuple[int, int]:
        result = await self._post(wire)
        return result.results, result.failed

    async def _post(self, wire: list[dict[str, Any]]) -> BatchResult:
        request = Request.build(
            "POST",
            "batch/emails",
            json_body={"emails": wire},
            idempotent=False,
            emails=len(wire),
        )
        return await self._call(request, parse_batch_result)

    async def send(
        self,
        *,
        to: str,
        from_: str,
        subject: str,
        html_body: str,
        transactional: bool = False,
        personalizations: Mapping[str, Any] | None = None,
    ) -> BatchResult:
        """Queue one email (see :meth:`send_batch`).

        A non-transactional email is not delivered to an unsubscribed address.

        Raises ValidationError for bad input, AuthorNotAuthorizedError for an unknown sender.
        """
        email = Email(to, from_, subject, html_body, transactional, personalizations)
        return await self.send_batch([email])
