"""Hostile inputs: ids that would escape their endpoint, control characters, huge values,
a User-Agent HTTP cannot carry; and the API's own date phrases, which must go through."""

from __future__ import annotations

import pickle
from collections.abc import Awaitable, Callable
from datetime import date, datetime, timezone
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from bento_async import AsyncBento, ConfigError, ValidationError
from bento_async._errors import InputIssue
from bento_async._validate import valid_email
from bento_emulator import BentoEmulator
from bento_sync import Bento

pytestmark = pytest.mark.anyio

Call = Callable[[AsyncBento, Any], Awaitable[object]]

ID_CALLS: dict[str, Call] = {
    "tags.delete": lambda b, i: b.tags.delete(i, name="n"),
    "email_templates.get": lambda b, i: b.email_templates.get(i),
    "email_templates.update": lambda b, i: b.email_templates.update(i, subject="s"),
    "segments.get": lambda b, i: b.segments.get(i),
    "segments.match": lambda b, i: b.segments.match(i, email="a@example.com"),
    "sequences.create_email": lambda b, i: b.sequences.create_email(i, subject="s", html="h"),
}


@pytest.mark.parametrize("value", [".", "..", " .. ", "", "   "])
@pytest.mark.parametrize("call", ID_CALLS.values(), ids=ID_CALLS.keys())
async def test_dot_and_empty_ids_are_refused(
    bento: AsyncBento, emulator: BentoEmulator, call: Call, value: str
) -> None:
    """An id that a URL would resolve to another endpoint raises ValidationError; nothing
    is sent."""
    with pytest.raises(ValidationError):
        await call(bento, value)
    assert emulator.requests == []


async def test_other_ids_are_encoded_into_one_segment(
    bento: AsyncBento, emulator: BentoEmulator
) -> None:
    """Ids with dots, slashes or '%' stay inside their own path segment."""
    for value in ("a.b", "../x", "...", "%2e%2e", "a/b"):
        assert await bento.segments.get(value) is None
    paths = [r.path for r in emulator.requests]  # as the server decoded them
    assert paths == [
        "/api/v1/fetch/segments/a.b",
        "/api/v1/fetch/segments/../x",
        "/api/v1/fetch/segments/...",
        "/api/v1/fetch/segments/%2e%2e",
        "/api/v1/fetch/segments/a/b",
    ]


@pytest.mark.parametrize("char", ["\x00", "\x07", "\x1b", "\x7f", "\r", "\n", "\t"])
async def test_control_characters_in_emails_are_refused(
    bento: AsyncBento, emulator: BentoEmulator, char: str
) -> None:
    """NUL, BEL, ESC, DEL and CR/LF in an address raise ValidationError; nothing is sent."""
    with pytest.raises(ValidationError, match="email"):
        await bento.subscribers.create(f"jes{char}se@example.com")
    result = await bento.subscribers.import_many([{"email": f"a{char}b@example.com"}])
    assert len(result.invalid) == 1
    assert emulator.requests == []


@given(st.text(alphabet=st.characters(max_codepoint=0x9F, categories=["Cc"]), min_size=1))
def test_no_control_character_passes_email_validation(chars: str) -> None:
    """No string with a C0/C1 control character in the local part is a valid email."""
    assert not valid_email(f"a{chars}b@example.com")


def test_user_agent_with_cr_lf_is_a_config_error() -> None:
    """A User-Agent that would split the HTTP header fails when the client is built."""
    for agent in ("app/1.0\r\nX-Injected: 1", "app\n", "a\x00b"):
        with pytest.raises(ConfigError, match="user_agent"):
            AsyncBento(publishable_key="pk", secret_key="sk", site_uuid="s", user_agent=agent)
        with pytest.raises(ConfigError, match="user_agent"):
            Bento(publishable_key="pk", secret_key="sk", site_uuid="s", user_agent=agent)


async def test_long_values_are_shortened_in_messages(bento: AsyncBento) -> None:
    """A 10 MB email gives a message of a few hundred characters that still says what is
    wrong and how long the value was."""
    huge = "x" * 10_000_000 + "@"
    with pytest.raises(ValidationError) as info:
        await bento.subscribers.create(huge)
    message = str(info.value)
    assert len(message) < 500
    assert "is not a valid email address" in message
    assert "characters]" in message


@given(st.text(), st.text())
@example("p" * 500, "m" * 5000)
@example("", "x" * 301)
def test_input_issues_stay_short(path: str, message: str) -> None:
    """Any issue renders in bounded length, and short texts are kept whole."""
    issue = InputIssue(path, message)
    assert len(str(issue)) <= 120 + 2 + 300
    if len(message) <= 300:
        assert issue.message == message
    assert pickle.loads(pickle.dumps(issue)) == issue  # shortening is stable


async def test_ads_sends_date_phrases_as_given(bento: AsyncBento, emulator: BentoEmulator) -> None:
    """stats.ads sends relative values such as the Node SDK's "last week" / "now" as they
    are, and dates and datetimes in ISO 8601."""
    await bento.stats.ads(start_date="last week", end_date="now")
    await bento.stats.ads(
        start_date=date(2024, 3, 1), end_date=datetime(2024, 3, 31, tzinfo=timezone.utc)
    )
    first, second = (r.query for r in emulator.requests)
    assert (first["start_date"], first["end_date"]) == ("last week", "now")
    assert (second["start_date"], second["end_date"]) == ("2024-03-01", "2024-03-31T00:00:00+00:00")
