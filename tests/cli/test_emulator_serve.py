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
from typing import Any

from conftest import Serve

from bento_cli._emulator import _KINDS
from bento_emulator._faults import FAULT_KINDS

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
    lines = [proc.stdout.readline() for _ in range(9)]
    proc.send_signal(signal.SIGTERM)
    proc.communicate(timeout=30)
    assert proc.returncode == 0
    assert lines[0].startswith("Bento emulator serving at http://127.0.0.1:")
    assert lines[6] == "Allowed authors (batch/emails from): jesse@example.com\n"
    assert lines[7].startswith("Control API (state, request log, reset, faults): http://")
    assert lines[7].rstrip().endswith("/_emulator")
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


def _post(settings: dict[str, Any], path: str, body: dict[str, Any]) -> tuple[int, Any]:
    auth = base64.b64encode(
        f"{settings['publishable_key']}:{settings['secret_key']}".encode()
    ).decode()
    request = urllib.request.Request(
        f"{settings['base_url']}/{path}",
        data=json.dumps({"site_uuid": settings["site_uuid"], **body}).encode(),
        headers={
            "Authorization": f"Basic {auth}",
            "User-Agent": "any-language/1.0",
            "Content-Type": "application/json",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status), json.load(response)
    except urllib.error.HTTPError as exc:
        with exc:
            return int(exc.code), json.load(exc)


def test_serve_flags_configure_the_site(serve: Serve, tmp_path: Path) -> None:
    """--author, --enterprise, --author-error-status and --fixtures reach the served site,
    and --json reports them with the control API's URL."""
    fixtures = tmp_path / "fixtures.json"
    fixtures.write_text(json.dumps({"segments": [{"id": "7", "name": "VIP", "tags": ["vip"]}]}))
    args = ("--author", "a@acme.test", "--author", "b@acme.test", "--enterprise")
    with serve(*args, "--author-error-status", "422", "--fixtures", str(fixtures)) as served:
        settings = served.settings
        email = {"to": "x@example.com", "subject": "Hi", "html_body": "<p>Hi</p>"}
        sent = _post(settings, "batch/emails", {"emails": [{**email, "from": "b@acme.test"}]})
        refused = _post(settings, "batch/emails", {"emails": [{**email, "from": "c@acme.test"}]})
        segments = served.control("GET", "/state/segments")
        outbox = served.control("GET", "/state/outbox")
    assert settings["authors"] == ["a@acme.test", "b@acme.test"]
    assert (settings["enterprise"], settings["commands_response"]) == (True, "current")
    assert settings["control_url"].endswith("/_emulator")
    assert settings["user_agent_policy"] == "warn"
    assert sent == (200, {"results": 1, "failed": 0})
    assert refused[0] == 422
    assert [s["name"] for s in segments] == ["VIP"]
    assert [m["from"] for m in outbox] == ["b@acme.test"]


def test_bad_fixtures_are_a_usage_error(tmp_path: Path) -> None:
    """A fixtures file the emulator cannot load stops serve with exit 2, naming the item."""
    fixtures = tmp_path / "fixtures.json"
    fixtures.write_text(json.dumps({"tags": [""]}))
    proc = subprocess.run(
        [str(BENTO), "emulator", "serve", "--port", "0", "--fixtures", str(fixtures)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 2
    assert "--fixtures: tags[0]: expected a non-empty string" in proc.stderr


def test_the_help_lists_every_fault_kind() -> None:
    """The --faults help, written without importing the emulator, names its fault kinds."""
    assert ", ".join(FAULT_KINDS) == _KINDS


def test_serve_import_delay_holds_imports_back(serve: Serve) -> None:
    """With --import-delay an accepted import is not yet visible to fetch/subscribers."""
    with serve("--import-delay", "30") as served:
        settings = served.settings
        imported = _post(settings, "batch/subscribers", {"subscribers": [{"email": "l@x.test"}]})
        auth = base64.b64encode(
            f"{settings['publishable_key']}:{settings['secret_key']}".encode()
        ).decode()
        fetch = urllib.request.Request(
            f"{settings['base_url']}/fetch/subscribers"
            f"?site_uuid={settings['site_uuid']}&email=l@x.test",
            headers={"Authorization": f"Basic {auth}", "User-Agent": "any-language/1.0"},
        )
        with urllib.request.urlopen(fetch, timeout=10) as response:
            found = json.load(response)
    assert imported == (200, {"results": 1, "failed": 0})
    assert found == {"data": None}
