"""``bento.sequences``: list sequences page by page, and add an email to one."""

from __future__ import annotations

import builtins
from collections.abc import AsyncIterator

from .._errors import InputIssue
from .._http import Request
from .._validate import check_choice, check_int_range, check_path_id, check_text, raise_if
from ..models.email_templates import EmailTemplate
from ..models.pages import Page
from ..models.sequences import DelayInterval, EmailSequence
from ._base import ResourceBase, parse_item
from ._paged import fetch_page, items_of, page_items, pages_from, require_page

__all__ = ["Sequences", "sequence_ref"]


def sequence_ref(sequence: EmailSequence | str | int, issues: list[InputIssue]) -> str:
    """Return the id to put in the path (``id``, else ``prefix_id``), or record a blank one."""
    ref = sequence.ref if isinstance(sequence, EmailSequence) else sequence
    if isinstance(ref, int) and not isinstance(ref, bool):
        ref = str(ref)
    if not isinstance(ref, str) or not ref.strip():
        issues.append(InputIssue("sequence", "a sequence id is required (use the id from list)"))
        return ""
    return check_path_id(ref, "sequence", issues, "a sequence id")


class Sequences(ResourceBase):
    """Sequences: ``list`` (one page), ``pages`` and ``iter``, ``create_email``."""

    async def _page(self, number: int | None) -> Page[EmailSequence]:
        return await fetch_page(self, "fetch/sequences", EmailSequence, number)

    async def list(self, page: int | None = None) -> builtins.list[EmailSequence]:
        """Return one page of sequences with their email templates (the first by default).

        Raises ValidationError for a page below 1.
        """
        return await page_items(self._page, page)

    async def pages(self, *, start: int = 1) -> AsyncIterator[Page[EmailSequence]]:
        """Yield every page of sequences from page ``start`` on."""
        require_page(start, "start")
        async with pages_from(self._page, start) as fetch:
            async for page in fetch:
                yield page

    async def iter(self, *, start: int = 1) -> AsyncIterator[EmailSequence]:
        """Yield every sequence, page after page."""
        async for item in items_of(self.pages(start=start)):
            yield item

    async def create_email(
        self,
        sequence: EmailSequence | str | int,
        *,
        subject: str,
        html: str,
        delay_interval: DelayInterval | str | None = None,
        delay_interval_count: int | None = None,
        inbox_snippet: str | None = None,
        editor_choice: str | None = None,
        cc: str | None = None,
        bcc: str | None = None,
        to: str | None = None,
    ) -> EmailTemplate:
        """Add an email to a sequence and return its template.

        ``sequence`` is a listed sequence or its id (never an invented ``sequence_...``).
        The email goes out ``delay_interval_count`` ``delay_interval`` units after the
        previous one. Not retried after an ambiguous failure (a repeat adds a second email).

        Raises ValidationError for a blank id, a blank subject or html, an unknown
        interval or a count below 1; NotFoundError for an unknown sequence.
        """
        issues: list[InputIssue] = []
        ref = sequence_ref(sequence, issues)
        check_text(subject, "subject", issues, "subject")
        check_text(html, "html", issues, "html")
        if delay_interval is not None:
            check_choice(delay_interval, DelayInterval, "delay_interval", issues)
        if delay_interval_count is not None:
            check_int_range(delay_interval_count, "delay_interval_count", issues, 1)
        raise_if(issues)
        template = {
            "subject": subject,
            "html": html,
            "delay_interval": None if delay_interval is None else str(delay_interval),
            "delay_interval_count": delay_interval_count,
            "inbox_snippet": inbox_snippet,
            "editor_choice": editor_choice,
            "cc": cc,
            "bcc": bcc,
            "to": to,
        }
        body = {"email_template": {k: v for k, v in template.items() if v is not None}}
        path = f"fetch/sequences/{ref}/emails/templates"
        request = Request.build("POST", path, json_body=body, idempotent=False)
        return await self._call(request, parse_item(EmailTemplate))
