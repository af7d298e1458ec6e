"""Lenient enums, the content models' parsing, and the client-side checks of their inputs."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bento_async import (
    Broadcast,
    BroadcastResult,
    BroadcastStatus,
    BroadcastType,
    DateRange,
    DelayInterval,
    Email,
    EmailSequence,
    FormResponse,
    InputIssue,
    NewBroadcast,
    Sender,
    Workflow,
    WorkflowStatus,
    converter,
)
from bento_async.resources.broadcasts import check_broadcast, parse_broadcast_result
from bento_async.resources.emails import check_email_item
from bento_async.resources.search import build_filters
from bento_async.resources.segments import parse_segment_match

ENUMS = (BroadcastType, BroadcastStatus, DelayInterval, WorkflowStatus)


@pytest.mark.parametrize("enum", ENUMS)
def test_declared_values_parse_to_members(enum: Any) -> None:
    """Every declared value parses to its own member, which knows it is declared."""
    for member in enum:
        assert enum(member.value) is member
        assert member.known
        assert enum.is_known(member.value)
        assert str(member) == member.value


@given(st.sampled_from(ENUMS), st.text(min_size=1, max_size=12))
def test_unknown_values_still_parse(enum: Any, value: str) -> None:
    """A value the API adds later parses to a stable pseudo-member carrying the raw string."""
    if enum.is_known(value):
        return
    member = enum(value)
    assert member.value == value
    assert member == value
    assert not member.known
    assert enum(value) is member
    assert member not in list(enum)


def test_cancelled_is_an_alias_of_canceled() -> None:
    """The docs' alias spelling maps to the declared member."""
    assert BroadcastStatus("cancelled") is BroadcastStatus.CANCELED
    assert BroadcastStatus.is_known("cancelled")


def test_broadcast_parses_every_documented_shape() -> None:
    """A list item with Node's and the OpenAPI file's attributes, plus an unknown key, parses."""
    item = {
        "id": "7",
        "type": "broadcasts",
        "attributes": {
            "name": "Launch",
            "subject": "Hello",
            "type": "markdown",
            "status": "paused",
            "from": {"email": "jesse@example.com", "name": "Jesse", "reply_to": "x"},
            "segment_id": 12,
            "template": {"template_id": 99, "subject": "Hello", "to": "all"},
            "stats": {"open_rate": 0.5, "unique_opens": 3},
            "created_at": "2024-04-23T18:30:00.123Z",
            "shiny_new_key": True,
        },
    }
    broadcast = converter.structure(item, Broadcast)
    assert broadcast.id == "7"
    assert broadcast.type == "markdown"
    assert broadcast.type is not None
    assert not broadcast.type.known
    assert broadcast.status is BroadcastStatus.PAUSED
    assert broadcast.from_ == Sender(
        email="jesse@example.com", name="Jesse", extra={"reply_to": "x"}
    )
    assert broadcast.segment_id == "12"
    assert broadcast.template is not None
    assert broadcast.template.template_id == "99"
    assert broadcast.stats is not None
    assert broadcast.stats.extra == {"unique_opens": 3}
    assert broadcast.created_at == datetime(2024, 4, 23, 18, 30, 0, 123000, tzinfo=timezone.utc)
    assert broadcast.extra == {"shiny_new_key": True, "type": "broadcasts"}


def test_sequence_id_falls_back_to_attributes_then_prefix() -> None:
    """The id to create emails with is the top-level id, else attributes.id, else prefix_id."""
    top = converter.structure(
        {"id": "1", "attributes": {"id": 9, "prefix_id": "sequence_a"}}, EmailSequence
    )
    inner = converter.structure({"attributes": {"id": 9, "prefix_id": "sequence_a"}}, EmailSequence)
    prefix = converter.structure({"attributes": {"prefix_id": "sequence_a"}}, EmailSequence)
    assert (top.ref, inner.ref, prefix.ref) == ("1", "9", "sequence_a")


