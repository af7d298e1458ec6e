"""How commands fail: missing or bad credentials, an unreachable API; keys never shown."""

from __future__ import annotations

import socket
from collections.abc import Callable

import pytest
from click.testing import Result

from bento_emulator import BentoEmulator

Run = Callable[..., Result]
NoKeys = Callable[[Result, BentoEmulator], None]


def test_missing_credentials_name_the_variables(no_credentials: None, bento: Run) -> None:
    """Exit 2 with one line naming every variable (and flag) to set."""
    result = bento("tags", "list")
    assert result.exit_code == 2
    line = result.stderr.strip()
    assert "\n" not in line
    for name in ("BENTO_PUBLISHABLE_KEY", "BENTO_SECRET_KEY", "BENTO_SITE_UUID", "--secret-key"):
        assert name in line


def test_bad_credentials_say_which_settings_to_check(
    bento_env: BentoEmulator, monkeypatch: pytest.MonkeyPatch, bento: Run, assert_no_keys: NoKeys
) -> None:
    """A wrong secret key gives exit 1 and one line naming the settings; no key is printed."""
    monkeypatch.setenv("BENTO_SECRET_KEY", "sk_wrong_0123456789abcdef")
    result = bento("tags", "list")
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "bento: authentication failed (401): check BENTO_PUBLISHABLE_KEY / BENTO_SECRET_KEY "
        "/ BENTO_SITE_UUID"
    )
    assert "sk_wrong_0123456789abcdef" not in result.output
    assert_no_keys(result, bento_env)


def test_verbose_logs_requests_but_never_keys(
    bento_env: BentoEmulator, bento: Run, assert_no_keys: NoKeys
) -> None:
    """-v logs each request and its status to stderr; neither key appears in the log."""
    result = bento("-v", "tags", "list", "--publishable-key", "pk_flag_secret_value_7")
    assert result.exit_code == 1
    assert "bento GET fetch/tags -> 401" in result.stderr
    assert "pk_flag_secret_value_7" not in result.output
    assert_no_keys(result, bento_env)
    quiet = bento("tags", "list")
    assert "fetch/tags" not in quiet.stderr


def test_bad_key_given_as_a_flag_is_not_echoed(bento_env: BentoEmulator, bento: Run) -> None:
    """A key passed with --secret-key is never repeated back, even when it is rejected."""
    result = bento("fields", "list", "--secret-key", "sk_flag_secret_value_42")
    assert result.exit_code == 1
    assert "authentication failed" in result.stderr
    assert "sk_flag_secret_value_42" not in result.output


def test_unreachable_api_names_the_base_url_setting(
    bento_env: BentoEmulator, monkeypatch: pytest.MonkeyPatch, bento: Run, assert_no_keys: NoKeys
) -> None:
    """A base URL where nothing listens gives one line pointing at BENTO_BASE_URL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("BENTO_BASE_URL", f"http://127.0.0.1:{port}/api/v1")
    result = bento("tags", "list", "--rate-limits", "off")
    assert result.exit_code == 1
    assert result.stderr.startswith("bento: could not reach the API")
    assert result.stderr.strip().endswith("check BENTO_BASE_URL")
    assert_no_keys(result, bento_env)


def test_invalid_input_is_a_one_line_failure(bento_env: BentoEmulator, bento: Run) -> None:
    """A malformed address is refused before anything is sent."""
    result = bento("subscribers", "create", "not-an-email")
    assert result.exit_code == 1
    assert "not a valid email address" in result.stderr
    assert bento_env.requests == []
