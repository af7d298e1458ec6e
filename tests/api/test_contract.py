"""Every endpoint of bento-api.md section 3, driven through both facades against the emulator.

One row per call: the section 3 row number, the method and path (aiohttp syntax, ids filled
from `ids`), the query keys and the top-level body keys that must be sent, how to seed the
emulator, and the call itself, written once for both clients (``b`` is an AsyncBento or a
Bento). Each row runs through the async client and the sync facade; the emulator's request
log must show the method, the path, ``site_uuid`` in the query and exactly the body keys.
To cover a new endpoint, add a row.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import attrs
import pytest

from bento_async import (
    AsyncBento,
    DateRange,
    Email,
    NewBroadcast,
    RateLimits,
)
from bento_emulator import BentoEmulator, EmulatorState
from bento_emulator._handlers import ROUTES
from bento_sync import Bento

EMAIL = "jesse@example.com"


def _nothing(state: EmulatorState) -> None:
    """Seed nothing."""


def _tag(state: EmulatorState) -> None:
    state.find_or_create_tag("vip")


def _sequence(state: EmulatorState) -> None:
    state.add_sequence("Onboarding", emails=["Welcome"])


def _template(state: EmulatorState) -> None:
    state.add_email_template(subject="Hello")


def _segment(state: EmulatorState) -> None:
    state.add_segment("VIPs", tags=["vip"])


def _broadcasts(state: EmulatorState) -> None:
    for i in range(3):
        state.add_broadcast(f"b{i}")


@attrs.frozen
class Row:
    """One call of one endpoint and what it must put on the wire."""

    number: int
    method: str
    path: str
    call: Callable[[Any], Any]
    body: frozenset[str] | None = None  # exact top-level body keys; None: no body
    query: frozenset[str] = frozenset()  # query keys that must be there besides site_uuid
    ids: Mapping[str, str] = attrs.field(factory=dict)
    seed: Callable[[EmulatorState], None] = _nothing
    enterprise: bool = False
    label: str = ""

    @property
    def url_path(self) -> str:
        """The path the request must hit, ids filled in."""
        return "/api/v1/" + self.path.format(**self.ids)

    def __str__(self) -> str:
        return f"{self.number}-{self.method}-{self.path}{'-' + self.label if self.label else ''}"


def keys(*names: str) -> frozenset[str]:
    """The set of body or query keys."""
    return frozenset(names)


_BROADCAST = NewBroadcast(
    name="Launch", subject="Hi", content="<p>Hi</p>", from_=EMAIL, batch_size_per_hour=100
)

ROWS: tuple[Row, ...] = (
    Row(
        1, "GET", "fetch/subscribers", lambda b: b.subscribers.get(email=EMAIL), query=keys("email")
    ),
    Row(
        2,
        "POST",
        "fetch/subscribers",
        lambda b: b.subscribers.create(EMAIL),
        body=keys("subscriber"),
    ),
    Row(
        3,
        "POST",
        "fetch/commands",
        lambda b: b.commands.add_tag(EMAIL, "vip"),
        body=keys("command"),
    ),
    Row(4, "GET", "fetch/tags", lambda b: b.tags.list()),
    Row(5, "POST", "fetch/tags", lambda b: b.tags.create("vip"), body=keys("tag")),
    Row(
        6,
        "DELETE",
        "fetch/tags/{id}",
        lambda b: b.tags.delete("1", name="vip"),
        body=keys("tag"),
        ids={"id": "1"},
        seed=_tag,
    ),
    Row(7, "GET", "fetch/fields", lambda b: b.fields.list()),
    Row(8, "POST", "fetch/fields", lambda b: b.fields.create("plan"), body=keys("field")),
    Row(
        9,
        "GET",
        "fetch/broadcasts",
        lambda b: b.broadcasts.list(page=1, status="sent"),
        query=keys("page", "status"),
        seed=_broadcasts,
    ),
    Row(
        9,
        "GET",
        "fetch/broadcasts",
        lambda b: b.broadcasts.iter(),
        query=keys("page"),
        seed=_broadcasts,
        label="iter",
    ),
    Row(
        10,
        "POST",
        "batch/broadcasts",
        lambda b: b.broadcasts.create([_BROADCAST]),
        body=keys("broadcasts"),
    ),
    Row(
        11,
        "POST",
        "batch/subscribers",
        lambda b: b.subscribers.import_many([{"email": EMAIL}]),
        body=keys("subscribers"),
    ),
    Row(
        12,
        "POST",
        "batch/events",
        lambda b: b.events.track(EMAIL, "signed_up"),
        body=keys("events"),
    ),
    Row(
        13,
        "POST",
        "batch/emails",
        lambda b: b.emails.send_batch([Email("a@example.com", EMAIL, "Hi", "<p>Hi</p>")]),
        body=keys("emails"),
    ),
    Row(
        14,
        "GET",
        "fetch/sequences",
        lambda b: b.sequences.list(page=1),
        query=keys("page"),
        seed=_sequence,
    ),
    Row(
        14, "GET", "fetch/sequences", lambda b: b.sequences.iter(), query=keys("page"), label="iter"
    ),
    Row(
        15,
        "POST",
        "fetch/sequences/{id}/emails/templates",
        lambda b: b.sequences.create_email("1", subject="Day 2", html="<p>2</p>"),
        body=keys("email_template"),
        ids={"id": "1"},
        seed=_sequence,
    ),
    Row(16, "GET", "fetch/workflows", lambda b: b.workflows.list(page=1), query=keys("page")),
    Row(
        16,
        "GET",
        "fetch/workflows",
        lambda b: b.workflows.pages(),
        query=keys("page"),
        label="pages",
    ),
    Row(
        17,
        "GET",
        "fetch/emails/templates/{id}",
        lambda b: b.email_templates.get(1),
        ids={"id": "1"},
        seed=_template,
    ),
    Row(
        18,
        "PATCH",
        "fetch/emails/templates/{id}",
        lambda b: b.email_templates.update(1, subject="Bye"),
        body=keys("email_template"),
        ids={"id": "1"},
        seed=_template,
    ),
    Row(19, "GET", "fetch/responses", lambda b: b.forms.responses("signup"), query=keys("id")),
    Row(
        20,
        "GET",
        "fetch/search",
        lambda b: b.search.list(tags=["vip"], created_at=DateRange(gt="2024-01-01T00:00:00Z")),
        body=keys("page", "tags", "created_at"),
        query=keys("page", "tags", "created_at[gt]"),
        enterprise=True,
    ),
    Row(
        20,
        "GET",
        "fetch/search",
        lambda b: b.search.iter(),
        body=keys("page"),
        query=keys("page"),
        enterprise=True,
        label="iter",
    ),
    Row(21, "GET", "fetch/segments", lambda b: b.segments.list(), seed=_segment),
    Row(
        22,
        "GET",
        "fetch/segments/{id}",
        lambda b: b.segments.get(1),
        ids={"id": "1"},
        seed=_segment,
    ),
    Row(
        23,
        "POST",
        "fetch/segments/{id}/match",
        lambda b: b.segments.match(1, email=EMAIL),
        body=keys("email"),
        ids={"id": "1"},
        seed=_segment,
    ),
)

# Routes the emulator serves only to tolerate other clients: no SDK method calls them.
# Legacy forms the emulator also accepts (section 9 rows 7 and 10); the SDK never sends them.
TOLERATED = {("DELETE", "/fetch/tags"), ("GET", "/experimental/blacklist.json")}


async def _drain_async(result: Any) -> Any:
    if inspect.isawaitable(result):
        return await result
    return [item async for item in result]


def _drain_sync(result: Any) -> Any:
    return list(result) if isinstance(result, Iterator) else result


def _check(row: Row, emulator: BentoEmulator) -> None:
    sent = [r for r in emulator.requests if (r.method, r.path) == (row.method, row.url_path)]
    assert sent, (
        f"no {row.method} {row.url_path} in {[(r.method, r.path) for r in emulator.requests]}"
    )
    for request in sent:
        assert request.status in (200, 201), request
        assert request.query.get("site_uuid") == emulator.site_uuid
        assert row.query <= set(request.query), request.query
        if row.body is None:
            assert request.json is None
        else:
            assert isinstance(request.json, dict)
            assert set(request.json) == row.body


@pytest.mark.anyio
@pytest.mark.parametrize("row", ROWS, ids=str)
async def test_async_facade(row: Row) -> None:
    """The async client sends the row's method, path, site_uuid and body keys."""
    async with (
        BentoEmulator(enterprise=row.enterprise) as emulator,
        AsyncBento(**emulator.credentials, rate_limits=RateLimits.off()) as client,
    ):
        row.seed(emulator.state)
        await _drain_async(row.call(client))
        _check(row, emulator)


