"""The sync client's event queue: threads, fork, and the flush at interpreter exit."""

from __future__ import annotations

import asyncio
import inspect
import os
import subprocess
import sys
import textwrap
import threading
import time
import warnings

import pytest

from bento_async import AsyncBento, Event, RateLimits
from bento_async import EventQueue as AsyncEventQueue
from bento_async.resources.events import Events
from bento_emulator import BentoEmulator
from bento_sync import Bento, EventQueue


def test_queue_takes_the_async_options(sync_bento: Bento) -> None:
    """bento.events.queue and its track methods have the async signatures."""
    async_client = AsyncBento(publishable_key="p", secret_key="s", site_uuid="u")
    assert inspect.signature(sync_bento.events.queue) == inspect.signature(
        async_client.events.queue
    )
    for name in ("track", "track_purchase"):
        direct = list(inspect.signature(getattr(Events, name)).parameters.values())[1:]
        queued = list(inspect.signature(getattr(AsyncEventQueue, name)).parameters.values())[1:]
        assert queued == direct, f"queue.{name} takes the arguments of events.{name}"
        sync_method = getattr(EventQueue, name)
        assert inspect.signature(sync_method) == inspect.signature(getattr(AsyncEventQueue, name))
        assert sync_method.__doc__ == getattr(AsyncEventQueue, name).__doc__


