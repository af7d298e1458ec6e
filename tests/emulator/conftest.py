"""Fixtures for the emulator's own tests: an emulator on the test's loop and a raw HTTP caller."""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator, Mapping
from typing import Any, Literal

import aiohttp
import attrs
import pytest

from bento_emulator import BentoEmulator

USER_AGENT = "bento-emulator-tests/1.0"
_NO_BODY = object()


@attrs.frozen
class Answer:
    """A response, read: status, content type, and the JSON body (or the text when not JSON)."""

    status: int
    content_type: str
    body: Any


class Api:
    """Sends raw requests to an emulator, with valid credentials unless told otherwise."""

    def __init__(self, session: aiohttp.ClientSession, emulator: BentoEmulator) -> None:
        self.session = session
        self.emulator = emulator

    @staticmethod
    def basic_auth(user: str, password: str) -> str:
        """Build a Basic Authorization header value (aiohttp.BasicAuth is deprecated)."""
        return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()

    async def call(
        self,
        method: str,
        path: str,
        body: Any = _NO_BODY,
        *,
        query: Mapping[str, str] | None = None,
        site_uuid_in: Literal["query", "body"] | None = "query",
        headers: Mapping[str, str | None] | None = None,
        data: str | None = None,
    ) -> Answer:
        """Send a request to `base_url/path`.

        `site_uuid_in` puts the site uuid in the query, the JSON body or nowhere; a header
        given as None is not sent; `data` is a raw body used when `body` is not given.
        """
        params = dict(query or {})
        if site_uuid_in == "query":
            params["site_uuid"] = self.emulator.site_uuid
        elif site_uuid_in == "body" and isinstance(body, dict):
            body = {**body, "site_uuid": self.emulator.site_uuid}
        emulator = self.emulator
        merged = {
            "Authorization": self.basic_auth(emulator.publishable_key, emulator.secret_key),
            "User-Agent": USER_AGENT,
            "Content-Type": "application/json",
            **(headers or {}),
        }
        sent = {name: value for name, value in merged.items() if value is not None}
        if body is not _NO_BODY:
            data = json.dumps(body)
        url = f"{self.emulator.base_url}/{path}"
        async with self.session.request(
            method, url, params=params, data=data, headers=sent
        ) as response:
            text = await response.text()
            try:
                parsed: Any = json.loads(text)
            except ValueError:
                parsed = text
            return Answer(response.status, response.content_type, parsed)

    async def get(self, path: str, **query: str) -> Answer:
        """GET with query parameters."""
        return await self.call("GET", path, query=query)

    async def post(self, path: str, body: Any) -> Answer:
        """POST a JSON body."""
        return await self.call("POST", path, body)


@pytest.fixture
async def emu() -> AsyncIterator[BentoEmulator]:
    """An emulator serving on the test's event loop."""
    async with BentoEmulator() as emulator:
        yield emulator


@pytest.fixture
async def api(emu: BentoEmulator) -> AsyncIterator[Api]:
    """A raw HTTP caller for `emu`; the session sends only the headers it is given."""
    async with aiohttp.ClientSession(skip_auto_headers=["User-Agent"]) as session:
        yield Api(session, emu)
