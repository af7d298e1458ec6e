"""Fixtures documents: every area seeds the state; a bad document names the item and why."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bento_emulator import BentoEmulator, EmulatorState, FixtureError
from bento_emulator._fixtures import load_fixtures

EVERY_AREA: dict[str, Any] = {
    "subscribers": [
        {"email": "ann@example.com", "fields": {"plan": "pro"}, "tags": ["customer"]},
        {"email": "bo@example.com", "tags": "lead", "unsubscribed": True},
    ],
    "tags": ["vip", {"name": "beta"}],
    "fields": ["company", {"key": "plan"}],
    "templates": [{"subject": "Hi", "html": "<p>Hi</p>", "name": "Greeting"}],
    "broadcasts": [{"name": "Launch", "subject": "We launched", "status": "draft"}],
    "sequences": [{"name": "Onboarding", "emails": ["Welcome", "Day 2"]}],
    "workflows": [{"name": "Win-back", "status": "draft", "emails": ["We miss you"]}],
    "segments": [
        {"id": "7", "name": "Customers", "tags": ["customer"], "emails": ["bo@example.com"]}
    ],
    "form_responses": [{"form_id": "contact", "email": "ann@example.com", "fields": {"m": "Hi"}}],
    "reports": [{"id": 42, "data": 12, "report_name": "Signups"}],
}


def test_every_area_is_seeded() -> None:
    """Each area's items land in the state, with counts per area returned."""
    state = EmulatorState()
    loaded = load_fixtures(state, EVERY_AREA)
    assert loaded == {area: len(items) for area, items in EVERY_AREA.items()}
    ann, bo = state.subscribers
    assert (ann.fields, state.tag_names_of(ann), ann.subscribed) == (
        {"plan": "pro"},
        ["customer"],
        True,
    )
    assert (state.tag_names_of(bo), bo.subscribed) == (["lead"], False)
    assert [t.name for t in state.tags] == ["customer", "lead", "vip", "beta"]
    assert [f.key for f in state.fields] == ["plan", "company"]
    assert [(b.name, b.status) for b in state.broadcasts] == [("Launch", "draft")]
    assert [len(s.template_ids) for s in state.sequences] == [2]
    assert [(w.name, w.status) for w in state.workflows] == [("Win-back", "draft")]
    assert [s.email for s in state.segment_members("7")] == ["ann@example.com", "bo@example.com"]
    assert [r.data["fields"] for r in state.form_responses("contact")] == [{"m": "Hi"}]
    report = state.stats.report("42")
    assert report is not None
    assert (report.data, report.report_name) == (12, "Signups")
    assert "Greeting" in [t.name for t in state.email_templates]


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"people": []}, "unknown areas ['people']"),
        ({"tags": "vip"}, "tags: expected an array"),
        ({"tags": [""]}, "tags[0]: expected a non-empty string"),
        ({"subscribers": [{"fields": {}}]}, "subscribers[0]: missing key 'email'"),
        ({"subscribers": [{"email": "a@example.com", "age": 3}]}, "unexpected keys ['age']"),
        ({"segments": [{"name": "S", "rule": "x"}]}, "segments[0]: 'rule' takes code"),
        ({"sequences": ["Onboarding"]}, "sequences[0]: expected an object, got str"),
        ({"reports": [{"data": 1}]}, "reports[0]: "),
    ],
)
def test_a_bad_document_names_the_item(document: dict[str, Any], message: str) -> None:
    """Unknown areas and keys, wrong shapes and missing keys raise FixtureError."""
    with pytest.raises(FixtureError) as caught:
        load_fixtures(EmulatorState(), document)
    assert message in str(caught.value)


def test_fixtures_from_a_file_and_reset(tmp_path: Path) -> None:
    """A JSON file seeds the emulator at construction and again on reset."""
    path = tmp_path / "fixtures.json"
    path.write_text(json.dumps({"tags": ["vip"]}), encoding="utf-8")
    emulator = BentoEmulator(fixtures=path)
    emulator.state.find_or_create_tag("other")
    emulator.reset()
    assert [t.name for t in emulator.state.tags] == ["vip"]
    assert emulator.load_fixtures({"tags": ["more"]}) == {"tags": 1}
    (tmp_path / "broken.json").write_text("{", encoding="utf-8")
    with pytest.raises(FixtureError, match="are not JSON"):
        BentoEmulator(fixtures=tmp_path / "broken.json")
    with pytest.raises(FixtureError, match="cannot read fixtures"):
        BentoEmulator(fixtures=tmp_path / "missing.json")
