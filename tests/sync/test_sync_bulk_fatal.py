"""A fatal error ends a bulk run at once through the sync client too: every bulk method,
one request, every record (read in the caller's thread) kept and marked never sent."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from _bulk_calls import LOOKUPS, WRITES, lookup_method, write_method

from bento_async import AuthenticationError, ClientClosedError, NotSentError, RateLimits
from bento_emulator import BentoEmulator
from bento_sync import Bento


@pytest.fixture
def emu(threaded_emulator: BentoEmulator) -> BentoEmulator:
    """The emulator serving from its own thread."""
    return threaded_emulator


@pytest.fixture
def wrong_key(emu: BentoEmulator) -> Iterator[Bento]:
    """A sync client whose secret key the emulator refuses."""
    creds: dict[str, Any] = {**emu.credentials, "secret_key": "sk_wrong"}
    with Bento(**creds, rate_limits=RateLimits.off()) as client:
        yield client


@pytest.mark.parametrize("name", WRITES)
def test_wrong_key_ends_every_bulk_write_after_one_request(
    wrong_key: Bento, emu: BentoEmulator, name: str
) -> None:
    """A generator of 120 records, chunks of 10, 4 in flight: one 401, eleven chunks never
    sent, all 120 records handed back."""
    send, make = write_method(wrong_key, name)
    records = [make(i) for i in range(120)]
    result = send(iter(records), chunk_size=10, concurrency=4)
    assert isinstance(result.fatal_error, AuthenticationError)
    assert (result.requests, result.accepted, result.failed) == (1, 0, 120)
    assert all(a is b for a, b in zip(result.failed_records, records, strict=True))
    assert len(result.failed_records) == 120
    assert all(isinstance(c.error, NotSentError) and not c.sent for c in result.chunks[1:])
    assert [r.status for r in emu.requests] == [401]


@pytest.mark.parametrize("name", LOOKUPS)
def test_wrong_key_ends_lookups_after_one_request(
    wrong_key: Bento, emu: BentoEmulator, name: str
) -> None:
    """get_many / stream_many: the first lookup's 401 ends the fan-out; the rest are marked."""
    keys = [f"u{i}@example.com" for i in range(50)]
    outcomes = lookup_method(wrong_key, name)(iter(keys), concurrency=16)
    lookups = sorted(outcomes, key=lambda lk: lk.index)
    assert [lk.key for lk in lookups] == keys
    assert isinstance(lookups[0].error, AuthenticationError)
    assert all(isinstance(lk.error, NotSentError) for lk in lookups[1:])
    assert [r.status for r in emu.requests] == [401]


def test_a_closed_sync_client_refuses_at_once(emu: BentoEmulator) -> None:
    """A closed sync client raises ClientClosedError (a RuntimeError) before reading input."""
    client = Bento(**emu.credentials)
    client.close()

    def records() -> Iterator[dict[str, str]]:
        raise AssertionError("read")
        yield {}

    with pytest.raises(ClientClosedError, match="closed"):
        client.subscribers.import_many(records())
    assert emu.requests == []
