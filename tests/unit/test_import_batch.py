"""The whole-batch import check agrees with the record-by-record one it speeds up."""

from __future__ import annotations

import asyncio
import math
from datetime import date, datetime, timezone
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from bento_async._bulk import BulkSpec, run_bulk
from bento_async._errors import InputIssue
from bento_async._validate import all_valid_emails, valid_email
from bento_async.resources.subscribers import import_batch, import_body, import_record

labels = st.from_regex(r"[A-Za-z0-9]([A-Za-z0-9-]{0,6}[A-Za-z0-9])?", fullmatch=True)
good_emails = st.builds(
    lambda local, labels: f"{local}@{'.'.join(labels)}",
    st.from_regex(r"[A-Za-z0-9._+'%!#-]{1,12}", fullmatch=True),
    st.lists(labels, min_size=2, max_size=3),
)
# Near misses: characters that matter to the pattern, spliced into good addresses.
odd_emails = st.one_of(
    good_emails,
    st.builds(
        lambda e, c, i: e[:i] + c + e[i:],
        good_emails,
        st.sampled_from(list('@ .-\n\t"\\,\xa0é\u2003')),
        st.integers(0, 30),
    ),
    st.builds(lambda e: e + "\n", good_emails),
    st.builds(lambda a, b: f"{a}\n{b}", good_emails, good_emails),
    st.text(max_size=12),
    st.builds(lambda e: "a" * 310 + e, good_emails),
)
scalars = st.one_of(
    st.text(max_size=5),
    st.integers(),
    st.booleans(),
    st.none(),
    st.just(datetime(2024, 5, 1, tzinfo=timezone.utc)),
    st.just(date(2024, 5, 1)),
)
odd_values = st.one_of(
    scalars,
    st.floats(allow_nan=True),
    st.lists(scalars, max_size=2),
    st.dictionaries(st.text(max_size=3), scalars, max_size=2),
    st.sets(st.integers(), max_size=2),
    st.just(math.inf),
)
keys = st.one_of(
    st.sampled_from(["name", "plan", "city", " ", "", "tags", "remove_tags", "fields", 3, None]),
    st.text(max_size=4),
)


@st.composite
def records(draw: st.DrawFn, plain: bool) -> Any:
    """A record: plain ones are what a CSV reader gives; others are one change away."""
    fields = draw(st.dictionaries(st.sampled_from(["name", "plan", "city", "n"]), scalars))
    record: Any = {"email": draw(good_emails), **fields}
    if plain:
        return record
    change = draw(
        st.sampled_from(["none", "email", "key", "reshaped", "value", "drop-email", "type"])
    )
    if change == "reshaped":  # keys import_record rewrites: tags lists, nested fields
        record[draw(st.sampled_from(["tags", "remove_tags", "fields"]))] = draw(
            st.one_of(
                st.none(),
                st.text(alphabet=" ,ab", max_size=5),
                st.lists(st.text(alphabet=" ab", max_size=3), max_size=2),
                st.dictionaries(st.sampled_from(["x", "y"]), scalars, max_size=2),
            )
        )
    elif change == "email":
        record["email"] = draw(st.one_of(odd_emails, st.integers(), st.none()))
    elif change == "key":
        record[draw(keys)] = draw(scalars)
    elif change == "value":
        record[draw(st.sampled_from(["name", "plan"]))] = draw(odd_values)
    elif change == "drop-email":
        del record["email"]
    elif change == "type":
        record = draw(st.one_of(st.text(max_size=3), st.just([record]), st.just(tuple(record))))
    return record


@settings(max_examples=200)
@given(st.lists(odd_emails, max_size=6))
def test_all_valid_emails_never_accepts_an_invalid_one(emails: list[str]) -> None:
    """When the joined check says yes, every address passes valid_email on its own."""
    if all_valid_emails(emails):
        assert all(valid_email(e) for e in emails)


@settings(max_examples=50)
@given(st.lists(good_emails, max_size=20))
def test_all_valid_emails_accepts_plain_addresses(emails: list[str]) -> None:
    """Ordinary addresses pass the joined check, so imports take the fast path."""
    assert all_valid_emails(emails) == all(valid_email(e) for e in emails)


@settings(max_examples=200)
@given(st.lists(records(plain=False), min_size=1, max_size=3))
def test_batch_check_never_accepts_what_a_record_check_rejects(batch: list[Any]) -> None:
    """When the batch check accepts, each record passes import_record, and the request body
    is byte for byte the one the records checked one by one would make."""
    wire = import_batch(batch)
    if wire is None:
        return
    one_by_one = []
    for record in batch:
        issues: list[InputIssue] = []
        one_by_one.append(import_record(record, "r", issues))
        assert issues == []
    assert import_body(wire) == import_body(one_by_one)  # type: ignore[arg-type]


@settings(max_examples=50)
@given(st.lists(records(plain=True), min_size=1, max_size=20))
def test_batch_check_accepts_plain_records(batch: list[Any]) -> None:
    """Plain records (what a CSV gives) are accepted by the batch check, unless a text holds
    a "{" (which it cannot tell from a nested object) or an integer is past 64 bits (which
    orjson cannot encode): those are checked one by one."""
    wire = import_batch(batch)
    values = [value for record in batch for value in record.values()]
    if any("{" in str(value) for value in values) or any(
        isinstance(value, int) and not -(2**63) <= value < 2**64 for value in values
    ):
        return
    assert wire is not None
    assert sum(item.count for item in wire) == len(batch)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.one_of(records(plain=True), records(plain=False)), max_size=30),
    st.integers(1, 7),
)
def test_same_result_with_or_without_the_batch_check(batch: list[Any], chunk_size: int) -> None:
    """An import reports the same invalid records and sends the same chunks either way."""

    async def run(fast: bool) -> tuple[list[bytes], list[int]]:
        sent: list[bytes] = []

        async def send(wire: list[Any]) -> tuple[int, int]:
            sent.append(import_body(wire))
            return 0, 0

        spec = BulkSpec("subscribers", 1000, import_record, send, import_batch if fast else None)
        result = await run_bulk(
            spec, batch, chunk_size=chunk_size, concurrency=1, on_progress=None, dry_run=False
        )
        return sent, [r.position for r in result.invalid]

    assert asyncio.run(run(True)) == asyncio.run(run(False))
