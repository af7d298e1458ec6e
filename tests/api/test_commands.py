"""Commands through the async client against the emulator: each command, many at once,
both answer shapes."""

from __future__ import annotations

import pytest

from bento_async import AsyncBento, CommandResult
from bento_emulator import BentoEmulator

pytestmark = pytest.mark.anyio

EMAIL = "jesse@example.com"


async def test_tag_and_field_then_names(bento: AsyncBento, emulator: BentoEmulator) -> None:
    """add_tag and add_field change the subscriber; tag ids resolve to names."""
    await bento.subscribers.create(EMAIL)
    result = await bento.commands.add_tag(EMAIL, "customer")
    assert result == CommandResult(results=1, failed=0)
    await bento.commands.add_field(EMAIL, "name", "Jesse")
    sub = await bento.subscribers.get(email=EMAIL)
    assert sub is not None
    assert sub.fields == {"name": "Jesse"}
    assert await bento.tags.names_for(sub) == ["customer"]
    assert emulator.state.automations == []  # add_tag fires no automation


async def test_every_command(bento: AsyncBento, emulator: BentoEmulator) -> None:
    """Each command has its documented effect on the emulator's state."""
    await bento.commands.add_tag(EMAIL, "lead")
    await bento.commands.add_tag_via_event(EMAIL, "hot")
    await bento.commands.remove_tag(EMAIL, "lead")
    await bento.commands.add_field(EMAIL, "plan", "pro")
    await bento.commands.add_field(EMAIL, "seats", 3)
    await bento.commands.remove_field(EMAIL, "plan")
    await bento.commands.unsubscribe(EMAIL)
    sub = emulator.state.subscriber_by_email(EMAIL)
    assert sub is not None
    assert sub.unsubscribed_at is not None
    await bento.commands.subscribe(EMAIL)
    await bento.commands.change_email(EMAIL, "jesse.new@example.com")
    assert emulator.state.subscriber_by_email(EMAIL) is None
    moved = emulator.state.subscriber_by_email("jesse.new@example.com")
    assert moved is not None
    assert moved.unsubscribed_at is None
    assert moved.fields == {"seats": 3}
    assert emulator.state.tag_names_of(moved) == ["hot"]
    assert [a.trigger for a in emulator.state.automations] == ["add_tag_via_event"]


async def test_run_many_commands_in_one_call(bento: AsyncBento, emulator: BentoEmulator) -> None:
    """commands.run sends 100 commands in one request, and more in chunks of 100."""
    from bento_async import Command

    commands = [Command.add_tag(f"user{i}@example.com", "batch") for i in range(100)]
    result = await bento.commands.run(commands)
    assert (result.accepted, result.requests, result.ok) == (100, 1, True)
    assert len(emulator.state.subscribers) == 100
    assert len([r for r in emulator.requests if r.path.endswith("fetch/commands")]) == 1
    more = (Command.add_field(f"user{i}@example.com", "n", i) for i in range(250))
    result = await bento.commands.run(more)
    assert (result.accepted, result.requests, result.ok) == (250, 3, True)
    sizes = [len(r.json["command"]) for r in emulator.requests[1:]]  # type: ignore[index,call-overload,arg-type]
    assert sizes == [100, 100, 50]
    assert emulator.state.subscriber_by_email("user249@example.com").fields == {"n": 249}  # type: ignore[union-attr]


async def test_visitor_shaped_command_answer(emulator: BentoEmulator) -> None:
    """The seed's visitor envelope from fetch/commands is understood too."""
    async with (
        BentoEmulator(commands_response="visitor") as old_api,
        AsyncBento(**old_api.credentials, rate_limits="seed") as client,
    ):
        result = await client.commands.add_tag(EMAIL, "customer")
    assert result.results == 1
    assert result.subscriber is not None
    assert result.subscriber.email == EMAIL
    assert len(result.subscriber.cached_tag_ids) == 1
