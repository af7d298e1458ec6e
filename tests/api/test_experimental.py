"""bento.experimental through the async client against the emulator: answers, errors, wire form."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from bento_async import (
    AsyncBento,
    BlacklistResult,
    EmailValidation,
    GenderGuess,
    Geolocation,
    Hooks,
    JessesRulesetResult,
    ModerationResult,
    RateLimits,
    RequestTimeoutError,
    RetryPolicy,
    ValidationError,
)
from bento_emulator import BentoEmulator, RecordedRequest

pytestmark = pytest.mark.anyio


def _last(emulator: BentoEmulator) -> RecordedRequest:
    return emulator.requests[-1]


async def test_validate_email_sends_parameters_in_the_body(
    bento: AsyncBento, emulator: BentoEmulator
) -> None:
    """All four parameters travel in the JSON body; only site_uuid is in the query."""
    result = await bento.experimental.validate_email(
        "jesse@example.com", name="Jesse Hanley", ip="203.0.113.7", user_agent="Mozilla/5.0"
    )
    assert result == EmailValidation(valid=True)
    sent = _last(emulator)
    assert (sent.method, sent.path) == ("POST", "/api/v1/experimental/validation")
    assert sent.query == {"site_uuid": emulator.site_uuid}
    assert sent.json == {
        "email": "jesse@example.com",
        "name": "Jesse Hanley",
        "ip": "203.0.113.7",
        "user_agent": "Mozilla/5.0",
    }


async def test_validate_email_leaves_out_unset_parameters(
    bento: AsyncBento, emulator: BentoEmulator
) -> None:
    """Parameters left as None are not sent; a disposable domain is judged invalid."""
    result = await bento.experimental.validate_email("x@mailinator.com")
    assert result.valid is False
    assert _last(emulator).json == {"email": "x@mailinator.com"}


@pytest.mark.parametrize(
    ("kwargs", "path"),
    [
        ({"email": "not-an-email"}, "email"),
        ({"email": ""}, "email"),
        ({"email": "a@example.com", "ip": "999.1.1.1"}, "ip"),
        ({"email": "a@example.com", "ip": "example.com"}, "ip"),
        ({"email": "a@example.com", "name": " "}, "name"),
        ({"email": "a@example.com", "user_agent": ""}, "user_agent"),
    ],
)
async def test_validate_email_bad_input(
    bento: AsyncBento, emulator: BentoEmulator, kwargs: dict[str, Any], path: str
) -> None:
    """A malformed email or IP, or a blank name or user agent, is refused before sending."""
    email = kwargs.pop("email")
    with pytest.raises(ValidationError) as info:
        await bento.experimental.validate_email(email, **kwargs)
    assert [issue.path for issue in info.value.issues] == [path]
    assert emulator.requests == []


async def test_jesses_ruleset_reasons(bento: AsyncBento, emulator: BentoEmulator) -> None:
    """Free providers are refused only on request; wiggleroom relaxes the role-account rule."""
    relaxed = await bento.experimental.jesses_ruleset("jesse@gmail.com")
    assert relaxed == JessesRulesetResult(valid=True, reasons=())
    assert relaxed.passed
    assert _last(emulator).json == {"email": "jesse@gmail.com"}
    strict = await bento.experimental.jesses_ruleset("admin@gmail.com", block_free_providers=True)
    assert strict.valid is False
    assert strict.reasons == ("Email provider is free", "Email is a role account")
    assert _last(emulator).json == {"email": "admin@gmail.com", "block_free_providers": True}
    eased = await bento.experimental.jesses_ruleset(
        "admin@gmail.com", block_free_providers=False, wiggleroom=True
    )
    assert eased.passed
    assert _last(emulator).json == {
        "email": "admin@gmail.com",
        "block_free_providers": False,
        "wiggleroom": True,
    }


@pytest.mark.parametrize(
    ("email", "kwargs", "paths"),
    [
        ("nope", {}, ["email"]),
        ("a@example.com", {"block_free_providers": 1}, ["block_free_providers"]),
        ("a@example.com", {"wiggleroom": "yes"}, ["wiggleroom"]),
    ],
)
async def test_jesses_ruleset_bad_input(
    bento: AsyncBento,
    emulator: BentoEmulator,
    email: str,
    kwargs: dict[str, Any],
    paths: list[str],
) -> None:
    """A malformed email or a flag that is not a bool is refused before sending."""
    with pytest.raises(ValidationError) as info:
        await bento.experimental.jesses_ruleset(email, **kwargs)
    assert [issue.path for issue in info.value.issues] == paths
    assert emulator.requests == []


async def test_guess_gender(bento: AsyncBento, emulator: BentoEmulator) -> None:
    """A known first name gets a gender and confidence; an unknown one gets two Nones."""
    guess = await bento.experimental.guess_gender("Jane Doe")
    assert guess == GenderGuess(gender="female", confidence=0.99)
    assert _last(emulator).json == {"name": "Jane Doe"}
    assert await bento.experimental.guess_gender("Zorblax") == GenderGuess(None, None)
    with pytest.raises(ValidationError):
        await bento.experimental.guess_gender("  ")
    assert len(emulator.requests) == 2


async def test_geolocate_is_none_while_bento_answers_empty(
    bento: AsyncBento, emulator: BentoEmulator
) -> None:
    """Bento answers {} today, which the client returns as None; the ip is in the query."""
    assert await bento.experimental.geolocate("8.8.8.8") is None
    sent = _last(emulator)
    assert (sent.method, sent.path) == ("GET", "/api/v1/experimental/geolocation")
    assert sent.query == {"ip": "8.8.8.8", "site_uuid": emulator.site_uuid}


async def test_geolocate_documented_object(bento: AsyncBento, emulator: BentoEmulator) -> None:
    """With geolocation on, the documented object is parsed into a Geolocation."""
    emulator.state.experimental.geolocation_enabled = True
    found = await bento.experimental.geolocate("2001:db8::1")
    assert isinstance(found, Geolocation)
    assert (found.ip, found.request) == ("2001:db8::1", "2001:db8::1")
    assert (found.country_code2, found.city_name) == ("US", "Mountain View")
    assert (found.latitude, found.longitude) == (37.4056, -122.0775)
    assert (found.dma_code, found.timezone) == (807, "America/Los_Angeles")


@pytest.mark.parametrize("ip", ["", "8.8.8", "1.2.3.4.5", "localhost", "::g"])
async def test_geolocate_bad_ip(bento: AsyncBento, emulator: BentoEmulator, ip: str) -> None:
    """A malformed IP address is refused before sending."""
    with pytest.raises(ValidationError) as info:
        await bento.experimental.geolocate(ip)
    assert info.value.issues[0].path == "ip"
    assert emulator.requests == []


async def test_blacklist_domain_and_ip(bento: AsyncBento, emulator: BentoEmulator) -> None:
    """A clean query has every provider false; a listed one names its providers."""
    clean = await bento.experimental.blacklist(domain="example.com")
    assert isinstance(clean, BlacklistResult)
    assert clean.query == "example.com"
    assert set(clean.results) >= {"spamhaus", "just_registered"}
    assert not clean.listed
    assert clean.description
    sent = _last(emulator)
    assert (sent.method, sent.path) == ("GET", "/api/v1/experimental/blacklist")
    assert sent.query == {"domain": "example.com", "site_uuid": emulator.site_uuid}

    emulator.state.experimental.add_to_blacklist("192.0.2.9", "spamhaus", "sorbs")
    listed = await bento.experimental.blacklist(ip="192.0.2.9")
    assert listed.listed
    assert listed.listed_on == ("spamhaus", "sorbs")
    assert _last(emulator).query == {"ip": "192.0.2.9", "site_uuid": emulator.site_uuid}


async def test_blacklist_international_domain(bento: AsyncBento, emulator: BentoEmulator) -> None:
    """An international domain is accepted as written, by the client and the emulator."""
    result = await bento.experimental.blacklist(domain="bücher.de")
    assert result.query == "bücher.de"
    assert _last(emulator).query["domain"] == "bücher.de"


@pytest.mark.parametrize(
    ("kwargs", "path"),
    [
        ({}, ""),
        ({"domain": "example.com", "ip": "1.1.1.1"}, ""),
        ({"domain": "https://example.com"}, "domain"),
        ({"domain": "localhost"}, "domain"),
        ({"domain": ""}, "domain"),
        ({"ip": "1.1.1"}, "ip"),
    ],
)
async def test_blacklist_bad_input(
    bento: AsyncBento, emulator: BentoEmulator, kwargs: dict[str, Any], path: str
) -> None:
    """Both or neither of domain and ip, or a malformed one, is refused before sending."""
    with pytest.raises(ValidationError) as info:
        await bento.experimental.blacklist(**kwargs)
    assert [issue.path for issue in info.value.issues] == [path]
    assert emulator.requests == []


async def test_moderate_content(bento: AsyncBento, emulator: BentoEmulator) -> None:
    """Flagged words and link spam give reasons, the safe copy is escaped, content is sent."""
    clean = await bento.experimental.moderate_content("Hello <b>friends</b>")
    assert clean == ModerationResult(
        valid=True, reasons=(), safe_original_content="Hello &lt;b&gt;friends&lt;/b&gt;"
    )
    assert _last(emulator).json == {"content": "Hello <b>friends</b>"}
    links = " ".join(f"https://spam{i}.example" for i in range(3))
    flagged = await bento.experimental.moderate_content(f"Win at the CASINO {links}")
    assert flagged.valid is False
    assert flagged.reasons == ("Gambling", "Link spam")


async def test_moderate_blank_content_is_refused(
    bento: AsyncBento, emulator: BentoEmulator
) -> None:
    """Blank content raises ValidationError and sends nothing."""
    with pytest.raises(ValidationError) as info:
        await bento.experimental.moderate_content(" \n")
    assert info.value.issues[0].path == "content"
    assert emulator.requests == []


async def test_experimental_calls_are_the_experimental_family(emulator: BentoEmulator) -> None:
    """Every experimental call is rate-limited as the experimental family."""
    families: list[str] = []
    hooks = Hooks(on_request=lambda event: families.append(event.family))
    async with AsyncBento(
        **emulator.credentials, rate_limits=RateLimits.off(), hooks=hooks
    ) as client:
        await client.experimental.validate_email("a@example.com")
        await client.experimental.jesses_ruleset("a@example.com")
        await client.experimental.guess_gender("Jane")
        await client.experimental.geolocate("1.1.1.1")
        await client.experimental.blacklist(domain="example.com")
        await client.experimental.moderate_content("hi")
    assert families == ["experimental"] * 6


async def test_post_calls_are_retried_after_a_timeout() -> None:
    """Experimental POSTs change nothing, so an ambiguous failure is retried like a read."""
    writers: list[asyncio.StreamWriter] = []

    async def hold(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writers.append(writer)

    server = await asyncio.start_server(hold, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        async with AsyncBento(
            publishable_key="pk",
            secret_key="sk",
            site_uuid="site",
            base_url=f"http://127.0.0.1:{port}/api/v1",
            timeout=0.1,
            retry=RetryPolicy(attempts=2, backoff_initial=0.01),
            rate_limits=RateLimits.off(),
        ) as client:
            with pytest.raises(RequestTimeoutError) as info:
                await client.experimental.moderate_content("hello")
            assert info.value.attempts == 2
            with pytest.raises(RequestTimeoutError) as info:
                await client.experimental.validate_email("a@example.com")
            assert info.value.attempts == 2
    finally:
        for writer in writers:
            writer.close()
        server.close()
        await server.wait_closed()
