"""``bento.tags``: list and create tags, and turn ``cached_tag_ids`` into names."""

from __future__ import annotations

import asyncio
import builtins
from collections.abc import Iterable, Mapping
from typing import Any

from .._errors import InputIssue, ValidationError
from .._http import Request
from .._validate import check_path_id, check_text, raise_if
from ..models import Subscriber, Tag
from ._base import ResourceBase, parse_item, parse_list

__all__ = ["TagCache", "Tags"]


def _message(payload: Any) -> str:
    if not isinstance(payload, Mapping):
        raise ValueError(f"expected a JSON object, got {type(payload).__name__}")
    message = payload.get("message")
    return message if isinstance(message, str) else ""


class TagCache:
    """Tag names by id, shared by a client; refreshed only when an unknown id shows up.

    Ids a fresh list still lacks (deleted tags stay in ``cached_tag_ids``) are remembered
    as gone, so they do not trigger a refresh on every lookup; ids are never reused.
    """

    def __init__(self) -> None:
        self.names: dict[str, str] = {}
        self.gone: set[str] = set()
        self.loaded = False
        self.lock: asyncio.Lock | None = None

    def update(self, tags: Iterable[Tag]) -> None:
        """Remember the names of these tags."""
        for tag in tags:
            self.names[tag.id] = tag.name
            self.gone.discard(tag.id)
        self.loaded = True

    def missing(self, ids: Iterable[str]) -> bool:
        """Whether any id is unknown (and not known to be gone)."""
        return not self.loaded or any(i not in self.names and i not in self.gone for i in ids)


class Tags(ResourceBase):
    """Tags: ``list``, ``get`` (by name), ``create``, ``delete`` and ``names_for``."""

    async def list(self) -> builtins.list[Tag]:
        """Return every tag of the site (also refreshes the id-to-name cache)."""
        request = Request.build("GET", "fetch/tags")
        tags = await self._call(request, parse_list(Tag))
        self._client._shared.tag_cache.update(tags)
        return tags

    async def get(self, name: str) -> Tag | None:
        """Find the live tag with this name (exact match); None when there is none.

        Lists the tags (one request, which also refreshes the id-to-name cache).

        Raises ValidationError for a blank name.
        """
        issues: list[InputIssue] = []
        check_text(name, "name", issues, "tag name")
        raise_if(issues)
        live = (tag for tag in await self.list() if tag.discarded_at is None)
        return next((tag for tag in live if tag.name == name), None)

    async def create(self, name: str) -> Tag:
        """Create a tag, or return the existing one with this name.

        Raises ValidationError for an empty name.
        """
        issues: list[InputIssue] = []
        check_text(name, "name", issues, "tag name")
        raise_if(issues)
        request = Request.build("POST", "fetch/tags", json_body={"tag": {"name": name}})
        tag = await self._call(request, parse_item(Tag))
        self._client._shared.tag_cache.update([tag])
        return tag

    async def delete(self, tag: Tag | str | None = None, *, name: str | None = None) -> str:
        """Delete a tag and return Bento's message; Bento keeps it, marked discarded.

        ``tag`` is a Tag or a tag id. The API wants the name too: without ``name`` it
        comes from the Tag, else from the client's tag cache (refreshed for an unknown id).
        With ``name`` alone, the id is looked up by name (see ``get``).

        Raises ValidationError for a blank id or name, an id or name no live tag has, and
        NotFoundError when Bento knows no such tag.
        """
        if tag is None:
            return await self._delete_named(name)
        issues: list[InputIssue] = []
        tag_id = tag.id if isinstance(tag, Tag) else tag
        segment = check_path_id(tag_id, "tag", issues, "tag id")
        if name is None and isinstance(tag, Tag):
            name = tag.name
        if name is not None:
            check_text(name, "name", issues, "tag name")
        raise_if(issues)
        if name is None:
            found = await self.names_for([tag_id])
            if not found:
                raise_if([InputIssue("tag", f"no tag has the id {tag_id!r}")])
            name = found[0]
        request = Request.build(
            "DELETE",
            f"fetch/tags/{segment}",
            json_body={"tag": {"name": name}},
        )
        return await self._call(request, _message)

    async def _delete_named(self, name: str | None) -> str:
        if name is None:
            raise ValidationError([InputIssue("", "give a tag, a tag id or a name")])
        found = await self.get(name)
        if found is None:
            raise ValidationError([InputIssue("name", f"no tag has the name {name!r}")])
        return await self.delete(found)

    async def names_for(self, subscriber_or_ids: Subscriber | Iterable[str]) -> builtins.list[str]:
        """Return the tag names of a subscriber (or of tag ids), in the order given.

        The tag list is fetched once per client and again only when an id is not
        in it; ids that still match no tag are left out.
        """
        if isinstance(subscriber_or_ids, Subscriber):
            ids = list(subscriber_or_ids.cached_tag_ids)
        else:
            ids = [str(i) for i in subscriber_or_ids]
        cache = self._client._shared.tag_cache
        if ids and cache.missing(ids):
            if cache.lock is None:
                cache.lock = asyncio.Lock()
            async with cache.lock:
                if cache.missing(ids):  # another task may have refreshed it meanwhile
                    await self.list()
                    cache.gone.update(i for i in ids if i not in cache.names)
        return [cache.names[i] for i in ids if i in cache.names]
