"""Custom fields (and tags) created and listed through the async client."""

from __future__ import annotations

import pytest

from bento_async import AsyncBento

pytestmark = pytest.mark.anyio


async def test_tags_and_fields_create_and_list(bento: AsyncBento) -> None:
    """tags.create/list and fields.create/list round-trip through the emulator."""
    tag = await bento.tags.create("vip")
    assert tag.name == "vip"
    assert [t.name for t in await bento.tags.list()] == ["vip"]
    assert (await bento.tags.create("vip")).id == tag.id
    field = await bento.fields.create("favourite_food")
    assert field.key == "favourite_food"
    assert field.name == "Favourite Food"
    assert [f.key for f in await bento.fields.list()] == ["favourite_food"]
