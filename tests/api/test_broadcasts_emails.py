"""Broadcasts and emails through the async client against the emulator."""

from __future__ import annotations

import pytest

from bento_async import (
    AsyncBento,
    AuthorNotAuthorizedError,
    BatchResult,
    BroadcastStatus,
    Email,
    NewBroadcast,
    Page,
    RateLimit,
    RateLimits,
    RateLimitWaitError,
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


async def test_send_puts_the_email_in_the_outbox(
    bento: AsyncBento, emulator: BentoEmulator
) -> None:
    """One email is queued, its recipient created, its personalizations kept."""
    result = await bento.emails.send(
        to="new@example.com",
        from_=AUTHOR,
        subject="Hi {{ name }}",
        html_body="<p>Hi {{ name }}</p>",
        personalizations={"name": "Ada"},
    )
    assert result == BatchResult(1, 0)
    [email] = emulator.state.outbox
    assert (email.to, email.from_, email.delivered) == ("new@example.com", AUTHOR, True)
    assert email.personalizations == {"name": "Ada"}
    assert emulator.state.subscriber_by_email("new@example.com") is not None
    assert emulator.requests[-1].json["emails"][0]["transactional"] is False
    assert emulator.state.automations == []  # emails fire no automations


async def test_unsubscribed_get_only_transactional_mail(
    bento: AsyncBento, emulator: BentoEmulator
) -> None:
    """A non-transactional email to an unsubscribed person is accepted but not delivered."""
    emulator.state.unsubscribe("gone@example.com")
    result = await bento.emails.send_batch(
        [
            Email("gone@example.com", AUTHOR, "News", "<p>news</p>"),
            Email("gone@example.com", AUTHOR, "Receipt", "<p>paid</p>", transactional=True),
        ]
    )
    assert result.results == 2
    assert [(e.subject, e.delivered) for e in emulator.state.outbox] == [
        ("News", False),
        ("Receipt", True),
    ]


async def test_unknown_sender_is_refused_whole(bento: AsyncBento, emulator: BentoEmulator) -> None:
    """One sender who is no author fails the call with 500, once (sends are not retried)."""
    with pytest.raises(AuthorNotAuthorizedError) as info:
        await bento.emails.send_batch(
            [
                Email("a@example.com", AUTHOR, "s", "<p>b</p>"),
                Email("b@example.com", "eve@example.com", "s", "<p>b</p>"),
            ]
        )
    assert info.value.status == 500
    assert len(emulator.requests) == 1
    assert emulator.state.outbox == []
    assert emulator.state.subscribers == []


async def test_author_error_status_can_be_422() -> None:
    """The emulator can answer an unknown sender the way the errors page describes (422)."""
    async with (
        BentoEmulator(author_error_status=422, authors=["ops@example.com"]) as emulator,
        AsyncBento(**emulator.credentials, rate_limits=RateLimits.off()) as client,
    ):
        with pytest.raises(AuthorNotAuthorizedError) as info:
            await client.emails.send(to="a@example.com", from_=AUTHOR, subject="s", html_body="b")
        assert info.value.status == 422
        await client.emails.send(
            to="a@example.com", from_="ops@example.com", subject="s", html_body="b"
        )
        assert len(emulator.state.outbox) == 1


async def test_each_email_takes_a_send_pace_slot(emulator: BentoEmulator) -> None:
    """A batch of five emails uses five units of the send pace, not one."""
    limits = RateLimits(
        fetch=None, batch=None, stats=None, experimental=None, emails=RateLimit(5, 3600)
    )
    async with AsyncBento(**emulator.credentials, rate_limits=limits) as client:
        emails = [Email(f"u{i}@example.com", AUTHOR, "s", "<p>b</p>") for i in range(5)]
        assert (await client.emails.send_batch(emails)).results == 5
        with pytest.raises(RateLimitWaitError) as info:
            await client.with_options(max_wait=0.05).emails.send(
                to="late@example.com", from_=AUTHOR, subject="s", html_body="b"
            )
    assert info.value.family == "emails"
    assert len(emulator.state.outbox) == 5


async def test_emails_checked_before_sending(bento: AsyncBento, emulator: BentoEmulator) -> None:
    """More than 60 emails, or a missing body, is refused before anything is sent."""
    email = Email("a@example.com", AUTHOR, "s", "<p>b</p>")
    with pytest.raises(ValidationError, match="at most 60"):
        await bento.emails.send_batch([email] * 61)
    with pytest.raises(ValidationError, match="html_body"):
        await bento.emails.send(to="a@example.com", from_=AUTHOR, subject="s", html_body="")
    assert emulator.requests == []


async def test_send_many_chunks_at_sixty_and_reports_unknown_senders() -> None:
    """send_many sends 130 emails as 60/60/10; a bad sender's chunk is kept for replay."""
    async with (
        BentoEmulator(rate_limits=None) as emulator,  # 130 emails exceed a minute's pace
        AsyncBento(**emulator.credentials, rate_limits=RateLimits.off()) as bento,
    ):
        await _send_many_checks(bento, emulator)


async def _send_many_checks(bento: AsyncBento, emulator: BentoEmulator) -> None:
    good = [
        {
            "to": f"user{i}@example.com",
            "from": "jesse@example.com",
            "subject": "Hi",
            "html_body": "<p>Hi</p>",
            "transactional": True,
        }
        for i in range(130)
    ]
    result = await bento.emails.send_many(good)
    assert result.accepted == 130
    assert result.failed == 0
    sizes = [len(r.json["emails"]) for r in emulator.requests if r.path.endswith("batch/emails")]
    assert sizes == [60, 60, 10]
    assert len(emulator.state.outbox) == 130

    stranger = {**good[0], "from": "nobody@example.com"}
    mixed = await bento.emails.send_many([stranger, {"to": "bad"}], chunk_size=1)
    assert mixed.failed == 1
    assert mixed.failed_records == (stranger,)
    assert [i.position for i in mixed.invalid] == [1]
    assert isinstance(mixed.chunks[0].error, AuthorNotAuthorizedError)
