"""The seed guide's five Ruby scripts, replayed byte for byte against `bento emulator serve`.

Each body is what the script's `JSON.dump(...)` writes (compact, keys in source order, the
backdated `3.years.ago` as Ruby writes a Time: `"2023-11-29 19:31:49 UTC"`), sent with the
headers `Net::HTTP::Post` adds on its own (`User-Agent: Ruby`, `Accept: */*`, its
`Accept-Encoding`). Only the URL and keys differ from the guide.
"""

from __future__ import annotations

import base64
import http.client
import json
import urllib.parse
from typing import Any

from conftest import Serve, Served

JESSE = "jesse@example.com"
SCOTT = "scott@example.com"

CREATE_SUBSCRIBER = b'{"site_uuid":"%(site)s","email":"jesse@example.com"}'
ADD_TAG = (
    b'{"site_uuid":"%(site)s","command":{"command":"add_tag","email":"jesse@example.com",'
    b'"query":"example"}}'
)
ADD_CUSTOM_FIELD = (
    b'{"site_uuid":"%(site)s","email":"jesse@example.com","command":{"command":"add_field",'
    b'"email":"jesse@example.com","query":{"key":"name","value":"Jesse"}}}'
)
IMPORT_SUBSCRIBERS = (
    b'{"site_uuid":"%(site)s","subscribers":[{"email":"jesse@example.com","name":"Jesse",'
    b'"customer_id":"123","favourite_food":"onigiri"},{"email":"scott@example.com",'
    b'"name":"Scott","customer_id":"124"}]}'
)
IMPORT_EVENTS = (
    b'{"site_uuid":"%(site)s","events":['
    b'{"email":"jesse@example.com","type":"$custom_event","fields":{"first_name":"Jesse"},'
    b'"details":{"custom_stat":1000}},'
    b'{"email":"jesse@example.com","type":"$custom_event_with_no_details",'
    b'"fields":{"first_name":"Jesse","last_name":"Hanley"}},'
    b'{"email":"jesse@example.com","type":"$custom_event_with_workflow_bypass",'
    b'"details":{"bypass_workflows":"true"}},'
    b'{"email":"jesse@example.com","type":"$custom_event_with_nothing_else"},'
    b'{"email":"jesse@example.com","type":"$purchase","fields":{"first_name":"Jesse"},'
    b'"details":{"unique":{"key":"test123"},"value":{"currency":"USD","amount":8000}}},'
    b'{"email":"jesse@example.com","type":"$purchase","fields":{"first_name":"Jesse"},'
    b'"details":{"unique":{"key":"test123"},"value":{"currency":"USD","amount":8000},'
    b'"cart":{"items":[{"product_sku":"SKU123","product_name":"Test","quantity":100}],'
    b'"abandoned_checkout_url":"https://test.com"}}},'
    b'{"email":"jesse@example.com","type":"$backdated_event","date":"2023-11-29 19:31:49 UTC"}'
    b"]}"
)


def ruby_post(served: Served, path: str, body: bytes) -> tuple[int, str, Any]:
    """POST as Ruby's Net::HTTP does: its own default headers, Basic auth, a JSON body."""
    settings = served.settings
    url = urllib.parse.urlsplit(f"{settings['base_url']}/{path}")
    payload = body % {b"site": settings["site_uuid"].encode()}
    token = f"{settings['publishable_key']}:{settings['secret_key']}".encode()
    connection = http.client.HTTPConnection(url.hostname or "", url.port, timeout=30)
    try:
        connection.putrequest("POST", url.path, skip_accept_encoding=True)
        for name, value in (
            ("Accept-Encoding", "gzip;q=1.0,deflate;q=0.6,identity;q=0.3"),
            ("Accept", "*/*"),
            ("User-Agent", "Ruby"),
            ("Content-Type", "application/json"),
            ("Authorization", "Basic " + base64.b64encode(token).decode()),
            ("Content-Length", str(len(payload))),
        ):
            connection.putheader(name, value)
        connection.endheaders(payload)
        response = connection.getresponse()
        text = response.read().decode()
        kind = response.getheader("Content-Type", "")
        return response.status, kind, json.loads(text) if "json" in kind else text
    finally:
        connection.close()


