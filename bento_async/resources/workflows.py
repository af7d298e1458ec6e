"""``bento.workflows``: list workflows (automations) page by page; the API is read-only."""

from __future__ import annotations

import builtins
import contextlib
from collections.abc import AsyncIterator

from .._errors import InputIssue
from .._paging import paginate
from .._validate import raise_if
from ..models.pages import Page
from ..models.workflows import Workflow
from ._base import ResourceBase
from ._paged import check_page, fetch_page, items_of

__all__ = ["Workflows"]


class Workflows(ResourceBase):
    """Workflows: ``list`` (one page), ``pages`` and ``iter``."""

    async def _page(self, number: int | None) -> Page[Workflow]:
        return await fetch_page(self, "fetch/workflows", Workflow, number)

    async def list(self, page: int | None = None) -> builtins.list[Workflow]:
        """Return one page of workflows with their email templates (the first by default).

        Raises ValidationError for a page below 1.
        """
        issues: list[InputIssue] = []
        check_page(page, "page", issues)
        raise_if(issues)
        return builtins.list((await self._page(page)).items)

    async def pages(self, *, start: int = 1) -> AsyncIterator[Page[Workflow]]:
        """Yield every page of workflows from page ``start`` on."""
        issues: list[InputIssue] = []
        check_page(start, "start", issues)
        raise_if(issues)
        fetch = paginate(self._page, start=start)
        async with contextlib.aclosing(fetch):  # type: ignore[type-var]
            async for page in fetch:
                yield page

    async def iter(self, *, start: int = 1) -> AsyncIterator[Workflow]:
        """Yield every workflow, page after page."""
        async for item in items_of(self.pages(start=start)):
            yield item
