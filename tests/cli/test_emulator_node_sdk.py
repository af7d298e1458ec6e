"""The official Node SDK (`@bentonow/bento-node-sdk`, pinned) against `bento emulator serve`.

npm installs the SDK once per test session into a temporary directory; the test is skipped
only where node or npm is missing. The script (`node/bento_node_sdk.mjs`) covers
subscribers, tags, fields, commands, batch imports, events, a transactional email from a
configured author, broadcasts, templates, stats and experimental calls; the state it leaves
is checked through the control API.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from conftest import Serve

SCRIPT = Path(__file__).with_name("node") / "bento_node_sdk.mjs"
AUTHOR = "support@acme.test"
FIXTURES = {
    "sequences": [{"name": "Onboarding", "emails": ["Welcome"]}],
    "workflows": [{"name": "Win-back"}],
    "segments": [{"id": "7", "name": "Customers", "tags": ["customer"]}],
    "form_responses": [{"form_id": "contact", "email": "ann@example.com"}],
    "reports": [{"id": "42", "data": 12}],
}


def test_the_official_node_sdk_works_against_serve(
    serve: Serve, node_sdk: Path, tmp_path: Path
) -> None:
    """Every call the script makes is answered and parsed as Node expects; the control API
    shows the subscribers, events, purchase, outbox and template it left, nothing refused."""
    fixtures = tmp_path / "fixtures.json"
    fixtures.write_text(json.dumps(FIXTURES))
    with serve("--author", AUTHOR, "--fixtures", str(fixtures)) as served:
        settings = served.settings
        env = {
            **os.environ,
            "BENTO_BASE_URL": settings["base_url"],
            "BENTO_PUBLISHABLE_KEY": settings["publishable_key"],
            "BENTO_SECRET_KEY": settings["secret_key"],
            "BENTO_SITE_UUID": settings["site_uuid"],
            "BENTO_AUTHOR": AUTHOR,
        }
        ran = subprocess.run(
            ["node", SCRIPT.name],
            cwd=node_sdk,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert ran.returncode == 0, ran.stderr
        state = served.control("GET", "/state")
        log = served.control("GET", "/requests")
    out = json.loads(ran.stdout)
    assert out["created"] == "ann@example.com"
    assert (out["tag"], out["tags"], out["field"]) == ("customer", ["customer"], "plan")
    assert [out[k] for k in ("addTag", "addField", "removeTag", "unsubscribe")] == [1, 1, 1, 1]
    assert (out["imported"], out["events"], out["tracked"], out["purchase"]) == (2, 2, True, True)
    assert out["found"] == {"plan": "pro", "source": "node"}
    assert (out["sent"], out["broadcast"]) == (1, [1, 0])
    assert (out["template"], out["updated"]) == ("We launched", "Launched!")
    assert out["siteStats"] == {"user_count": 4, "subscriber_count": 3, "unsubscriber_count": 1}
    assert (out["report"], out["valid"], out["gender"]) == (12, True, "male")
    assert (out["sequences"], out["workflows"], out["responses"]) == (
        ["Onboarding"],
        ["Win-back"],
        1,
    )

    by_email = {s["email"]: s for s in state["subscribers"]}
    assert sorted(by_email) == [
        "ann@example.com",
        "bo@example.com",
        "cy@example.com",
        "di@example.com",
    ]
    assert by_email["ann@example.com"]["tags"] == []  # removeTag took "lead" off again
    assert [t["name"] for t in state["tags"]] == ["customer", "lead", "vip"]
    assert by_email["bo@example.com"]["unsubscribed_at"] is not None
    assert by_email["cy@example.com"]["tags"] == ["vip"]
    login = next(e for e in state["events"] if e["type"] == "$login")
    assert login["date"] == "2023-11-29T19:31:49Z"
    assert [(p["key"], p["amount"]) for p in state["purchases"]] == [("order-1", 8000)]
    assert [(m["from"], m["to"], m["subject"]) for m in state["outbox"]] == [
        (AUTHOR, "ann@example.com", "Welcome")
    ]
    assert [b["name"] for b in state["broadcasts"]] == ["Launch"]
    assert "Launched!" in [t["subject"] for t in state["templates"]]
    assert len(log) == 28
    assert {entry["status"] for entry in log} <= {200, 201}
    assert [entry for entry in log if entry["refusals"] or entry["warnings"]] == []
    assert all(entry["headers"]["user-agent"].startswith("bento-node-") for entry in log)
