"""The baselines: what a user would write without the SDK, doing the same work as the SDK.

Each sends the same request the SDK sends (same URL, query, Basic auth and User-Agent)
and decodes the JSON body, because a user needs the data, not just the bytes.
"""

from __future__ import annotations

from typing import Any

import aiohttp
import orjson
import requests

from bento_async import AsyncBento, RateLimits
from bento_async._config import ClientConfig
from bento_async._http import basic_auth_header
from bento_async.models import Subscriber

from ._server import ServerInfo

__all__ = [
    "RawAiohttp",
    "RawRequests",
    "check_subscriber",
    "headers_for",
    "our_async_client",
    "subscriber_url",
]


def headers_for(info: ServerInfo) -> dict[str, str]:
    """Return the headers the SDK sends: Basic auth, its User-Agent, Accept."""
    config = ClientConfig.resolve(**info["credentials"])
    return {
        "Authorization": basic_auth_header(config.publishable_key, config.secret_key).reveal(),
        "User-Agent": config.user_agent,
        "Accept": "application/json",
    }


def subscriber_url(info: ServerInfo) -> tuple[str, dict[str, str]]:
    """Return the subscriber lookup's URL and query, as the SDK builds them."""
    params = {"email": info["email"], "site_uuid": info["credentials"]["site_uuid"]}
    return info["base_url"] + "/fetch/subscribers", params


def check_subscriber(found: object, email: str) -> None:
    """Raise RuntimeError unless ``found`` is the subscriber (the minimal server checks nothing)."""
    if not isinstance(found, Subscriber) or found.email != email:
        raise RuntimeError(f"expected the subscriber {email}, got {found!r}")


def our_async_client(info: ServerInfo) -> AsyncBento:
    """Return an AsyncBento on the server with client-side limits off."""
    return AsyncBento(**info["credentials"], rate_limits=RateLimits.off())


class RawAiohttp:
    """One aiohttp session fetching the subscriber and decoding its JSON."""

    def __init__(self, info: ServerInfo) -> None:
        self._url, self._params = subscriber_url(info)
        self._session = aiohttp.ClientSession(headers=headers_for(info))

    async def get(self) -> Any:
        """Fetch the subscriber; return the body decoded by orjson, as the SDK decodes it."""
        async with self._session.get(self._url, params=self._params) as resp:
            resp.raise_for_status()
            return orjson.loads(await resp.read())

    async def aclose(self) -> None:
        """Close the session."""
        await self._session.close()


class RawRequests:
    """One ``requests.Session`` (what the official Bento Python SDK sends with) doing the same."""

    def __init__(self, info: ServerInfo) -> None:
        self._url, self._params = subscriber_url(info)
        self._session = requests.Session()
        self._session.headers.update(headers_for(info))

    def get(self) -> Any:
        """Fetch the subscriber; return the decoded body."""
        resp = self._session.get(self._url, params=self._params)
        resp.raise_for_status()
        return resp.json()

    def close(self) -> None:
        """Close the session."""
        self._session.close()
