"""The sync facade under real process models and networks: dropped clients release their
thread, clients refuse pickling, half-built ones render, network options reach the core."""

from __future__ import annotations

import gc
import pickle
import threading

import pytest
from _hostile import threaded_proxy

from bento_async import InsecureTLSWarning, RateLimits
from bento_emulator import BentoEmulator
from bento_sync import Bento


def _use_and_drop(emulator: BentoEmulator, count: int) -> None:
    """Make ``count`` clients, call each once, and drop them without close()."""
    for _ in range(count):
        bento = Bento(**emulator.credentials, rate_limits=RateLimits.off())
        assert bento.tags.list() == []


def test_dropped_clients_release_their_threads(threaded_emulator: BentoEmulator) -> None:
    """Ten clients dropped without close() leave no loop thread once collected, each with
    a ResourceWarning like aiohttp's for an unclosed session."""
    gc.collect()
    before = threading.active_count()
    gc.disable()  # collect only inside pytest.warns (warnings are errors elsewhere)
    try:
        _use_and_drop(threaded_emulator, 10)
        assert threading.active_count() == before + 10
        with pytest.warns(ResourceWarning, match="unclosed bento_sync.Bento") as caught:
            gc.collect()
    finally:
        gc.enable()
    assert len([w for w in caught if w.category is ResourceWarning]) == 10
    assert threading.active_count() == before


def test_closed_and_unused_clients_do_not_warn_when_collected(
    threaded_emulator: BentoEmulator,
) -> None:
    """close() detaches the release, and a client that never sent holds nothing: collecting
    either is silent."""
    with Bento(**threaded_emulator.credentials) as bento:
        bento.tags.list()
    bento = Bento(**threaded_emulator.credentials)
    bento = None  # type: ignore[assignment]
    gc.collect()  # warnings are errors: a ResourceWarning here fails the test


def test_sync_client_refuses_pickling(threaded_emulator: BentoEmulator) -> None:
    """Pickling a sync client raises a clear TypeError."""
    with Bento(**threaded_emulator.credentials) as bento:
        with pytest.raises(TypeError, match="cannot be pickled"):
            pickle.dumps(bento)
        with pytest.raises(TypeError, match="cannot be pickled"):
            pickle.dumps(bento.with_options(timeout=3))


def test_repr_of_a_half_built_sync_client() -> None:
    """A Bento whose __init__ did not finish renders instead of raising AttributeError."""
    assert repr(Bento.__new__(Bento)) == "Bento(<not configured>)"


def test_sync_proxy_option(threaded_emulator: BentoEmulator) -> None:
    """proxy= reaches the core: the sync client's requests go through the proxy."""
    with threaded_proxy() as proxy, Bento(**threaded_emulator.credentials, proxy=proxy.url) as b:
        assert b.tags.list() == []
        assert len(proxy.lines) == 1


def test_sync_ssl_false_warns_at_the_callers_line() -> None:
    """ssl=False warns once, pointing at the line that built the client."""
    with pytest.warns(InsecureTLSWarning) as caught:
        bento = Bento(publishable_key="pk", secret_key="sk", site_uuid="s", ssl=False)
    bento.close()
    assert [w.filename for w in caught] == [__file__]