def test_workflow_and_form_response_parse() -> None:
    """Workflow status and template summaries, and form response data, parse into models."""
    workflow = converter.structure(
        {
            "id": "3",
            "attributes": {
                "name": "W",
                "status": "live",
                "email_templates": [{"id": 4, "subject": "Hi", "stats": None}],
            },
        },
        Workflow,
    )
    assert workflow.status is WorkflowStatus.LIVE
    assert workflow.email_templates[0].id == "4"
    response = converter.structure(
        {
            "id": "5",
            "attributes": {
                "uuid": "u",
                "data": {
                    "identity": {"email": "a@example.com"},
                    "fields": None,
                    "visitor": {"id": 1},
                },
            },
        },
        FormResponse,
    )
    assert response.data.email == "a@example.com"
    assert response.data.fields == {}
    assert response.data.visitor == {"id": 1}


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ({"results": 2}, BroadcastResult(2)),
        (
            {
                "results": 1,
                "failed": 1,
                "broadcasts": [{"id": 42, "template_id": 99, "name": "ok", "dashboard_url": "u"}],
                "failures": [
                    {
                        "index": 1,
                        "name": "bad",
                        "error": "batch_size_per_hour must be between 10 and 250000",
                    }
                ],
            },
            None,
        ),
        ({"result": 3, "failures": [{"index": 0}]}, BroadcastResult(3, 1, (), ())),
    ],
)
def test_broadcast_result_shapes(payload: dict[str, Any], expected: BroadcastResult | None) -> None:
    """Today's full answer, the OpenAPI file's bare count, and the singular key all parse."""
    result = parse_broadcast_result(payload)
    if payload.get("broadcasts"):
        assert result.results == result.failed == 1
        assert result.broadcasts[0].id == "42"
        assert result.broadcasts[0].template_id == "99"
        assert result.failures[0].index == 1
        assert not result.ok
    elif "failures" in payload:
        assert (result.results, result.failed, len(result.failures)) == (3, 1, 1)
    else:
        assert result == expected
        assert result.ok


def _broadcast(**changes: Any) -> dict[str, Any]:
    item = {
        "name": "Launch",
        "subject": "Hello",
        "content": "<p>Hi</p>",
        "type": "plain",
        "from": {"email": "jesse@example.com", "name": "Jesse"},
        "batch_size_per_hour": 1000,
    }
    item.update(changes)
    return {k: v for k, v in item.items() if v is not None}


@given(st.integers())
def test_batch_size_per_hour_range(size: int) -> None:
    """batch_size_per_hour is accepted exactly from 10 to 250000."""
    issues: list[InputIssue] = []
    check_broadcast(_broadcast(batch_size_per_hour=size), "b", issues)
    assert (issues == []) == (10 <= size <= 250_000)
    if issues:
        assert issues[0].path == "b.batch_size_per_hour"


@pytest.mark.parametrize(
    "missing", ["name", "subject", "content", "type", "from", "batch_size_per_hour"]
)
def test_broadcast_required_fields(missing: str) -> None:
    """Each required field of a broadcast is reported by path when missing."""
    issues: list[InputIssue] = []
    assert check_broadcast(_broadcast(**{missing: None}), "b", issues) is None
    assert [i.path for i in issues] in (["b." + missing], ["b.from.email"])


def test_new_broadcast_wire_form() -> None:
    """A NewBroadcast becomes the wire object: nested from, comma tags, ISO send_at."""
    issues: list[InputIssue] = []
    wire = check_broadcast(
        NewBroadcast(
            name="Launch",
            subject="Hello",
            content="<p>Hi</p>",
            from_=Sender(email="jesse@example.com", name="Jesse"),
            batch_size_per_hour=500,
            inclusive_tags=["lead", "mql"],
            send_at=datetime(2024, 4, 23, 18, 30, tzinfo=timezone.utc),
        ),
        "b",
        issues,
    )
    assert issues == []
    assert wire == {
        "name": "Launch",
        "subject": "Hello",
        "content": "<p>Hi</p>",
        "from": {"email": "jesse@example.com", "name": "Jesse"},
        "batch_size_per_hour": 500,
        "type": BroadcastType.PLAIN,
        "inclusive_tags": "lead,mql",
        "send_at": datetime(2024, 4, 23, 18, 30, tzinfo=timezone.utc),
    }


