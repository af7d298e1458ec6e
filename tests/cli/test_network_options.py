"""The network options of every command: --proxy, --no-trust-env, --ca-bundle, --insecure."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from _hostile import make_certificate, threaded_proxy
from click.testing import Result

from bento_emulator import BentoEmulator

Run = Callable[..., Result]


def test_proxy_flag_and_environment(
    bento_env: BentoEmulator, monkeypatch: pytest.MonkeyPatch, bento: Run
) -> None:
    """--proxy sends through the proxy; HTTP_PROXY does too unless --no-trust-env."""
    with threaded_proxy() as proxy:
        assert bento("tags", "list", "--proxy", proxy.url).exit_code == 0
        assert len(proxy.lines) == 1
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        assert bento("tags", "list").exit_code == 0
        assert len(proxy.lines) == 2
        assert bento("tags", "list", "--no-trust-env").exit_code == 0
        assert len(proxy.lines) == 2
    assert len(bento_env.requests) == 3


def test_ca_bundle_and_insecure_flags(
    bento_env: BentoEmulator, monkeypatch: pytest.MonkeyPatch, bento: Run, tmp_path: Path
) -> None:
    """--ca-bundle must name a readable file; --insecure warns on stderr and still works."""
    missing = bento("tags", "list", "--ca-bundle", str(tmp_path / "none.pem"))
    assert missing.exit_code == 2
    certificate = make_certificate(tmp_path)
    assert bento("tags", "list", "--ca-bundle", str(certificate.cert)).exit_code == 0
    with pytest.warns(UserWarning, match="NOT verified"):
        assert bento("tags", "list", "--insecure").exit_code == 0