@pytest.mark.parametrize("row", ROWS, ids=str)
def test_sync_facade(row: Row) -> None:
    """The sync facade sends exactly what the async client sends."""
    with (
        BentoEmulator(enterprise=row.enterprise) as emulator,
        Bento(**emulator.credentials, rate_limits=RateLimits.off()) as client,
    ):
        row.seed(emulator.state)
        _drain_sync(row.call(client))
        _check(row, emulator)


def test_every_route_has_a_row() -> None:
    """Each route the emulator serves is driven by some row (bar the tolerated legacy forms)."""
    from test_contract_stats import CASES  # stats and experimental rows live there

    served = {(route.method, route.path) for route in ROUTES} - TOLERATED
    driven = {(row.method, "/" + row.path) for row in ROWS}
    driven |= {(case.http, "/" + case.path) for case in CASES}
    assert served <= driven, sorted(served - driven)


def test_rows_cover_section_3() -> None:
    """Rows 1 to 23 of section 3 each have a call in the table."""
    assert {row.number for row in ROWS} >= set(range(1, 24))


@pytest.mark.anyio
async def test_every_request_carries_site_uuid_and_user_agent(
    bento: AsyncBento, emulator: BentoEmulator
) -> None:
    """site_uuid rides in the query of every request, next to a User-Agent naming the SDK."""
    await bento.subscribers.create(EMAIL)
    await bento.subscribers.get(email=EMAIL)
    await bento.tags.list()
    for request in emulator.requests:
        assert request.query["site_uuid"] == emulator.site_uuid
        assert request.headers["user-agent"].startswith("bento-python-sdk/")
        assert request.headers["authorization"] != emulator.secret_key