def test_threads_track_and_close_delivers_everything(threaded_emulator: BentoEmulator) -> None:
    """Eight threads track at once; close() delivers every event exactly once."""
    threaded_emulator.rate_limits = None
    with Bento(**threaded_emulator.credentials, rate_limits=RateLimits.off()) as bento:
        queue = bento.events.queue(interval=0.05)

        def produce(n: int) -> None:
            for i in range(500):
                queue.track(f"t{n}-{i}@example.com", "signup")

        threads = [threading.Thread(target=produce, args=(n,)) for n in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert queue.flush(timeout=30)
        stats = queue.stats
        assert stats.sent == stats.tracked == 4000
        queue.close()
    emails = [e.email for e in threaded_emulator.state.events]
    assert len(emails) == len(set(emails)) == 4000


def test_on_error_gets_what_the_api_refused(threaded_emulator: BentoEmulator) -> None:
    """A failed batch reaches on_error (on the loop thread) and the failed counter."""
    seen: list[tuple[list[Event], BaseException]] = []
    threaded_emulator.faults.fail_next(1, status=500)
    with Bento(**threaded_emulator.credentials, rate_limits=RateLimits.off()) as bento:
        with bento.events.queue(on_error=lambda events, error: seen.append((events, error))) as q:
            q.track("a@example.com", "signup")
        assert q.stats.failed == 1
    assert [e.email for e in seen[0][0]] == ["a@example.com"]


def test_closing_the_client_flushes_the_queue(threaded_emulator: BentoEmulator) -> None:
    """Bento.close() closes its queues first, so their events go out."""
    with Bento(**threaded_emulator.credentials, rate_limits=RateLimits.off()) as bento:
        queue = bento.events.queue(interval=60)
        queue.track("a@example.com", "signup")
    assert [e.email for e in threaded_emulator.state.events] == ["a@example.com"]
    assert queue.stats.sent == 1
    queue.close()  # idempotent, and harmless after the client closed


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork()")
def test_fork_child_starts_empty_and_sends_its_own(threaded_emulator: BentoEmulator) -> None:
    """A forked child has an empty queue and its own sender; the parent's events are sent
    once, by the parent."""
    with Bento(**threaded_emulator.credentials, rate_limits=RateLimits.off()) as bento:
        queue = bento.events.queue(interval=60)
        for i in range(10):
            queue.track(f"parent{i}@example.com", "signup")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # fork with threads (3.12+)
            pid = os.fork()
        if pid == 0:  # pragma: no cover - runs in the child
            code = 1
            try:
                empty = queue.stats.queued == 0 and queue.stats.tracked == 0
                for i in range(3):
                    queue.track(f"child{i}@example.com", "signup")
                queue.close(timeout=10)
                code = 0 if empty and queue.stats.sent == 3 else 2
            finally:
                os._exit(code)
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0
        assert queue.stats.queued == 10
        queue.close()
    emails = sorted(e.email for e in threaded_emulator.state.events)
    assert emails == sorted(
        [f"parent{i}@example.com" for i in range(10)] + [f"child{i}@example.com" for i in range(3)]
    )


EXIT_SCRIPT = """
import os, sys
from bento_sync import Bento, RateLimits

bento = Bento(
    publishable_key=os.environ["T_PK"], secret_key=os.environ["T_SK"],
    site_uuid=os.environ["T_SITE"], base_url=os.environ["T_URL"], rate_limits=RateLimits.off(),
)
def report(events, error):
    print("not delivered", len(events), type(error).__name__, flush=True)

queue = bento.events.queue(interval=60, exit_timeout=float(sys.argv[1]), on_error=report)
for i in range(50):
    queue.track(f"exit{i}@example.com", "signup")
print("tracked", queue.stats.tracked, flush=True)
# No flush, no close: the interpreter's exit must deliver the 50 events, or report them.
"""


def _run_exit_script(
    emulator: BentoEmulator, exit_timeout: float
) -> subprocess.CompletedProcess[str]:
    creds = emulator.credentials
    env = {
        **os.environ,
        "T_PK": creds["publishable_key"],
        "T_SK": creds["secret_key"],
        "T_SITE": creds["site_uuid"],
        "T_URL": creds["base_url"],
    }
    return subprocess.run(
        [sys.executable, "-W", "error", "-c", textwrap.dedent(EXIT_SCRIPT), str(exit_timeout)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_events_are_flushed_at_interpreter_exit(threaded_emulator: BentoEmulator) -> None:
    """A script that exits without closing its queue still delivers what it tracked."""
    done = _run_exit_script(threaded_emulator, 10.0)
    assert done.returncode == 0, done.stderr
    assert "tracked 50" in done.stdout
    assert done.stderr == ""
    assert len(threaded_emulator.state.events) == 50


def test_the_exit_flush_waits_a_bounded_time(threaded_emulator: BentoEmulator) -> None:
    """Against a stalled API the exit flush gives up after exit_timeout and reports the
    events as maybe sent, instead of holding the process for the request timeout."""
    threaded_emulator.faults.stall(4.0)
    start = time.monotonic()
    done = _run_exit_script(threaded_emulator, 0.2)
    elapsed = time.monotonic() - start
    time.sleep(max(0.0, 4.5 - elapsed))  # let the emulator finish the stalled answer
    assert elapsed < 4.0
    assert done.returncode == 0, done.stderr
    assert "not delivered 50 UndeliveredError" in done.stdout


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork()")
def test_fork_empties_an_async_queue_in_the_child() -> None:
    """The async queue a forked child inherits is empty: the parent's events stay the
    parent's (the child neither sends them nor reports them)."""

    async def main() -> int:
        client = AsyncBento(publishable_key="p", secret_key="s", site_uuid="u")
        queue = client.events.queue(interval=60, on_error=lambda events, error: None)
        for i in range(5):
            queue.track(f"u{i}@example.com", "signup")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # fork with threads (3.12+)
            pid = os.fork()
        if pid == 0:  # pragma: no cover - runs in the child
            stats = queue.stats
            os._exit(0 if stats.queued == 0 and stats.tracked == 0 else 3)
        _, status = os.waitpid(pid, 0)  # noqa: ASYNC222 - the child exits at once
        assert queue.stats.queued == 5
        await queue.close(timeout=0)
        await client.aclose()
        return os.waitstatus_to_exitcode(status)

    assert asyncio.run(main()) == 0


def test_at_exit_a_queue_whose_loop_stopped_reports_its_events() -> None:
    """At exit, events of a queue whose event loop no longer runs go to on_error."""
    script = textwrap.dedent(
        """
        import asyncio
        from bento_async import AsyncBento

        def report(events, error):
            print("reported", len(events), type(error).__name__, flush=True)

        async def main():
            client = AsyncBento(publishable_key="p", secret_key="s", site_uuid="u")
            queue = client.events.queue(interval=60, on_error=report)
            queue.track("a@example.com", "signup")
            return queue

        loop = asyncio.new_event_loop()
        queue = loop.run_until_complete(main())  # the loop stops; the event waits
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "reported 1 UndeliveredError" in done.stdout
