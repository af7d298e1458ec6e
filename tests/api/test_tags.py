"""Tags through the async client: names of tag ids (cached), deletion."""

from __future__ import annotations

import pytest

from bento_async import (
    AsyncBento,
    UnprocessableEntityError,
    ValidationError,
)
from bento_emulator import BentoEmulator

pytestmark = pytest.mark.anyio

EMAIL = "jesse@example.com"


async def test_delete_tag_soft_deletes(bento: AsyncBento, emulator: BentoEmulator) -> None:
    """Deleting keeps the tag (discarded) and its memberships, and hides it from the list."""
    await bento.commands.add_tag("a@example.com", "vip")
    [tag] = await bento.tags.list()
    assert await bento.tags.delete(tag) == "Tag (vip) deleted successfully"
    sent = emulator.requests[-1]
    assert (sent.method, sent.path, sent.json) == (
        "DELETE",
        f"/api/v1/fetch/tags/{tag.id}",
        {"tag": {"name": "vip"}},
    )
    stored = emulator.state.tag_by_id(tag.id)
    assert stored is not None
    assert stored.discarded_at is not None
    assert emulator.state.tag_names_of("a@example.com") == ["vip"]
    assert await bento.tags.list() == []
    assert await bento.tags.delete(tag.id, name="vip") == "Tag (vip) deleted successfully"


async def test_delete_tag_by_id_resolves_the_name(
    bento: AsyncBento, emulator: BentoEmulator
) -> None:
    """Given only an id, the name comes from the tag cache, refreshed for an unknown id."""
    emulator.state.find_or_create_tag("lead")
    tag, _ = emulator.state.find_or_create_tag("customer")
    await bento.tags.delete(tag.id)
    assert [r.method for r in emulator.requests] == ["GET", "DELETE"]
    assert emulator.requests[-1].json == {"tag": {"name": "customer"}}
    with pytest.raises(ValidationError, match="no tag has the id"):
        await bento.tags.delete("999")


async def test_delete_tag_with_a_wrong_name(bento: AsyncBento, emulator: BentoEmulator) -> None:
    """A name that is not the tag's is refused by the emulator (422) and nothing changes."""
    tag, _ = emulator.state.find_or_create_tag("vip")
    with pytest.raises(UnprocessableEntityError):
        await bento.tags.delete(tag.id, name="customer")
    assert emulator.state.tag_by_id(tag.id) == tag


async def test_deleted_tag_ids_do_not_refetch_every_time(
    bento: AsyncBento, emulator: BentoEmulator
) -> None:
    """A deleted tag stays in cached_tag_ids; after one refresh its id is known to be gone."""
    emulator.state.add_tags("a@example.com", ["vip", "lead"])
    emulator.state.discard_tag(emulator.state.tag_by_name("vip").id)  # type: ignore[union-attr]
    subscriber = await bento.subscribers.get(email="a@example.com")
    assert subscriber is not None
    assert len(subscriber.cached_tag_ids) == 2
    assert await bento.tags.names_for(subscriber) == ["lead"]
    assert await bento.tags.names_for(subscriber) == ["lead"]
    assert [r.path for r in emulator.requests].count("/api/v1/fetch/tags") == 1
    emulator.state.find_or_create_tag("new")
    assert await bento.tags.names_for(["3"]) == ["new"]
    assert [r.path for r in emulator.requests].count("/api/v1/fetch/tags") == 2


async def test_tag_names_cached_until_unknown_id(
    bento: AsyncBento, emulator: BentoEmulator
) -> None:
    """names_for fetches the tag list once, and again only when it meets an unknown id."""
    await bento.commands.add_tag(EMAIL, "customer")
    sub = await bento.subscribers.get(email=EMAIL)
    assert sub is not None
    assert await bento.tags.names_for(sub) == ["customer"]
    assert await bento.tags.names_for(sub) == ["customer"]
    tag_lists = [r for r in emulator.requests if r.path.endswith("fetch/tags")]
    assert len(tag_lists) == 1
    await bento.commands.add_tag(EMAIL, "vip")
    sub = await bento.subscribers.get(email=EMAIL)
    assert sub is not None
    assert await bento.tags.names_for(sub) == ["customer", "vip"]
    tag_lists = [r for r in emulator.requests if r.path.endswith("fetch/tags")]
    assert len(tag_lists) == 2
