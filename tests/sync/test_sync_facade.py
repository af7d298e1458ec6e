"""The sync facade: the seed walkthrough, threads, running loops, Ctrl-C, fork and shutdown."""

from __future__ import annotations

import _thread
import asyncio
import contextlib
import os
import signal
import threading
import time
import warnings
from concurrent.futures import ThreadPoolExecutor

import pytest
from _overlap import overlapping_calls

from bento_async import RateLimits, RetryPolicy
from bento_emulator import BentoEmulator
from bento_sync import (
    AuthenticationError,
    Bento,
    CommandResult,
    Event,
    Hooks,
    RequestEvent,
    Subscriber,
    ValidationError,
)

EMAIL = "jesse@example.com"


def _loop_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "bento-sync" and t.is_alive()]


def test_seed_walkthrough(sync_bento: Bento, threaded_emulator: BentoEmulator) -> None:
    """Create, tag, name, resolve tag names, import subscribers and events, from plain code."""
    sub = sync_bento.subscribers.create(EMAIL)
    assert isinstance(sub, Subscriber)
    assert sync_bento.commands.add_tag(EMAIL, "customer") == CommandResult(1, 0)
    sync_bento.commands.add_field(EMAIL, "name", "Jesse")
    found = sync_bento.subscribers.get(email=EMAIL)
    assert found is not None
    assert found.fields == {"name": "Jesse"}
    assert sync_bento.tags.names_for(found) == ["customer"]
    imported = sync_bento.subscribers.import_many(
        [{"email": "a@example.com", "name": "Jesse"}, {"email": "b@example.com"}]
    )
    assert (imported.accepted, imported.failed, imported.ok) == (2, 0, True)
    tracked = sync_bento.events.track_many(
        [
            {"email": EMAIL, "type": "$custom_event", "details": {"custom_stat": 1000}},
            Event.purchase(EMAIL, key="test123", amount=8000),
            Event.custom(EMAIL, "$quiet", bypass_workflows=True),
        ]
    )
    assert (tracked.accepted, tracked.failed, tracked.ok) == (3, 0, True)
    assert threaded_emulator.state.revenue_of(EMAIL) == {"USD": 8000}
    assert len(threaded_emulator.state.automations) == 2


def test_errors_are_the_same_classes(threaded_emulator: BentoEmulator) -> None:
    """Errors raised through the facade are bento_async's own classes, raised in the caller."""
    creds = {**threaded_emulator.credentials, "secret_key": "wrong"}
    with Bento(**creds, rate_limits=RateLimits.off()) as client:
        with pytest.raises(AuthenticationError):
            client.tags.list()
        with pytest.raises(ValidationError):
            client.subscribers.get()


def test_shared_across_threads(sync_bento: Bento, threaded_emulator: BentoEmulator) -> None:
    """Many threads share one client (and one loop thread) without interference."""

    def work(i: int) -> str:
        email = f"user{i}@example.com"
        sync_bento.commands.add_tag(email, "threaded")
        found = sync_bento.subscribers.get(email=email)
        assert found is not None
        return found.email

    with ThreadPoolExecutor(8) as pool:
        emails = list(pool.map(work, range(64)))
    assert emails == [f"user{i}@example.com" for i in range(64)]
    assert len(threaded_emulator.state.subscribers) == 64
    assert len(_loop_threads()) <= 1  # one loop thread at most, however many threads call


def test_callable_inside_running_event_loop(threaded_emulator: BentoEmulator) -> None:
    """Sync calls work from a thread whose event loop is running (a Jupyter cell, say)."""

    async def cell() -> Subscriber:
        with Bento(**threaded_emulator.credentials, rate_limits=RateLimits.off()) as client:
            return client.subscribers.create(EMAIL)

    sub = asyncio.run(cell())
    assert sub.email == EMAIL


def test_call_from_loop_thread_raises_clearly(threaded_emulator: BentoEmulator) -> None:
    """A hook calling back into the sync client gets a clear error instead of a deadlock."""
    seen: list[BaseException] = []
    holder: list[Bento] = []

    def hook(event: RequestEvent) -> None:
        try:
            holder[0].tags.list()
        except RuntimeError as exc:
            seen.append(exc)

    with Bento(
        **threaded_emulator.credentials, rate_limits=RateLimits.off(), hooks=Hooks(on_request=hook)
    ) as client:
        holder.append(client)
        client.subscribers.create(EMAIL)
    assert seen
    assert "own event-loop thread" in str(seen[0])