def test_broadcast_mapping_with_unknown_key_is_refused() -> None:
    """A typo in a mapping is reported rather than silently dropped."""
    issues: list[InputIssue] = []
    check_broadcast(_broadcast(subjet="x"), "b", issues)
    assert issues == [InputIssue("b", "unknown keys ['subjet']")]


@pytest.mark.parametrize(
    ("item", "paths"),
    [
        (Email("a@example.com", "jesse@example.com", "Hi", "<p>x</p>"), []),
        (Email("nope", "jesse@example.com", "Hi", "<p>x</p>"), ["e.to"]),
        (Email("a@example.com", "", " ", ""), ["e.from", "e.subject", "e.html_body"]),
        (
            {"to": "a@example.com", "from": "jesse@example.com", "subject": "s", "html_body": "b"},
            [],
        ),
        (
            {"to": "a@example.com", "from_": "jesse@example.com", "subject": "s", "html_body": "b"},
            ["e", "e.from"],
        ),
        (
            {
                "to": "a@example.com",
                "from": "j@example.com",
                "subject": "s",
                "html_body": "b",
                "transactional": "yes",
            },
            ["e.transactional"],
        ),
        (
            {
                "to": "a@example.com",
                "from": "j@example.com",
                "subject": "s",
                "html_body": "b",
                "personalizations": [1],
            },
            ["e.personalizations"],
        ),
    ],
)
def test_email_checks(item: Any, paths: list[str]) -> None:
    """Emails need well-formed to and from, a subject and a body; mappings use the wire keys."""
    issues: list[InputIssue] = []
    wire = check_email_item(item, "e", issues)
    assert [i.path for i in issues] == paths
    assert (wire is None) == bool(paths)


def test_search_filters_render_to_query_and_body() -> None:
    """Date ranges and tags become Rails-style query parameters and a JSON body."""
    filters, issues = build_filters(
        created_at=DateRange(gt=datetime(2024, 1, 1, tzinfo=timezone.utc)),
        unsubscribed_at={"lt": "2024-02-01T00:00:00Z"},
        tags=["vip", " lead "],
    )
    assert issues == []
    assert filters.params == {
        "created_at[gt]": "2024-01-01T00:00:00+00:00",
        "unsubscribed_at[lt]": "2024-02-01T00:00:00Z",
        "tags": "vip,lead",
    }
    assert filters.body == {
        "created_at": {"gt": "2024-01-01T00:00:00+00:00"},
        "unsubscribed_at": {"lt": "2024-02-01T00:00:00Z"},
        "tags": ["vip", "lead"],
    }


@pytest.mark.parametrize(
    ("kwargs", "path"),
    [
        ({"created_at": DateRange()}, "created_at"),
        ({"updated_at": {"gt": "yesterday"}}, "updated_at.gt"),
        ({"last_event_at": {"after": "2024-01-01"}}, "last_event_at"),
        ({"tags": ["a,b"]}, "tags"),
    ],
)
def test_search_filter_checks(kwargs: dict[str, Any], path: str) -> None:
    """Empty ranges, unparseable dates, unknown bounds and commas in tag names are refused."""
    _, issues = build_filters(**kwargs)
    assert path in [i.path for i in issues]


@pytest.mark.parametrize(
    ("payload", "matched"),
    [
        ({"matched": True}, True),
        ({"data": {"matched": False}}, False),
        ({"data": {"attributes": {"match": True}}}, True),
        ({"data": {"members": 3}}, None),
    ],
)
def test_segment_match_shapes(payload: dict[str, Any], matched: bool | None) -> None:
    """The undocumented match answer is read wherever a boolean flag shows up."""
    result = parse_segment_match(payload)
    assert result.matched is matched
    if matched is None:
        assert result.extra == payload
