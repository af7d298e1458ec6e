"""Tags of an emulated site; deleting one only discards it (memberships stay)."""

from __future__ import annotations

from datetime import datetime

import attrs

from ._core import StateCore


@attrs.frozen
class Tag:
    """A tag; `discarded_at` is set while it is soft-deleted."""

    id: str
    name: str
    site_id: int
    created_at: datetime
    discarded_at: datetime | None = None


class TagState(StateCore):
    """The site's tags, by id and by exact name (a mixin of EmulatorState)."""

    _tags: dict[str, Tag]
    _tag_ids_by_name: dict[str, str]

    def _reset(self) -> None:
        super()._reset()
        self._tags = {}
        self._tag_ids_by_name = {}

    @property
    def tags(self) -> list[Tag]:
        """Return every tag, discarded ones included, in creation order."""
        with self._lock:
            return list(self._tags.values())

    def active_tags(self) -> list[Tag]:
        """Return the tags that are not discarded."""
        return [tag for tag in self.tags if tag.discarded_at is None]

    def tag_by_name(self, name: str) -> Tag | None:
        """Return the tag with this exact name, discarded or not, or None."""
        with self._lock:
            tag_id = self._tag_ids_by_name.get(name)
            return None if tag_id is None else self._tags[tag_id]

    def tag_by_id(self, tag_id: str) -> Tag | None:
        """Return the tag with this id, or None."""
        with self._lock:
            return self._tags.get(tag_id)

    def find_or_create_tag(self, name: str) -> tuple[Tag, bool]:
        """Return the tag with this name, creating or restoring it; the flag tells if created."""
        with self._lock:
            found = self.tag_by_name(name)
            if found is None:
                tag = Tag(self._next_id("tag"), name, self.site_id, created_at=self.clock())
                self._tags[tag.id] = tag
                self._tag_ids_by_name[name] = tag.id
                return tag, True
            if found.discarded_at is not None:
                found = attrs.evolve(found, discarded_at=None)
                self._tags[found.id] = found
            return found, False

    def discard_tag(self, tag_id: str) -> Tag | None:
        """Soft-delete a tag (memberships stay); return it, or None if the id is unknown."""
        with self._lock:
            found = self._tags.get(tag_id)
            if found is not None:
                found = attrs.evolve(found, discarded_at=found.discarded_at or self.clock())
                self._tags[tag_id] = found
            return found
