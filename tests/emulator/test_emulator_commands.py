"""Commands: POST fetch/commands, single or array, both answer shapes."""

from __future__ import annotations

import pytest

from bento_emulator import BentoEmulator

pytestmark = pytest.mark.anyio

EMAIL = "jesse@example.com"


def command(name, query=None, email=EMAIL):
    """Build one command object."""
    item = {"command": name, "email": email}
    if query is not None:
        item["query"] = query
    return item


async def test_add_tag_creates_subscriber_and_tag(api, emu):
    """add_tag creates the missing subscriber and tag, without automations."""
    answer = await api.post("fetch/commands", {"command": command("add_tag", "customer")})
    assert (answer.status, answer.body) == (200, {"results": 1, "failed": 0})
    assert emu.state.tag_names_of(EMAIL) == ["customer"]
    assert emu.state.automations == []


async def test_add_tag_via_event_records_an_automation(api, emu):
    """add_tag_via_event tags the subscriber and is the one command that fires automations."""
    await api.post("fetch/commands", {"command": command("add_tag_via_event", "vip")})
    assert emu.state.tag_names_of(EMAIL) == ["vip"]
    (automation,) = emu.state.automations
    assert (automation.trigger, automation.email, automation.details) == (
        "add_tag_via_event",
        EMAIL,
        {"tag": "vip"},
    )


async def test_every_command_in_one_array(api, emu):
    """An array applies each command in order and counts them."""
    commands = [
        command("add_tag", "a"),
        command("add_tag", "b"),
        command("remove_tag", "a"),
        command("add_field", {"key": "name", "value": "Jesse"}),
        command("add_field", {"key": "plan", "value": "pro"}),
        command("remove_field", "plan"),
        command("unsubscribe"),
    ]
    answer = await api.post("fetch/commands", {"command": commands})
    assert answer.body == {"results": 7, "failed": 0}
    subscriber = emu.state.subscriber_by_email(EMAIL)
    assert emu.state.tag_names_of(subscriber) == ["b"]
    assert subscriber.fields == {"name": "Jesse"}
    assert not subscriber.subscribed
    assert emu.state.field_by_key("plan").name == "Plan"


async def test_subscribe_clears_unsubscribed_at(api, emu):
    """subscribe re-subscribes someone who unsubscribed (query null is fine)."""
    emu.state.unsubscribe(EMAIL)
    await api.post("fetch/commands", {"command": command("subscribe") | {"query": None}})
    assert emu.state.subscriber_by_email(EMAIL).unsubscribed_at is None


async def test_change_email_moves_the_subscriber(api, emu):
    """change_email gives the same subscriber the new address."""
    before, _ = emu.state.find_or_create_subscriber(EMAIL)
    await api.post("fetch/commands", {"command": command("change_email", "new@example.com")})
    after = emu.state.subscriber_by_email("new@example.com")
    assert (after.id, after.uuid) == (before.id, before.uuid)
    assert emu.state.subscriber_by_email(EMAIL) is None


async def test_change_email_to_a_taken_address_fails(api, emu):
    """change_email onto another subscriber's address counts as failed."""
    emu.state.find_or_create_subscriber("taken@example.com")
    commands = [command("change_email", "taken@example.com"), command("add_tag", "x")]
    answer = await api.post("fetch/commands", {"command": commands})
    assert answer.body == {"results": 1, "failed": 1}


async def test_bad_commands_in_an_array_count_as_failed(api, emu):
    """In an array, unknown names, bad emails and bad queries fail one item each."""
    commands = [
        command("add_tag", "ok"),
        command("explode", "x"),
        command("add_tag", "x", email="nope"),
        command("add_tag"),
        command("add_tag", "   "),
        command("add_field", "name=Jesse"),
        command("add_field", {"key": "name"}),
        command("add_field", {"key": "address", "value": {"city": "Paris"}}),
        command("remove_field", 5),
        command("change_email", "not-an-email"),
        {"command": ["add_tag"], "email": EMAIL},
        "not an object",
    ]
    answer = await api.post("fetch/commands", {"command": commands})
    assert answer.body == {"results": 1, "failed": 11}
    assert emu.state.tag_names_of(EMAIL) == ["ok"]


@pytest.mark.parametrize(
    ("item", "field"),
    [
        (command("explode", "x"), "command"),
        (command("add_tag", "x", email="nope"), "email"),
        (command("add_tag"), "query"),
    ],
)
async def test_a_single_bad_command_gets_400(api, emu, item, field):
    """A single (non-array) invalid command is refused with 400 and an errors list."""
    answer = await api.post("fetch/commands", {"command": item})
    assert answer.status == 400
    assert answer.body["errors"][0]["field"] == field
    assert emu.state.subscribers == []


@pytest.mark.parametrize("count", [0, 101])
async def test_command_count_limits(api, count):
    """An array takes 1 to 100 commands; outside that the request gets 400."""
    commands = [command("add_tag", f"t{n}") for n in range(count)]
    answer = await api.post("fetch/commands", {"command": commands})
    assert answer.status == 400


@pytest.mark.parametrize("body", [{}, {"command": "add_tag"}, {"commands": []}])
async def test_missing_command_wrapper_gets_400(api, body):
    """Without a `command` object or array the request gets 400."""
    answer = await api.post("fetch/commands", body)
    assert answer.status == 400


async def test_visitor_answer_shape(api):
    """With commands_response="visitor" the answer is the seed's visitor envelope."""
    async with BentoEmulator(commands_response="visitor") as emu:
        api.emulator = emu
        body = {"command": command("add_field", {"key": "name", "value": "Jesse"})}
        answer = await api.call("POST", "fetch/commands", body, site_uuid_in="body")
        await api.post("fetch/commands", {"command": command("add_tag", "customer")})
        tagged = await api.post("fetch/commands", {"command": [command("add_tag", "vip")]})
        failed = await api.post("fetch/commands", {"command": [command("nope")]})
    data = answer.body["data"]
    assert (data["id"], data["type"]) == ("1", "visitors")
    assert data["attributes"]["fields"] == {"name": "Jesse"}
    assert tagged.body["data"]["attributes"]["cached_tag_ids"] == ["1", "2"]
    assert (failed.status, failed.body) == (200, {"data": None})


def test_unknown_answer_shape_is_refused():
    """The constructor refuses an unknown commands_response."""
    with pytest.raises(ValueError, match="commands_response"):
        BentoEmulator(commands_response="bogus")  # type: ignore[arg-type]
