"""What users of the official SDKs look for: one-call subscriber update, tags and fields by name."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bento_async import AsyncBento, CommandResult, ValidationError
from bento_async.models.commands import CommandName
from bento_async.resources.subscribers import update_commands
from bento_emulator import BentoEmulator
from bento_sync import Bento

pytestmark = pytest.mark.anyio

EMAIL = "jesse@example.com"


async def test_update_changes_fields_and_tags_in_one_request(
    bento: AsyncBento, emulator: BentoEmulator
) -> None:
    """Fields set and removed, tags added and removed: one fetch/commands call, no automation."""
    emulator.state.set_fields(EMAIL, {"old": 1, "keep": "yes"})
    await bento.commands.add_tag(EMAIL, "trial")
    before = len(emulator.requests)
    result = await bento.subscribers.update(
        EMAIL,
        fields={"plan": "pro", "seats": 5},
        remove_fields=["old"],
        tags=["customer", "vip"],
        remove_tags=["trial"],
    )
    assert result == CommandResult(6, 0)
    [sent] = emulator.requests[before:]
    assert (sent.method, sent.path) == ("POST", "/api/v1/fetch/commands")
    assert isinstance(sent.json, dict)
    assert [c["command"] for c in sent.json["command"]] == [
        "add_field",
        "add_field",
        "remove_field",
        "add_tag",
        "add_tag",
        "remove_tag",
    ]
    subscriber = emulator.state.subscriber_by_email(EMAIL)
    assert subscriber is not None
    assert subscriber.fields == {"keep": "yes", "plan": "pro", "seats": 5}
    assert sorted(emulator.state.tag_names_of(EMAIL)) == ["customer", "vip"]
    assert emulator.state.automations == []


async def test_update_creates_a_missing_subscriber(
    bento: AsyncBento, emulator: BentoEmulator
) -> None:
    """An update of an unknown address creates the subscriber with those fields."""
    await bento.subscribers.update("new@example.com", fields={"plan": "free"})
    subscriber = await bento.subscribers.get(email="new@example.com")
    assert subscriber is not None
    assert subscriber.fields == {"plan": "free"}


@pytest.mark.parametrize(
    ("kwargs", "path"),
    [
        ({}, ""),
        ({"tags": "vip"}, "tags"),
        ({"remove_fields": "old"}, "remove_fields"),
        ({"fields": ["plan"]}, "fields"),
        ({"fields": {"": 1}}, "fields."),
        ({"fields": {"plan": {"nested": 1}}}, "fields.plan"),
        ({"tags": ["ok", " "]}, "tags[1]"),
        ({"tags": [f"t{i}" for i in range(101)]}, ""),
    ],
)
async def test_update_refuses_bad_input_before_sending(
    bento: AsyncBento, emulator: BentoEmulator, kwargs: dict[str, object], path: str
) -> None:
    """No change, a string for a list, a nested value or a blank name: nothing is sent."""
    with pytest.raises(ValidationError) as caught:
        await bento.subscribers.update(EMAIL, **kwargs)  # type: ignore[arg-type]
    assert any(issue.path.startswith(path) for issue in caught.value.issues)
    with pytest.raises(ValidationError, match="email"):
        await bento.subscribers.update("not-an-email", tags=["vip"])
    assert emulator.requests == []


@given(
    fields=st.dictionaries(st.text("abc", min_size=1, max_size=3), st.integers(), max_size=5),
    tags=st.lists(st.text("xyz", min_size=1, max_size=3), max_size=5),
    removed=st.lists(st.text("xyz", min_size=1, max_size=3), max_size=5),
)
def test_update_is_one_command_per_change(
    fields: dict[str, int], tags: list[str], removed: list[str]
) -> None:
    """Every change becomes exactly one command, fields first, in the order given."""
    if not (fields or tags or removed):
        return
    commands = update_commands(EMAIL, fields, (), tags, removed)
    assert [c.command for c in commands] == (
        [CommandName.ADD_FIELD] * len(fields)
        + [CommandName.ADD_TAG] * len(tags)
        + [CommandName.REMOVE_TAG] * len(removed)
    )
    assert [c.query for c in commands[: len(fields)]] == [
        {"key": k, "value": v} for k, v in fields.items()
    ]
    assert [c.query for c in commands[len(fields) :]] == [*tags, *removed]


async def test_tag_and_field_by_name(bento: AsyncBento, emulator: BentoEmulator) -> None:
    """tags.get and fields.get find by exact name or key, None when there is none."""
    emulator.state.find_or_create_tag("vip")
    await bento.fields.create("plan")
    tag = await bento.tags.get("vip")
    assert tag is not None
    assert tag.name == "vip"
    assert await bento.tags.get("VIP") is None
    field = await bento.fields.get("plan")
    assert field is not None
    assert field.key == "plan"
    assert await bento.fields.get("Plan") is None
    with pytest.raises(ValidationError):
        await bento.tags.get(" ")


async def test_delete_tag_by_name(bento: AsyncBento, emulator: BentoEmulator) -> None:
    """tags.delete(name=...) finds the id by name; an unknown name sends no DELETE."""
    tag, _ = emulator.state.find_or_create_tag("vip")
    assert await bento.tags.delete(name="vip") == "Tag (vip) deleted successfully"
    assert emulator.requests[-1].path == f"/api/v1/fetch/tags/{tag.id}"
    assert await bento.tags.get("vip") is None
    with pytest.raises(ValidationError, match="no tag has the name"):
        await bento.tags.delete(name="vip")
    with pytest.raises(ValidationError, match="give a tag"):
        await bento.tags.delete()
    assert [r.method for r in emulator.requests].count("DELETE") == 1


def test_sync_client_has_the_helpers(sync_bento: Bento, threaded_emulator: BentoEmulator) -> None:
    """The sync facade forwards update, tags.get and fields.get."""
    result = sync_bento.subscribers.update(EMAIL, fields={"plan": "pro"}, tags=["vip"])
    assert result == CommandResult(2, 0)
    tag = sync_bento.tags.get("vip")
    assert tag is not None
    assert sync_bento.fields.get("plan") is not None
    assert threaded_emulator.state.tag_names_of(EMAIL) == ["vip"]