def test_the_seed_scripts_pass_as_written(serve: Serve) -> None:
    """All five scripts are answered as the guide shows, the backdated event included, and
    the control API shows the state they leave; `Ruby` is warned of once, nothing refused."""
    with serve("--commands-response", "seed") as served:
        status, _, created = ruby_post(served, "fetch/subscribers", CREATE_SUBSCRIBER)
        assert status in (200, 201)
        assert created["data"]["type"] == "visitors"
        assert created["data"]["attributes"]["email"] == JESSE
        _, _, tagged = ruby_post(served, "fetch/commands", ADD_TAG)
        assert tagged["data"]["attributes"]["cached_tag_ids"] == ["1"]
        _, _, named = ruby_post(served, "fetch/commands", ADD_CUSTOM_FIELD)
        assert named["data"]["attributes"]["fields"] == {"name": "Jesse"}
        assert ruby_post(served, "batch/subscribers", IMPORT_SUBSCRIBERS)[2] == {
            "results": 2,
            "failed": 0,
        }
        assert ruby_post(served, "batch/events", IMPORT_EVENTS)[2] == {"results": 7, "failed": 0}
        state = served.control("GET", "/state")
        log = served.control("GET", "/requests")
    jesse, scott = state["subscribers"]
    assert (jesse["email"], jesse["tags"], scott["email"]) == (JESSE, ["example"], SCOTT)
    assert jesse["fields"] == {
        "name": "Jesse",
        "customer_id": "123",
        "favourite_food": "onigiri",
        "first_name": "Jesse",
        "last_name": "Hanley",
    }
    assert [e["date"] for e in state["events"] if e["type"] == "$backdated_event"] == [
        "2023-11-29T19:31:49Z"
    ]
    assert [(p["key"], p["amount"]) for p in state["purchases"]] == [("test123", 8000)]
    assert "$custom_event_with_workflow_bypass" not in [a["trigger"] for a in state["automations"]]
    assert len(state["automations"]) == 6
    assert [entry["refusals"] for entry in log] == [[]] * 5
    assert [len(entry["warnings"]) for entry in log] == [1, 0, 0, 0, 0]
    assert "generic User-Agent 'Ruby'" in log[0]["warnings"][0]
    assert served.stderr[0].count("warning: generic User-Agent 'Ruby'") == 1  # the console
    assert log[0]["headers"]["authorization"] == "[redacted]"


def test_strict_user_agent_policy_blocks_the_seed_scripts_and_says_why(serve: Serve) -> None:
    """Under `--user-agent-policy strict` Ruby's bare agent gets the edge's HTML 403, and the
    request log names the agent; nothing reaches the site."""
    with serve("--user-agent-policy", "strict") as served:
        status, kind, page = ruby_post(served, "fetch/subscribers", CREATE_SUBSCRIBER)
        log = served.control("GET", "/requests")
        subscribers = served.control("GET", "/state/subscribers")
    assert (status, kind.split(";")[0]) == (403, "text/html")
    assert "Cloudflare" in page
    assert log[0]["refusals"] == [
        {
            "field": None,
            "index": None,
            "message": "generic User-Agent 'Ruby' blocked (user agent policy: strict)",
        }
    ]
    assert subscribers == []


def test_a_refused_date_is_counted_and_explained(serve: Serve) -> None:
    """An event whose date is no timestamp fails alone, and the log says which and why."""
    body = (
        b'{"site_uuid":"%(site)s","events":[{"email":"jesse@example.com","type":"ok",'
        b'"date":"2023-11-29 19:31:49 +0000"},{"email":"jesse@example.com","type":"bad",'
        b'"date":"29/11/2023"}]}'
    )
    with serve("--user-agent-policy", "allow") as served:
        assert ruby_post(served, "batch/events", body)[2] == {"results": 1, "failed": 1}
        (entry,) = served.control("GET", "/requests")
    assert entry["warnings"] == []
    (refusal,) = entry["refusals"]
    assert (refusal["index"], refusal["field"]) == (1, "date")
    assert "'29/11/2023' is not a timestamp" in refusal["message"]
