"""Broadcasts: the emulator's answers and error shapes, over raw HTTP."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.anyio

AUTHOR = "jesse@example.com"


def broadcast(**changes):
    """A valid create-broadcast item, with changes (None removes a key)."""
    item = {
        "name": "Launch",
        "subject": "Hello",
        "content": "<p>Hi</p>",
        "type": "plain",
        "from": {"email": AUTHOR, "name": "Jesse"},
        "batch_size_per_hour": 1000,
    }
    item.update(changes)
    return {k: v for k, v in item.items() if v is not None}


async def test_broadcast_list_pages_with_meta(api, emu):
    """The list cuts pages by `per_page` and reports page, per_page, total and count."""
    for i in range(7):
        emu.state.add_broadcast(f"b{i}")
    answer = await api.get("fetch/broadcasts", page="2", per_page="3")
    assert answer.status == 200
    assert [b["attributes"]["name"] for b in answer.body["data"]] == ["b3", "b4", "b5"]
    assert answer.body["meta"] == {"page": 2, "per_page": 3, "total": 7, "count": 3}
    item = answer.body["data"][0]
    assert item["type"] == "broadcasts"
    assert item["attributes"]["from"] == {"email": AUTHOR, "name": None}
    assert item["attributes"]["template"]["html"] == "<p>Hello</p>"


@pytest.mark.parametrize(("given", "shown"), [("bogus", "sent"), ("cancelled", "canceled")])
async def test_broadcast_status_filter_fallbacks(api, emu, given, shown):
    """An unknown status falls back to `sent`; `cancelled` is the alias of `canceled`."""
    emu.state.add_broadcast("sent one")
    emu.state.add_broadcast("canceled one", status="canceled")
    answer = await api.get("fetch/broadcasts", status=given)
    assert [b["attributes"]["status"] for b in answer.body["data"]] == [shown]


async def test_broadcast_list_rejects_bad_page(api):
    """A page that is not a positive integer gives 400."""
    assert (await api.get("fetch/broadcasts", page="0")).status == 400
    assert (await api.get("fetch/broadcasts", page="two")).status == 400


async def test_create_broadcasts_reports_failures(api, emu):
    """Refused items are listed with index, name and the Node mock's error text."""
    answer = await api.post(
        "batch/broadcasts",
        {
            "broadcasts": [
                broadcast(type="markdown"),
                broadcast(name="Too fast", batch_size_per_hour=5),
                broadcast(name="Nameless", subject=None),
                "not an object",
                broadcast(name="Stranger", **{"from": {"email": "eve@example.com"}}),
            ]
        },
    )
    assert answer.status == 200
    body = answer.body
    assert (body["results"], body["failed"]) == (1, 4)
    assert body["broadcasts"][0]["dashboard_url"].endswith(
        f"/broadcasts/{body['broadcasts'][0]['id']}/edit"
    )
    assert body["failures"] == [
        {
            "index": 1,
            "name": "Too fast",
            "error": "batch_size_per_hour must be between 10 and 250000",
        },
        {"index": 2, "name": "Nameless", "error": "subject can't be blank"},
        {"index": 3, "name": None, "error": "broadcast must be an object"},
        {"index": 4, "name": "Stranger", "error": "from is not an author of this account"},
    ]
    [stored] = emu.state.broadcasts
    assert (stored.status, stored.type) == ("draft", "markdown")


@pytest.mark.parametrize(
    "body", [{}, {"broadcasts": {}}, {"broadcasts": []}, {"broadcasts": [broadcast()] * 101}]
)
async def test_create_broadcasts_envelope(api, emu, body):
    """A missing wrapper, an empty list or more than 100 items gives 400 and stores nothing."""
    answer = await api.post("batch/broadcasts", body)
    assert answer.status == 400
    assert emu.state.broadcasts == []
