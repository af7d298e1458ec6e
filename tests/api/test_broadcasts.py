"""Broadcasts through the async client against the emulator: list, pages, create."""

from __future__ import annotations

import pytest

from bento_async import (
    AsyncBento,
    BroadcastStatus,
    NewBroadcast,
    Page,
    Sender,
    ValidationError,
)
from bento_emulator import BentoEmulator

pytestmark = pytest.mark.anyio

AUTHOR = "jesse@example.com"


def _new(name: str = "Launch", **changes: object) -> NewBroadcast:
    fields: dict[str, object] = {
        "name": name,
        "subject": "Hello",
        "content": "<p>Hi</p>",
        "from_": AUTHOR,
        "batch_size_per_hour": 1000,
    }
    fields.update(changes)
    return NewBroadcast(**fields)  # type: ignore[arg-type]


async def test_list_defaults_to_sent_and_filters_by_status(
    bento: AsyncBento, emulator: BentoEmulator
) -> None:
    """Without a status Bento lists sent broadcasts; `cancelled` is read as `canceled`."""
    emulator.state.add_broadcast("Sent one")
    emulator.state.add_broadcast("Dropped", status="canceled")
    emulator.state.add_broadcast("Draft", status="draft")
    assert [b.name for b in await bento.broadcasts.list()] == ["Sent one"]
    canceled = await bento.broadcasts.list(status="cancelled")
    assert [(b.name, b.status) for b in canceled] == [("Dropped", BroadcastStatus.CANCELED)]
    drafts = await bento.broadcasts.list(status=BroadcastStatus.DRAFT)
    assert drafts[0].template is not None
    assert drafts[0].template.html is None
    assert emulator.requests[-1].query["status"] == "draft"


async def test_iter_walks_every_page_and_stops_on_meta(
    bento: AsyncBento, emulator: BentoEmulator
) -> None:
    """60 broadcasts at 25 a page are read in 3 requests: meta's total ends the walk."""
    for i in range(60):
        emulator.state.add_broadcast(f"b{i:02d}")
    names = [b.name async for b in bento.broadcasts.iter()]
    assert names == [f"b{i:02d}" for i in range(60)]
    assert [r.query.get("page") for r in emulator.requests] == ["1", "2", "3"]


async def test_pages_carry_numbers_and_meta(bento: AsyncBento, emulator: BentoEmulator) -> None:
    """Each page knows its number and the API's meta; `start` skips earlier pages."""
    for i in range(12):
        emulator.state.add_broadcast(f"b{i}")
    pages = [p async for p in bento.broadcasts.pages(per_page=5, start=2)]
    assert all(isinstance(p, Page) for p in pages)
    assert [(p.number, len(p)) for p in pages] == [(2, 5), (3, 2)]
    assert pages[0].meta is not None
    assert pages[0].meta.total == 12


async def test_list_checks_its_arguments(bento: AsyncBento, emulator: BentoEmulator) -> None:
    """A page below 1 or an unknown status is refused before anything is sent."""
    with pytest.raises(ValidationError):
        await bento.broadcasts.list(page=0)
    with pytest.raises(ValidationError, match="status"):
        await bento.broadcasts.list(status="archived")
    with pytest.raises(ValidationError):
        [b async for b in bento.broadcasts.iter(status="archived")]
    assert emulator.requests == []


async def test_create_makes_drafts(bento: AsyncBento, emulator: BentoEmulator) -> None:
    """Created broadcasts are drafts with a template; the answer lists them with their ids."""
    result = await bento.broadcasts.create(
        [
            _new(inclusive_tags=["lead", "mql"], from_=Sender(email=AUTHOR, name="Jesse")),
            {
                "name": "Raw",
                "subject": "Hi",
                "content": "<html></html>",
                "type": "raw",
                "from": {"email": AUTHOR},
                "batch_size_per_hour": 10,
            },
        ]
    )
    assert (result.results, result.failed, result.ok) == (2, 0, True)
    stored = emulator.state.broadcasts
    assert [(b.name, b.status, b.type) for b in stored] == [
        ("Launch", "draft", "plain"),
        ("Raw", "draft", "raw"),
    ]
    assert stored[0].inclusive_tags == "lead,mql"
    assert stored[0].from_name == "Jesse"
    assert [c.id for c in result.broadcasts] == [b.id for b in stored]
    assert result.broadcasts[0].template_id == stored[0].template_id
    assert emulator.requests[-1].json["broadcasts"][0]["from"] == {"email": AUTHOR, "name": "Jesse"}


async def test_create_reports_refused_broadcasts(
    bento: AsyncBento, emulator: BentoEmulator
) -> None:
    """A sender who is not an author is refused per item, in `failures`, with its index."""
    result = await bento.broadcasts.create([_new(), _new("Stranger", from_="eve@example.com")])
    assert (result.results, result.failed) == (1, 1)
    assert result.failures[0].index == 1
    assert result.failures[0].name == "Stranger"
    assert "author" in (result.failures[0].error or "")
    assert [b.name for b in emulator.state.broadcasts] == ["Launch"]


async def test_create_checks_before_sending(bento: AsyncBento, emulator: BentoEmulator) -> None:
    """Batch size, count and required fields are checked client-side, with paths."""
    with pytest.raises(ValidationError) as info:
        await bento.broadcasts.create([_new(batch_size_per_hour=5), _new(subject=" ")])
    assert [i.path for i in info.value.issues] == [
        "broadcasts[0].batch_size_per_hour",
        "broadcasts[1].subject",
    ]
    with pytest.raises(ValidationError, match="at most 100"):
        await bento.broadcasts.create([_new()] * 101)
    with pytest.raises(ValidationError, match="at least one"):
        await bento.broadcasts.create([])
    assert emulator.requests == []
