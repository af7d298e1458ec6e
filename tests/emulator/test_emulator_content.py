"""Broadcasts, emails, sequences, templates, forms, segments, search and tag deletion:
the emulator's answers and error shapes, over raw HTTP."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from bento_emulator import BentoEmulator

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


def email(**changes):
    """A valid batch/emails item, with changes (None removes a key)."""
    item = {"to": "a@example.com", "from": AUTHOR, "subject": "Hi", "html_body": "<p>Hi</p>"}
    item.update(changes)
    return {k: v for k, v in item.items() if v is not None}


# -- broadcasts -------------------------------------------------------------------------


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


# -- emails -----------------------------------------------------------------------------


async def test_emails_paced_at_60_a_minute(api, emu):
    """Delivered emails get send slots a second apart; undelivered ones get none."""
    emu.state.unsubscribe("gone@example.com")
    answer = await api.post(
        "batch/emails",
        {
            "emails": [
                email(),
                email(to="gone@example.com"),
                email(to="b@example.com", transactional="true"),
            ]
        },
    )
    assert answer.body == {"results": 3, "failed": 0}
    first, skipped, second = emu.state.outbox
    assert skipped.send_at is None
    assert not skipped.delivered
    assert second.transactional
    assert second.send_at - first.send_at == timedelta(seconds=1)


async def test_emails_bad_items_count_as_failed(api, emu):
    """An item without html_body or with a malformed address fails alone."""
    answer = await api.post(
        "batch/emails", {"emails": [email(), email(html_body=None), email(to="nope")]}
    )
    assert answer.body == {"results": 1, "failed": 2}
    assert len(emu.state.outbox) == 1


async def test_unknown_author_gets_500_before_anything_is_stored(api, emu):
    """The sender check refuses the whole call with Bento's 500 body."""
    answer = await api.post(
        "batch/emails", {"emails": [email(), email(**{"from": "eve@example.com"})]}
    )
    assert (answer.status, answer.body) == (
        500,
        {"error": "Author not authorized to send on this account"},
    )
    assert emu.state.outbox == []
    assert emu.state.subscribers == []


@pytest.mark.parametrize("body", [{}, {"emails": []}, {"emails": [email()] * 61}])
async def test_emails_envelope(api, body):
    """A missing wrapper, no emails or more than 60 gives 400."""
    assert (await api.post("batch/emails", body)).status == 400


# -- sequences and templates ------------------------------------------------------------


async def test_sequence_email_rule_errors_have_rails_shape(api, emu):
    """Broken rules answer 422 with errors keyed by field, lists of messages."""
    sequence = emu.state.add_sequence("Onboarding")
    path = f"fetch/sequences/{sequence.id}/emails/templates"
    answer = await api.post(
        path, {"email_template": {"subject": "s", "html": "h", "delay_interval_count": 0}}
    )
    assert (answer.status, answer.body) == (
        422,
        {"errors": {"delay_interval_count": ["must be a positive integer"]}},
    )
    answer = await api.post(
        path, {"email_template": {"subject": " ", "html": "h", "delay_interval": "weeks"}}
    )
    assert answer.body == {
        "errors": {"subject": ["can't be blank"], "delay_interval": ["is not included in the list"]}
    }
    assert (await api.post(path, {"subject": "s", "html": "h"})).status == 400
    created = await api.post(path, {"email_template": {"subject": "s", "html": "h"}})
    assert created.status == 201
    assert created.body["data"]["type"] == "email_templates"


async def test_unknown_sequence_gets_404(api):
    """An unknown sequence answers the Node mock's 404 body."""
    answer = await api.post(
        "fetch/sequences/sequence_abc123/emails/templates",
        {"email_template": {"subject": "s", "html": "h"}},
    )
    assert (answer.status, answer.body) == (404, {"error": "Sequence not found"})


async def test_template_patch_rules(api, emu):
    """PATCH needs subject or html, non-blank; an unknown id is 404."""
    template = emu.state.add_email_template(subject="Hello")
    path = f"fetch/emails/templates/{template.id}"
    assert (await api.call("PATCH", path, {"email_template": {}})).status == 422
    assert (await api.call("PATCH", path, {"email_template": {"html": ""}})).status == 422
    assert (await api.call("PATCH", path, {})).status == 400
    missing = await api.call(
        "PATCH", "fetch/emails/templates/999", {"email_template": {"html": "x"}}
    )
    assert (missing.status, missing.body) == (404, {"error": "Email template not found"})
    assert emu.state.email_template_by_id(template.id) == template


async def test_site_uuid_in_the_body_is_accepted(api, emu):
    """Node sends site_uuid in the body of PATCH and DELETE; the emulator accepts it there."""
    template = emu.state.add_email_template(subject="Hello")
    answer = await api.call(
        "PATCH",
        f"fetch/emails/templates/{template.id}",
        {"email_template": {"subject": "Bye"}},
        site_uuid_in="body",
    )
    assert answer.status == 200
    assert answer.body["data"]["attributes"]["subject"] == "Bye"


