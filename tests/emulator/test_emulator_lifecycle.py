"""BentoEmulator lifecycle: async and threaded serving, identity, reset."""

from __future__ import annotations

import base64
import json
import re
import threading
import urllib.error
import urllib.request

import aiohttp
import pytest

import bento_emulator
from bento_emulator import BentoEmulator


def sync_request(emulator, method, path, body=None, user_agent="sync-tests/1.0"):
    """Call the emulator with urllib and return (status, content type, body text)."""
    token = base64.b64encode(f"{emulator.publishable_key}:{emulator.secret_key}".encode())
    headers = {"Authorization": "Basic " + token.decode(), "Content-Type": "application/json"}
    if user_agent is not None:
        headers["User-Agent"] = user_agent
    data = None if body is None else json.dumps(body).encode()
    url = f"{emulator.base_url}/{path}?site_uuid={emulator.site_uuid}"
    request = urllib.request.Request(url, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers.get_content_type(), response.read().decode()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.headers.get_content_type(), error.read().decode()


def emulator_threads():
    """Return the live server threads."""
    return [t for t in threading.enumerate() if t.name == "bento-emulator"]


def test_identity_is_random_unless_given():
    """Keys and site uuid are generated in the documented shapes, or taken as given."""
    one, two = BentoEmulator(), BentoEmulator()
    assert re.fullmatch(r"[0-9a-f]{32}", one.site_uuid)
    assert re.fullmatch(r"pk_test_[0-9a-f]{32}", one.publishable_key)
    assert re.fullmatch(r"sk_test_[0-9a-f]{32}", one.secret_key)
    assert (one.site_uuid, one.secret_key) != (two.site_uuid, two.secret_key)
    given = BentoEmulator(site_uuid="s" * 32, publishable_key="pk", secret_key="sk")
    assert (given.site_uuid, given.publishable_key, given.secret_key) == ("s" * 32, "pk", "sk")


def test_address_is_unknown_before_start():
    """port and base_url raise until the emulator runs."""
    emulator = BentoEmulator()
    with pytest.raises(RuntimeError, match="not running"):
        _ = emulator.base_url
    assert "stopped" in repr(emulator)


@pytest.mark.anyio
async def test_async_serving_and_credentials():
    """`async with` serves on the test loop; credentials carry everything a client needs."""
    async with BentoEmulator() as emulator:
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/api/v1", emulator.base_url)
        assert emulator.port > 0
        assert emulator.credentials == {
            "publishable_key": emulator.publishable_key,
            "secret_key": emulator.secret_key,
            "site_uuid": emulator.site_uuid,
            "base_url": emulator.base_url,
        }
        url = emulator.base_url + "/fetch/tags"
        async with aiohttp.ClientSession() as session, session.get(url) as response:
            assert response.status == 401
        with pytest.raises(RuntimeError, match="already running"):
            await emulator.start()
    with pytest.raises(RuntimeError):
        _ = emulator.port
    await emulator.stop()  # stopping twice is harmless


@pytest.mark.anyio
async def test_async_restart_after_stop():
    """An emulator can be started again after it stopped, keeping its data."""
    emulator = BentoEmulator()
    async with emulator:
        emulator.state.find_or_create_subscriber("a@example.com")
    async with emulator:
        assert emulator.state.subscriber_by_email("a@example.com") is not None


def test_threaded_serving_from_sync_code():
    """`with` serves from a thread that sync code can call, and joins it on exit."""
    with BentoEmulator() as emulator:
        assert len(emulator_threads()) == 1
        body = {"subscriber": {"email": "sync@example.com"}}
        status, content_type, text = sync_request(emulator, "POST", "fetch/subscribers", body)
        assert (status, content_type) == (201, "application/json")
        assert json.loads(text)["data"]["attributes"]["email"] == "sync@example.com"
        assert emulator.state.subscriber_by_email("sync@example.com") is not None
    assert emulator_threads() == []


def test_threaded_403_is_html():
    """Without a User-Agent the threaded server answers the HTML block page too."""
    with BentoEmulator() as emulator:
        request = urllib.request.Request(emulator.base_url + "/fetch/tags")
        request.add_header("User-Agent", "")
        with pytest.raises(urllib.error.HTTPError) as caught:
            urllib.request.urlopen(request, timeout=10)
        with caught.value as error:
            assert error.code == 403
            assert error.headers.get_content_type() == "text/html"
            assert "Attention Required" in error.read().decode()


def test_threaded_start_stop_is_explicit_and_idempotent():
    """start_in_thread twice fails; stop_in_thread twice is harmless and leaves no thread."""
    emulator = BentoEmulator()
    emulator.start_in_thread()
    try:
        with pytest.raises(RuntimeError, match="already running"):
            emulator.start_in_thread()
    finally:
        emulator.stop_in_thread()
    emulator.stop_in_thread()
    assert emulator_threads() == []


@pytest.mark.anyio
async def test_threaded_emulator_refuses_an_async_stop():
    """An emulator serving from its thread must be stopped with stop_in_thread."""
    with BentoEmulator() as emulator:
        with pytest.raises(RuntimeError, match="stop_in_thread"):
            await emulator.stop()
        assert emulator.port > 0
    assert emulator_threads() == []


def test_failed_threaded_start_leaves_no_thread():
    """When the port is taken, start_in_thread raises and cleans its thread up."""
    with BentoEmulator() as first:
        second = BentoEmulator(port=first.port)
        with pytest.raises(OSError, match=r"(?i)in use"):
            second.start_in_thread()
    assert emulator_threads() == []


def test_reset_clears_state_and_log():
    """reset() forgets the data, the request log and the id sequences."""
    with BentoEmulator() as emulator:
        sync_request(emulator, "POST", "fetch/tags", {"tag": {"name": "a"}})
        assert emulator.requests
        emulator.reset()
        assert (emulator.state.tags, emulator.requests) == ([], [])
        status, _, text = sync_request(emulator, "POST", "fetch/tags", {"tag": {"name": "b"}})
        assert (status, json.loads(text)["data"]["id"]) == (201, "1")


def test_state_can_be_read_while_the_server_writes():
    """Reading state from the test thread while the server thread imports is safe."""
    subscribers = [{"email": f"{n}@example.com", "tags": f"t{n % 7}"} for n in range(1000)]
    with BentoEmulator() as emulator:
        worker = threading.Thread(
            target=sync_request,
            args=(emulator, "POST", "batch/subscribers", {"subscribers": subscribers}),
        )
        worker.start()
        seen = 0
        while worker.is_alive():
            seen = max(seen, len(emulator.state.subscribers))
            for subscriber in emulator.state.subscribers[-5:]:
                emulator.state.tag_names_of(subscriber)
        worker.join()
        assert len(emulator.state.subscribers) == 1000


def test_public_names_are_sorted_and_exported():
    """`__all__` is sorted and every name in it is importable."""
    names = bento_emulator.__all__
    assert names == sorted(names)
    assert {"BentoEmulator", "EmulatorState", "RecordedRequest"} <= set(names)
    for name in names:
        assert getattr(bento_emulator, name).__name__ == name
