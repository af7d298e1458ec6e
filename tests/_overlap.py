"""Make a sync client's calls overlap for sure, so its loop thread starts."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from bento_emulator import BentoEmulator
from bento_sync import Bento


def overlapping_calls(bento: Bento, emulator: BentoEmulator, began: threading.Event) -> None:
    """Run two calls of ``bento`` that overlap and end in order, starting its loop thread.

    ``began`` must be set by the client's ``on_request`` hook. A first call (on another
    thread, which then drives the loop) is held 0.3 s by the emulator; a second, made
    once the first is sent, is run by that driver and held 0.6 s, so it is still in flight
    when the first ends and the driver hands the loop to the client's loop thread.
    """
    emulator.faults.stall(0.3, path="fetch/tags")
    emulator.faults.stall(0.6, path="fetch/fields")
    with ThreadPoolExecutor(1) as pool:
        first = pool.submit(lambda: bento.tags.list())
        assert began.wait(5)
        assert bento.fields.list() == []
        assert first.result(timeout=10) == []
