"""The README's Starlette lifespan pattern, served by uvicorn on loopback, under concurrent
requests against the emulator."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

import aiohttp
import pytest

uvicorn = pytest.importorskip("uvicorn")
pytest.importorskip("starlette")

from bento_emulator import BentoEmulator  # noqa: E402

pytestmark = pytest.mark.anyio

README = Path(__file__).resolve().parents[2] / "README.md"
REQUESTS = 40


def _readme_app() -> Any:
    """Run the README's Starlette example and return its ``app``."""
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), re.S)
    [block] = [b for b in blocks if "Starlette(" in b]
    namespace: dict[str, Any] = {"__name__": "readme_starlette"}
    exec(compile(block, "README.md[starlette]", "exec"), namespace)
    return namespace["app"]


async def test_lifespan_app_serves_concurrent_requests(
    emulator: BentoEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One AsyncBento per app serves 40 concurrent requests; at shutdown the client closes
    and its queue's events are delivered."""
    emulator.rate_limits = None
    emulator.faults.latency(0.5, path="fetch/subscribers")
    for name, value in emulator.credentials.items():
        monkeypatch.setenv(f"BENTO_{name.upper()}", value)
    app = _readme_app()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=0, lifespan="on", log_level="warning", ws="none"
    )
    server = uvicorn.Server(config)
    serving = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110 - uvicorn offers no event to wait on
        await asyncio.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        async with aiohttp.ClientSession() as session:

            async def signup(i: int) -> str:
                url = f"http://127.0.0.1:{port}/signup/user{i}@example.com"
                async with session.post(url) as response:
                    assert response.status == 200
                    return str((await response.json())["uuid"])

            uuids = await asyncio.gather(*(signup(i) for i in range(REQUESTS)))
    finally:
        server.should_exit = True
        await serving
    assert len(set(uuids)) == REQUESTS
    assert len(emulator.state.subscribers) == REQUESTS
    tracked = sorted(e.email for e in emulator.state.events)
    assert tracked == sorted(f"user{i}@example.com" for i in range(REQUESTS))
    arrivals = sorted(r.received_at for r in emulator.requests if r.path.endswith("subscribers"))
    assert len(arrivals) == REQUESTS
    # Each create is held 0.5 s: requests that arrive within 0.5 s of the first overlapped.
    assert sum(1 for t in arrivals if t < arrivals[0] + 0.5) >= 5
