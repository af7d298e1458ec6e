"""An emulator of the Bento REST API v1 for tests: `BentoEmulator`, plus pytest fixtures.

    from bento_async.testing import BentoEmulator

    async with BentoEmulator() as emulator:      # or `with BentoEmulator() as emulator:`
        client = AsyncBento(**emulator.credentials)
        ...
        assert emulator.state.subscriber_by_email("jesse@example.com") is not None

It serves real HTTP on 127.0.0.1, checks requests the way Bento does (User-Agent, Basic auth,
`site_uuid`, wrapper keys, item limits), keeps the site's data in `emulator.state` and logs
every request in `emulator.requests`. Stats answers come from `emulator.state.stats`
(segments, reports, ads) and experimental answers from the tables in
`emulator.state.experimental`. The pytest plugin (`bento_async.testing.pytest_plugin`)
provides the `bento_emulator` and `bento_credentials` fixtures.
"""

from __future__ import annotations

from ._app import RecordedRequest
from ._emulator import BentoEmulator, Credentials
from ._state import (
    Automation,
    EmulatorSettings,
    EmulatorState,
    Event,
    FieldDefinition,
    Purchase,
    Subscriber,
    Tag,
)
from ._state_experimental import ExperimentalStubs
from ._state_stats import StatsFixtures, StatsReport, StatsSegment

__all__ = [
    "Automation",
    "BentoEmulator",
    "Credentials",
    "EmulatorSettings",
    "EmulatorState",
    "Event",
    "ExperimentalStubs",
    "FieldDefinition",
    "Purchase",
    "RecordedRequest",
    "StatsFixtures",
    "StatsReport",
    "StatsSegment",
    "Subscriber",
    "Tag",
]
