"""orjson does the JSON work, and sends or refuses exactly what ``json`` would."""

from __future__ import annotations

import asyncio
import json
import math
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from bento_async._bulk import BulkSpec, run_bulk
from bento_async._errors import ValidationError
from bento_async._http import encode_body, loads
from bento_async._transport import _query
from bento_async.resources.subscribers import import_batch, import_body, import_record

scalars = st.none() | st.booleans() | st.integers() | st.text(max_size=5) | st.floats()
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner),
    max_leaves=8,
)


@given(values)
@example(math.nan)
@example({"a": None, "b": [1, -math.inf]})
@example({"n": 2**70, "f": math.inf})  # orjson cannot take the integer: json decides
@example({"n": 2**70, "s": "null"})
def test_encoding_sends_or_refuses_what_json_would(value: Any) -> None:
    """NaN and infinity anywhere are refused (orjson would write null); anything else
    decodes back to what ``json.dumps`` would have sent, integers past 64 bits included."""
    try:
        expected = json.loads(json.dumps(value, allow_nan=False))
    except ValueError:
        with pytest.raises(ValidationError):
            encode_body(value)
        return
    assert json.loads(encode_body(value)) == expected


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b'{"a": 1}', {"a": 1}),
        ('{"a": "é"}'.encode("utf-16"), {"a": "é"}),  # orjson takes UTF-8 only
        (b'{"a": Infinity}', {"a": math.inf}),  # orjson refuses the literal
    ],
)
def test_decoding_takes_what_json_takes(body: bytes, expected: Any) -> None:
    """What orjson refuses but the standard library reads is still read."""
    assert loads(body) == expected


def test_decoding_refuses_what_is_not_json() -> None:
    """A body that is not JSON raises ValueError."""
    with pytest.raises(ValueError):  # noqa: PT011 - json's and orjson's errors are ValueErrors
        loads(b"<!doctype html>")


def test_import_refuses_a_nan_among_plain_records() -> None:
    """A NaN in a record that otherwise takes the whole-chunk path is reported invalid and
    never sent, although orjson would have encoded it as null."""
    records = [
        {"email": "a@example.com", "score": 1.5},
        {"email": "b@example.com", "score": math.nan},
        {"email": "c@example.com", "score": None},
    ]
    assert import_batch(records) is None
    sent: list[bytes] = []

    async def send(wire: list[Any]) -> tuple[int, int]:
        sent.append(import_body(wire))
        return len(wire), 0

    spec = BulkSpec("subscribers", 1000, import_record, send, import_batch)
    result = asyncio.run(
        run_bulk(spec, records, chunk_size=3, concurrency=1, on_progress=None, dry_run=False)
    )
    assert [invalid.position for invalid in result.invalid] == [1]
    assert [json.loads(body)["subscribers"] for body in sent] == [[records[0], records[2]]]


pairs = st.lists(st.tuples(st.sampled_from(["email", "page", "site_uuid", "tag"]), st.text()))


@given(pairs, st.text(min_size=1))
def test_query_keeps_every_pair_in_order(params: list[tuple[str, str]], site: str) -> None:
    """The query handed to aiohttp is the request's pairs then site_uuid, repeats kept."""
    query = _query(tuple(params), site)
    sent = list(query.items()) if isinstance(query, dict) else list(query)
    assert sent == [*params, ("site_uuid", site)]
