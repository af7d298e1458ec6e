"""Deterministic faults for the bulk tests, injected by an emulator middleware.

The emulator serves as usual over a real socket; the middleware (installed
through `create_app(extra=...)`) fails or slows chosen requests first.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence

import attrs
import pytest
from aiohttp import web
from aiohttp.typedefs import Handler

from bento_emulator import _emulator
from bento_emulator._app import create_app, current_exchange


@attrs.define
class Faults:
    """What to break: batch posts holding a poisoned email, lookups of failing emails."""

    poisoned: set[str] = attrs.Factory(set)  # a batch post holding one answers 500
    failing: set[str] = attrs.Factory(set)  # a lookup of one answers 503
    slow: Mapping[str, float] = attrs.Factory(dict)  # extra seconds for a lookup of one
    batch_delay: float = 0.0  # seconds every batch post takes
    lookup_delay: float = 0.0  # seconds every lookup takes
    in_flight: int = 0
    max_in_flight: int = 0
    lookups: int = 0

    def _poisoned(self, body: object) -> bool:
        if not isinstance(body, dict):
            return False
        return any(
            isinstance(item, dict) and item.get("email") in self.poisoned
            for items in body.values()
            if isinstance(items, list)
            for item in items
        )

    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """Apply the faults, then let the emulator answer."""
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            if request.method == "POST" and "/batch/" in request.path:
                await asyncio.sleep(self.batch_delay)
                if self._poisoned(current_exchange().body):
                    return web.json_response({"error": "injected failure"}, status=500)
            if request.method == "GET" and request.path.endswith("/fetch/subscribers"):
                self.lookups += 1
                email = request.query.get("email", "")
                await asyncio.sleep(self.lookup_delay + self.slow.get(email, 0.0))
                if email in self.failing:
                    return web.json_response({"error": "injected failure"}, status=503)
            return await handler(request)
        finally:
            self.in_flight -= 1


def install(monkeypatch: pytest.MonkeyPatch) -> Faults:
    """Make emulators started from now on apply a new Faults, and return it."""
    faults = Faults()

    def create_app_with_faults(
        *args: object, extra: Sequence[object] = (), **kwargs: object
    ) -> web.Application:
        # After the emulator's own middlewares (rate limits, scripted faults).
        return create_app(*args, extra=[*extra, faults.middleware], **kwargs)  # type: ignore[arg-type, list-item]

    monkeypatch.setattr(_emulator, "create_app", create_app_with_faults)
    return faults