# -- forms and segments -----------------------------------------------------------------


async def test_form_responses_need_an_id(api, emu):
    """`id` is required; responses render as resources with uuid and data."""
    emu.state.add_form_response("f1", email="a@example.com")
    assert (await api.get("fetch/responses")).status == 400
    answer = await api.get("fetch/responses", id="f1")
    [item] = answer.body["data"]
    assert item["type"] == "form_responses"
    assert item["attributes"]["data"]["identity"] == {"email": "a@example.com"}


async def test_segment_errors(api, emu):
    """An unknown segment is 404; match without an email is 400."""
    segment = emu.state.add_segment("VIPs", tags=["vip"])
    missing = await api.get("fetch/segments/99")
    assert (missing.status, missing.body) == (404, {"error": "Segment not found"})
    assert (await api.post("fetch/segments/99/match", {"email": "a@example.com"})).status == 404
    assert (await api.post(f"fetch/segments/{segment.id}/match", {})).status == 400
    wrapped = await api.post(
        f"fetch/segments/{segment.id}/match", {"subscriber": {"email": "a@example.com"}}
    )
    assert wrapped.body == {
        "data": {"segment_id": segment.id, "email": "a@example.com", "matched": False}
    }


# -- search -----------------------------------------------------------------------------


async def test_search_refused_without_enterprise(api):
    """Search answers 403 with a JSON error on a site that is not Enterprise."""
    answer = await api.get("fetch/search")
    assert answer.status == 403
    assert "Enterprise" in answer.body["error"]


@pytest.fixture
async def enterprise_api(api):
    """A raw caller like `api` (same session), pointed at an Enterprise emulator."""
    async with BentoEmulator(enterprise=True) as emulator:
        yield type(api)(api.session, emulator)


async def test_search_reads_query_and_body_filters(enterprise_api):
    """Rails-style query filters and JSON-body filters select the same people."""
    state = enterprise_api.emulator.state
    now = datetime(2024, 6, 1, tzinfo=timezone.utc)
    state.clock = lambda: now
    state.add_tags("a@example.com", ["vip"])
    state.find_or_create_subscriber("b@example.com")
    by_query = await enterprise_api.get(
        "fetch/search", **{"created_at[lt]": "2024-07-01T00:00:00Z", "tags": "vip"}
    )
    by_body = await enterprise_api.call(
        "GET", "fetch/search", {"created_at": {"lt": "2024-07-01T00:00:00Z"}, "tag_names": ["vip"]}
    )
    by_ids = await enterprise_api.get("fetch/search", tag_ids=state.tag_by_name("vip").id)
    for answer in (by_query, by_body, by_ids):
        assert [s["attributes"]["email"] for s in answer.body["data"]] == ["a@example.com"]
    assert by_body.body["meta"]["page"] == 1
    assert by_body.body["meta"]["query"]["email"] == {"not": None}
    navigation = by_query.body["data"][0]["attributes"]["navigation_url"]
    assert navigation.endswith(state.subscriber_by_email("a@example.com").uuid)


@pytest.mark.parametrize("query", [{"created_at[gt]": "yesterday"}, {"page": "0"}, {"tags": ""}])
async def test_search_bad_filters(enterprise_api, query):
    """An unreadable date or page is 400; an empty tag filter is no filter."""
    answer = await enterprise_api.get("fetch/search", **query)
    assert answer.status == (200 if query == {"tags": ""} else 400)


# -- tag deletion -----------------------------------------------------------------------


async def test_delete_tag_docs_form(api, emu):
    """The docs' `DELETE fetch/tags` takes the name in the body, wrapped or not, or the query."""
    for name in ("a", "b", "c"):
        emu.state.find_or_create_tag(name)
    wrapped = await api.call("DELETE", "fetch/tags", {"tag": {"name": "a"}})
    bare = await api.call("DELETE", "fetch/tags", {"name": "b"})
    query = await api.call("DELETE", "fetch/tags", query={"name": "c"})
    assert [a.body for a in (wrapped, bare, query)] == [
        {"message": f"Tag ({n}) deleted successfully"} for n in "abc"
    ]
    assert all(t.discarded_at is not None for t in emu.state.tags)


async def test_delete_tag_errors(api, emu):
    """No wrapper is 400, an unknown id or name 404, a mismatched name 422."""
    tag, _ = emu.state.find_or_create_tag("vip")
    assert (await api.call("DELETE", f"fetch/tags/{tag.id}", {})).status == 400
    unknown = await api.call("DELETE", "fetch/tags/99", {"tag": {"name": "vip"}})
    assert (unknown.status, unknown.body) == (404, {"error": "Tag not found"})
    assert (await api.call("DELETE", "fetch/tags", {"name": "nope"})).status == 404
    wrong = await api.call("DELETE", f"fetch/tags/{tag.id}", {"tag": {"name": "other"}})
    assert wrong.status == 422
    assert emu.state.tag_by_id(tag.id).discarded_at is None
