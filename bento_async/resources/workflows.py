"""``bento.workflows``: list workflows (automations) page by page; the API is read-only."""

from __future__ import annotations

import builtins
from collections.abc import AsyncIterator

from ..models.pages import Page
from ..models.workflows import Workflow
from ._base import ResourceBase
from ._paged import fetch_page, items_of, page_items, pages_from, require_page

__all__ = ["Workflows"]


class Workflows(ResourceBase):
    """Workflows: ``list`` (one page), ``pages`` and ``iter``."""

    async def _page(self, number: int | None) -> Page[Workflow]:
        return await fetch_page(self, "fetch/workflows", Workflow, number)

    async def list(self, page: int | None = None) -> builtins.list[Workflow]:
        """Return one page of workflows with their email templates (the first by default).

        Raises ValidationError for a page below 1.
        """
        return await page_items(self._page, page)

    async def pages(self, *, start: int = 1) -> AsyncIterator[Page[Workflow]]:
        """Yield every page of workflows from page ``start`` on."""
        require_page(start, "start")
        async with pages_from(self._page, start) as fetch:
            async for page in fetch:
                yield page

    async def iter(self, *, start: int = 1) -> AsyncIterator[Workflow]:
        """Yield every workflow, page after page."""
        async for item in items_of(self.pages(start=start)):
            yield item
