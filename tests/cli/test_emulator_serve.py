"""`bento emulator serve` as a real process: prints its settings, serves HTTP, stops on Ctrl-C."""

from __future__ import annotations

import base64
import json
import os
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

BENTO = Path(sys.executable).with_name("bento")


def _serve(*args: str) -> tuple[subprocess.Popen[str], dict[str, str]]:
    proc = subprocess.Popen(
        [str(BENTO), "emulator", "serve", "--port", "0", "--json", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    settings = json.loads(proc.stdout.readline())
    return proc, settings


def test_serve_prints_settings_that_other_clients_use_then_stops_on_ctrl_c() -> None:
    """The printed URL and keys work for the CLI and for plain HTTP; SIGINT ends it with 0."""
    assert BENTO.exists(), "the bento console script is installed with the package"
    proc, settings = _serve("--profile", "none", "--site-uuid", "site-1")
    try:
        assert settings["site_uuid"] == "site-1"
        env = {
            **os.environ,
            "BENTO_BASE_URL": settings["base_url"],
            "BENTO_PUBLISHABLE_KEY": settings["publishable_key"],
            "BENTO_SECRET_KEY": settings["secret_key"],
            "BENTO_SITE_UUID": settings["site_uuid"],
        }
        made = subprocess.run(
            [str(BENTO), "tags", "create", "from-cli"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert made.returncode == 0, made.stderr
        auth = base64.b64encode(
            f"{settings['publishable_key']}:{settings['secret_key']}".encode()
        ).decode()
        request = urllib.request.Request(
            f"{settings['base_url']}/fetch/tags?site_uuid=site-1",
            headers={"Authorization": f"Basic {auth}", "User-Agent": "any-language/1.0"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            names = [t["attributes"]["name"] for t in json.load(response)["data"]]
        assert names == ["from-cli"]
    finally:
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0
    assert "Emulator stopped." in err


def test_serve_without_json_prints_export_lines() -> None:
    """The human form prints the base URL and one export line per setting; SIGTERM stops it."""
    proc = subprocess.Popen(
        [str(BENTO), "emulator", "serve", "--port", "0", "--profile", "none"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    lines = [proc.stdout.readline() for _ in range(7)]
    proc.send_signal(signal.SIGTERM)
    proc.communicate(timeout=30)
    assert proc.returncode == 0
    assert lines[0].startswith("Bento emulator serving at http://127.0.0.1:")
    exports = [line.split()[1].split("=")[0] for line in lines if "export" in line]
    assert exports == [
        "BENTO_BASE_URL",
        "BENTO_PUBLISHABLE_KEY",
        "BENTO_SECRET_KEY",
        "BENTO_SITE_UUID",
    ]


def test_bad_fault_spec_is_a_usage_error() -> None:
    """A --faults part that is not key=value is refused with exit 2 before serving."""
    proc = subprocess.run(
        [str(BENTO), "emulator", "serve", "--faults", "fraction=0.1,oops"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 2
    assert "'oops' is not key=value" in proc.stderr


def _get_tags(settings: dict[str, str]) -> int:
    auth = base64.b64encode(
        f"{settings['publishable_key']}:{settings['secret_key']}".encode()
    ).decode()
    request = urllib.request.Request(
        f"{settings['base_url']}/fetch/tags?site_uuid={settings['site_uuid']}",
        headers={"Authorization": f"Basic {auth}", "User-Agent": "any-language/1.0"},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        exc.close()
        return int(exc.code)


def test_serve_with_scripted_faults_and_a_profile() -> None:
    """--faults fails exactly the scripted requests; --profile docs refuses the 101st fetch."""
    proc, settings = _serve("--profile", "docs", "--faults", "next=2,status=503")
    try:
        assert settings["profile"] == "docs"
        statuses = [_get_tags(settings) for _ in range(101)]
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=30)
    assert statuses[:2] == [503, 503]
    assert set(statuses[2:100]) == {200}
    assert statuses[100] == 429


def test_serve_rejects_an_unknown_fault_kind() -> None:
    """An unknown fault kind is a usage error naming the kinds, before anything serves."""
    proc = subprocess.run(
        [str(BENTO), "emulator", "serve", "--port", "0", "--faults", "kind=explode,times=1"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 2
    assert "fail_fraction" in proc.stderr


def test_serve_import_delay_holds_imports_back() -> None:
    """With --import-delay an accepted import is not yet visible to fetch/subscribers."""
    proc, settings = _serve("--profile", "none", "--import-delay", "30")
    try:
        auth = base64.b64encode(
            f"{settings['publishable_key']}:{settings['secret_key']}".encode()
        ).decode()
        headers = {
            "Authorization": f"Basic {auth}",
            "User-Agent": "any-language/1.0",
            "Content-Type": "application/json",
        }
        query = f"site_uuid={settings['site_uuid']}"
        body = json.dumps({"subscribers": [{"email": "late@example.com"}]}).encode()
        imported = urllib.request.Request(
            f"{settings['base_url']}/batch/subscribers?{query}", data=body, headers=headers
        )
        with urllib.request.urlopen(imported, timeout=10) as response:
            assert json.load(response)["results"] == 1
        fetch = urllib.request.Request(
            f"{settings['base_url']}/fetch/subscribers?{query}&email=late@example.com",
            headers=headers,
        )
        with urllib.request.urlopen(fetch, timeout=10) as response:
            assert json.load(response) == {"data": None}
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=30)
