"""Form responses, segments, search and tag deletion through the async client."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta, timezone

import pytest

from bento_async import (
    AsyncBento,
    DateRange,
    PermissionDeniedError,
    RateLimits,
    UnprocessableEntityError,
    ValidationError,
)
from bento_emulator import BentoEmulator

pytestmark = pytest.mark.anyio


async def test_form_responses(bento: AsyncBento, emulator: BentoEmulator) -> None:
    """Responses to one form come back with their data; another form's do not."""
    emulator.state.add_form_response("signup", email="a@example.com", fields={"plan": "pro"})
    emulator.state.add_form_response("other", email="b@example.com")
    [response] = await bento.forms.responses("signup")
    assert response.data.email == "a@example.com"
    assert response.data.fields == {"plan": "pro"}
    assert emulator.requests[-1].query["id"] == "signup"
    assert await bento.forms.responses("nothing-here") == []
    with pytest.raises(ValidationError):
        await bento.forms.responses(" ")


async def test_segments_list_get_and_match(bento: AsyncBento, emulator: BentoEmulator) -> None:
    """Live segments list by name; one reads back; match follows the segment's rule."""
    vips = emulator.state.add_segment("VIPs", tags=["vip"], visitor_event_query={"q": 1})
    emulator.state.add_segment("All named", emails=["b@example.com"])
    gone = emulator.state.add_segment("Old")
    emulator.state.discard_segment(gone.id)
    assert [s.name for s in await bento.segments.list()] == ["All named", "VIPs"]
    found = await bento.segments.get(vips.id)
    assert found is not None
    assert found.visitor_event_query == {"q": 1}
    assert await bento.segments.get(gone.id) is None
    await bento.commands.add_tag("a@example.com", "vip")
    assert (await bento.segments.match(vips.id, email="a@example.com")).matched is True
    assert (await bento.segments.match(vips.id, email="b@example.com")).matched is False
    assert emulator.requests[-1].json == {"email": "b@example.com"}
    assert [s.email for s in emulator.state.segment_members(vips.id)] == ["a@example.com"]


async def test_search_is_enterprise_only(bento: AsyncBento, emulator: BentoEmulator) -> None:
    """A site that is not Enterprise is refused with 403."""
    with pytest.raises(PermissionDeniedError):
        await bento.search.list()
    assert emulator.requests[-1].status == 403


@pytest.fixture
async def enterprise() -> AsyncIterator[BentoEmulator]:
    """An Enterprise site, where search is open."""
    async with BentoEmulator(enterprise=True) as emulator:
        yield emulator


async def test_search_filters(enterprise: BentoEmulator) -> None:
    """Tags and date ranges narrow the results; filters travel in query and body."""
    state = enterprise.state
    clock = datetime(2024, 1, 1, tzinfo=timezone.utc)
    state.clock = lambda: clock
    state.add_tags("old@example.com", ["vip"])
    clock += timedelta(days=30)
    state.add_tags("new@example.com", ["vip", "lead"])
    state.unsubscribe("gone@example.com")
    async with AsyncBento(**enterprise.credentials, rate_limits=RateLimits.off()) as client:
        vips = await client.search.list(tags=["vip"])
        recent = await client.search.list(created_at=DateRange(gt=clock - timedelta(days=1)))
        both = await client.search.list(tags="vip,lead")
        unsubscribed = await client.search.list(unsubscribed_at={"lt": "2100-01-01T00:00:00Z"})
    assert [s.email for s in vips] == ["old@example.com", "new@example.com"]
    assert [s.email for s in recent] == ["new@example.com", "gone@example.com"]
    assert [s.email for s in both] == ["new@example.com"]
    assert [s.email for s in unsubscribed] == ["gone@example.com"]
    assert all(s.navigation_url for s in vips)
    sent = enterprise.requests[1]
    assert sent.query["created_at[gt]"].startswith("2024-01-30")
    assert sent.json["created_at"]["gt"] == sent.query["created_at[gt]"]


async def test_search_iterates_100_a_page(enterprise: BentoEmulator) -> None:
    """250 matches come in 3 requests: the short third page is known to be the last."""
    for i in range(250):
        enterprise.state.find_or_create_subscriber(f"u{i:03d}@example.com")
    async with AsyncBento(**enterprise.credentials, rate_limits=RateLimits.off()) as client:
        emails = [s.email async for s in client.search.iter()]
        pages = [
            (p.number, len(p), p.meta.page if p.meta else None)
            async for p in client.search.pages(start=3)
        ]
    assert emails == [f"u{i:03d}@example.com" for i in range(250)]
    assert [r.query["page"] for r in enterprise.requests[:3]] == ["1", "2", "3"]
    assert pages == [(3, 50, 3)]
    assert len(enterprise.requests) == 4


async def test_search_checks_filters(bento: AsyncBento, emulator: BentoEmulator) -> None:
    """Bad filters are refused before anything is sent."""
    with pytest.raises(ValidationError):
        await bento.search.list(created_at=DateRange())
    with pytest.raises(ValidationError):
        await bento.search.list(updated_at={"gt": "last week"})
    assert emulator.requests == []


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
