"""The type checker sees a bulk result typed by the records passed, through both facades."""

from __future__ import annotations

import textwrap
from pathlib import Path

from mypy import api

SNIPPET = """
from collections.abc import Mapping
from typing import Any

from typing_extensions import assert_type

from bento_async import AsyncBento, Command, Email, Event, InvalidRecord, Lookup
from bento_sync import Bento


async def use_async(bento: AsyncBento) -> None:
    events = await bento.events.track_many([])
    assert_type(events.failed_records, tuple[Event | Mapping[str, Any], ...])
    imported = await bento.subscribers.import_many([])
    assert_type(imported.failed_records, tuple[Mapping[str, Any], ...])
    assert_type(imported.invalid, tuple[InvalidRecord[Mapping[str, Any]], ...])
    emails = await bento.emails.send_many([])
    assert_type(emails.failed_records, tuple[Email | Mapping[str, Any], ...])
    assert_type(await bento.subscribers.get_many([]), list[Lookup])


def use_sync(bento: Bento) -> None:
    commands = bento.commands.run([])
    assert_type(commands.failed_records, tuple[Command | Mapping[str, Any], ...])
"""


def test_failed_records_are_typed_by_method(tmp_path: Path) -> None:
    """mypy --strict accepts assert_type on failed_records and invalid of every bulk write."""
    source = tmp_path / "bulk_types.py"
    source.write_text(textwrap.dedent(SNIPPET))
    cache = Path(__file__).resolve().parents[2] / ".mypy_cache"
    out, err, status = api.run(["--strict", "--cache-dir", str(cache), str(source)])
    assert status == 0, out + err
