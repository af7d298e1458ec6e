"""The pytest plugin's fixtures, exercised in a nested pytest run."""

from __future__ import annotations

pytest_plugins = ["pytester"]

# Load the plugin by module path whether or not the `bento` entry point is installed.
PLUGIN_ARGS = ("-p", "no:bento", "-p", "bento_emulator.pytest_plugin")

TESTS = """
import base64, json, threading, urllib.request

import aiohttp
import pytest


def auth(creds):
    '''Build the request headers.'''
    token = base64.b64encode(f"{creds['publishable_key']}:{creds['secret_key']}".encode())
    return {"Authorization": "Basic " + token.decode(), "User-Agent": "plugin-test/1"}


def test_sync(bento_emulator, bento_credentials):
    '''The fixtures serve sync code.'''
    assert bento_credentials == bento_emulator.credentials
    url = f"{bento_credentials['base_url']}/fetch/tags?site_uuid={bento_credentials['site_uuid']}"
    request = urllib.request.Request(url, headers=auth(bento_credentials))
    with urllib.request.urlopen(request, timeout=10) as response:
        assert json.loads(response.read()) == {"data": []}
    assert [r.status for r in bento_emulator.requests] == [200]


@pytest.mark.anyio
async def test_async(bento_emulator, bento_credentials):
    '''The fixtures serve async code on the test loop.'''
    url = f"{bento_credentials['base_url']}/batch/subscribers"
    body = {"site_uuid": bento_credentials["site_uuid"], "subscribers": [{"email": "a@b.co"}]}
    async with aiohttp.ClientSession() as session:
        async with session.post(url, json=body, headers=auth(bento_credentials)) as response:
            assert await response.json() == {"results": 1, "failed": 0}
    assert bento_emulator.state.subscriber_by_email("a@b.co") is not None


def test_fresh_per_test(bento_emulator):
    '''Each test gets an empty emulator.'''
    assert bento_emulator.state.subscribers == []
    assert bento_emulator.requests == []


def test_no_thread_left():
    '''The previous tests' server threads are gone.'''
    assert not [t for t in threading.enumerate() if t.name == "bento-emulator"]
"""


def test_fixtures_serve_sync_and_async_tests(pytester):
    """bento_emulator and bento_credentials work in sync and async tests, fresh each time."""
    pytester.makeconftest(
        "import pytest\n\n@pytest.fixture\ndef anyio_backend():\n    return 'asyncio'\n"
    )
    pytester.makepyfile(TESTS)
    result = pytester.runpytest_inprocess(*PLUGIN_ARGS, "-W", "error")
    result.assert_outcomes(passed=4)
