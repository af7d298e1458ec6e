"""The sync facade under real process models and networks: dropped clients release their
thread, clients refuse pickling, half-built ones render, network options reach the core."""

from __future__ import annotations

import gc
import os
import pickle
import threading
import time

import pytest
from _hostile import threaded_proxy
from _overlap import overlapping_calls

from bento_async import Hooks, InsecureTLSWarning, RateLimits
from bento_emulator import BentoEmulator
from bento_sync import Bento


def _use_and_drop(emulator: BentoEmulator, count: int) -> None:
    """Make ``count`` clients, use each, and drop them without close(): the even ones from
    this thread alone (no loop thread), the odd ones from two threads at once (which
    starts the client's loop thread)."""
    for i in range(count):
        sent = threading.Event()
        bento = Bento(
            **emulator.credentials,
            rate_limits=RateLimits.off(),
            hooks=Hooks(on_request=lambda event, sent=sent: sent.set()),
        )
        if i % 2:
            overlapping_calls(bento, emulator, sent)
        else:
            assert bento.tags.list() == []


def _open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="counts /proc/self/fd")
def test_dropped_clients_release_their_threads(threaded_emulator: BentoEmulator) -> None:
    """Ten clients dropped without close() leave no loop thread, loop or socket once
    collected, each with a ResourceWarning like aiohttp's for an unclosed session."""
    gc.collect()
    threads, fds = threading.active_count(), _open_fds()
    gc.disable()  # collect only inside pytest.warns (warnings are errors elsewhere)
    try:
        _use_and_drop(threaded_emulator, 10)
        assert threading.active_count() == threads + 5
        assert _open_fds() >= fds + 10 * 3  # a loop's selector and self-pipe, a socket
        with pytest.warns(ResourceWarning, match="unclosed bento_sync.Bento") as caught:
            gc.collect()
    finally:
        gc.enable()
    assert len([w for w in caught if w.category is ResourceWarning]) == 10
    assert threading.active_count() == threads
    # The emulator (a thread of this process) closes its ends of the sockets as it sees
    # the clients' ends close.
    deadline = time.monotonic() + 5
    while _open_fds() > fds and time.monotonic() < deadline:
        time.sleep(0.01)
    assert _open_fds() == fds


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