def test_a_lone_call_runs_on_the_calling_thread(threaded_emulator: BentoEmulator) -> None:
    """With no other call in flight, the caller runs the loop itself: its hooks see the
    calling thread, and no loop thread is started for sequential use."""
    seen: list[str] = []
    before = len(_loop_threads())
    with Bento(
        **threaded_emulator.credentials,
        rate_limits=RateLimits.off(),
        hooks=Hooks(on_request=lambda event: seen.append(threading.current_thread().name)),
    ) as client:
        for _ in range(3):
            client.tags.list()
        worker = threading.Thread(target=client.tags.list, name="worker")
        worker.start()
        worker.join()
        assert len(_loop_threads()) == before
    assert seen == [threading.current_thread().name] * 3 + ["worker"]


def test_close_leaves_nothing_behind(threaded_emulator: BentoEmulator) -> None:
    """close() stops the loop thread, is idempotent, and later calls fail clearly."""
    before = len(_loop_threads())
    sent = threading.Event()
    client = Bento(
        **threaded_emulator.credentials,
        rate_limits=RateLimits.off(),
        hooks=Hooks(on_request=lambda event: sent.set()),
    )
    overlapping_calls(client, threaded_emulator, sent)  # starts the loop thread
    assert len(_loop_threads()) == before + 1
    client.close()
    client.close()
    assert len(_loop_threads()) == before
    with pytest.raises(RuntimeError, match="closed"):
        client.tags.list()


def test_unused_client_starts_no_thread(threaded_emulator: BentoEmulator) -> None:
    """A client that never calls starts no thread and closes instantly."""
    before = len(_loop_threads())
    with Bento(**threaded_emulator.credentials) as client:
        assert len(_loop_threads()) == before
        assert repr(client).startswith("Bento(site_uuid=")


@pytest.fixture
def silent_url() -> object:
    """A listening socket that never answers, as a base URL."""
    import socket

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    yield f"http://127.0.0.1:{sock.getsockname()[1]}/api/v1"
    sock.close()


def test_ctrl_c_cancels_the_in_flight_call(silent_url: str) -> None:
    """KeyboardInterrupt in the caller cancels the request; the client still closes promptly."""
    client = Bento(
        publishable_key="pk",
        secret_key="sk",
        site_uuid="s",
        base_url=silent_url,
        timeout=30,
        retry=RetryPolicy.none(),
        rate_limits=RateLimits.off(),
    )
    timer = threading.Timer(0.3, _thread.interrupt_main)
    timer.start()
    start = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        client.tags.list()
    assert time.monotonic() - start < 5
    client.close()
    assert time.monotonic() - start < 10


def test_with_options_view_shares_the_client(silent_url: str) -> None:
    """A with_options view uses its own timeout but the same loop thread."""
    with Bento(
        publishable_key="pk",
        secret_key="sk",
        site_uuid="s",
        base_url=silent_url,
        timeout=30,
        retry=RetryPolicy.none(),
        rate_limits=RateLimits.off(),
    ) as client:
        fast = client.with_options(timeout=0.2)
        start = time.monotonic()
        with pytest.raises(TimeoutError):
            fast.tags.list()
        assert time.monotonic() - start < 5


def _fork_and_look_up(client: Bento, held: contextlib.AbstractContextManager[object]) -> None:
    """Fork while ``held`` is held; the child must find the subscriber (a deadlock ends it
    after 10 s instead of the test run), and so must the parent afterwards."""
    with held, warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # fork with threads (3.12+)
        pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child
        code = 1
        try:
            signal.alarm(10)
            found = client.subscribers.get(email=EMAIL)
            code = 0 if found is not None and found.email == EMAIL else 1
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert client.subscribers.get(email=EMAIL) is not None


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork()")
def test_fork_gets_a_fresh_loop(threaded_emulator: BentoEmulator) -> None:
    """After fork() the child's calls run on a new loop instead of hanging."""
    with Bento(**threaded_emulator.credentials, rate_limits=RateLimits.off()) as client:
        client.subscribers.create(EMAIL)
        _fork_and_look_up(client, contextlib.nullcontext())


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork()")
def test_fork_while_a_thread_holds_the_clients_lock(threaded_emulator: BentoEmulator) -> None:
    """A fork() that lands while some thread holds the client's internal lock (a call
    being handed over) leaves the child a working client, not a lock nobody will release."""
    with Bento(**threaded_emulator.credentials, rate_limits=RateLimits.off()) as client:
        client.subscribers.create(EMAIL)
        _fork_and_look_up(client, client._loop._lock)
