"""An emulator of the Bento REST API v1 for tests: `BentoEmulator`, plus pytest fixtures.

    from bento_emulator import BentoEmulator

    async with BentoEmulator() as emulator:      # or `with BentoEmulator() as emulator:`
        client = AsyncBento(**emulator.credentials)
        ...
        assert emulator.state.subscriber_by_email("jesse@example.com") is not None

It serves real HTTP on 127.0.0.1, checks requests the way Bento does (User-Agent, Basic auth,
`site_uuid`, wrapper keys, item limits), enforces per-family rate limits as a sliding window
(`rate_limits="seed"` by default; `"docs"`, a `RateLimits`, or None), keeps the site's data
in `emulator.state` and logs every request in `emulator.requests`. Broadcasts, sequences,
workflows, email templates, segments and form responses are seeded with
`emulator.state.add_broadcast(...)`, `add_sequence`, `add_workflow`, `add_email_template`,
`add_segment` and `add_form_response`; sent emails land in `emulator.state.outbox`. Stats
answers come from `emulator.state.stats` (reports, ads) and experimental answers from the
tables in `emulator.state.experimental`. `emulator.faults` scripts failures, deterministic
from a seed::

    emulator.faults.fail_next(2, status=503)                 # the next two requests
    emulator.faults.fail_fraction(0.1, status=500, seed=7)   # 10% of them, chosen by seed 7
    emulator.faults.latency(0.2, family="batch")             # slow batch calls
    emulator.faults.stall(5)                                  # outlast the client's timeout
    emulator.faults.reset_connection(path="fetch/tags")
    emulator.faults.invalid_json()
    emulator.faults.html_403()                               # Cloudflare's block page
    emulator.faults.clear()

Each logged request says why it, or an item of its batch, was refused (`refusals`).
`BentoEmulator(fixtures=...)` seeds the site from a JSON document (see `_fixtures`), and
`user_agent_policy` decides what a bare library User-Agent (`python-requests/2.31`) gets.
For code in other languages, `bento emulator serve` runs it standalone, with a control API
at `emulator.control_url` (state, request log, reset, faults, fixtures; see `_control`).

The pytest plugin (`bento_emulator.pytest_plugin`)
provides the `bento_emulator` and `bento_credentials` fixtures.

Names are imported from their modules on first use: pytest loads the plugin in every run
where the package is installed, and it must not pay for aiohttp's server there.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ._app import RecordedRequest
    from ._emulator import BentoEmulator, Credentials
    from ._faults import FaultRule, Faults
    from ._fixtures import FixtureError
    from ._handlers._common import Refusal
    from ._state import (
        Automation,
        Broadcast,
        EmailSequence,
        EmailTemplate,
        EmulatorSettings,
        EmulatorState,
        Event,
        ExperimentalStubs,
        FieldDefinition,
        FormResponse,
        OutboxEmail,
        Purchase,
        Segment,
        StatsFixtures,
        StatsReport,
        Subscriber,
        Tag,
        Workflow,
    )

# Each public name and the module it lives in.
_HOMES = {
    "Automation": "_state",
    "BentoEmulator": "_emulator",
    "Broadcast": "_state",
    "Credentials": "_emulator",
    "EmailSequence": "_state",
    "EmailTemplate": "_state",
    "EmulatorSettings": "_state",
    "EmulatorState": "_state",
    "Event": "_state",
    "ExperimentalStubs": "_state",
    "FaultRule": "_faults",
    "Faults": "_faults",
    "FieldDefinition": "_state",
    "FixtureError": "_fixtures",
    "FormResponse": "_state",
    "OutboxEmail": "_state",
    "Purchase": "_state",
    "RecordedRequest": "_app",
    "Refusal": "_handlers._common",
    "Segment": "_state",
    "StatsFixtures": "_state",
    "StatsReport": "_state",
    "Subscriber": "_state",
    "Tag": "_state",
    "Workflow": "_state",
}

__all__ = [
    "Automation",
    "BentoEmulator",
    "Broadcast",
    "Credentials",
    "EmailSequence",
    "EmailTemplate",
    "EmulatorSettings",
    "EmulatorState",
    "Event",
    "ExperimentalStubs",
    "FaultRule",
    "Faults",
    "FieldDefinition",
    "FixtureError",
    "FormResponse",
    "OutboxEmail",
    "Purchase",
    "RecordedRequest",
    "Refusal",
    "Segment",
    "StatsFixtures",
    "StatsReport",
    "Subscriber",
    "Tag",
    "Workflow",
]


def __getattr__(name: str) -> object:
    """Import a public name from its module on first use (PEP 562)."""
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{home}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
