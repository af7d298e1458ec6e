"""In-memory data of one emulated Bento site, one module per API area.

Pure logic: no I/O, no aiohttp. Entities are frozen attrs values. Every change replaces the
stored value while holding one lock, so a test thread can read snapshots (the queries)
while the server thread writes. The API's semantics (which request does what) live in the
handlers of the same area name (`_handlers/<area>.py`); each module here offers the
primitives they are built from, as a mixin that `EmulatorState` combines:

    subscribers  Subscriber (+ tags, fields)     events      Event, Purchase, Automation
    tags         Tag                             segments    Segment
    fields       FieldDefinition                 forms       FormResponse
    email_templates  EmailTemplate               emails      OutboxEmail (the outbox)
    broadcasts   Broadcast                       sequences   EmailSequence
    workflows    Workflow                        stats       StatsFixtures (reports, ads)
    experimental ExperimentalStubs
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any

import attrs

from .._imports import PendingImports
from ._core import EmulatorSettings, JSONValue, StateCore, utcnow
from .broadcasts import Broadcast, BroadcastState
from .email_templates import EmailTemplate
from .emails import OutboxEmail, OutboxState
from .events import Automation, Event, EventState, Purchase
from .experimental import ExperimentalStubs
from .fields import FieldDefinition, field_name_for
from .forms import FormResponse, FormState
from .segments import Segment, SegmentState
from .sequences import EmailSequence, SequenceState
from .stats import StatsFixtures, StatsReport
from .subscribers import Subscriber, email_index_key
from .tags import Tag
from .workflows import Workflow, WorkflowState

__all__ = [
    "Automation",
    "Broadcast",
    "EmailSequence",
    "EmailTemplate",
    "EmulatorSettings",
    "EmulatorState",
    "Event",
    "ExperimentalStubs",
    "FieldDefinition",
    "FormResponse",
    "JSONValue",
    "OutboxEmail",
    "Purchase",
    "Segment",
    "StateCore",
    "StatsFixtures",
    "StatsReport",
    "Subscriber",
    "Tag",
    "Workflow",
    "email_index_key",
    "field_name_for",
    "utcnow",
]


@attrs.define(eq=False)
class EmulatorState(
    EventState,
    SegmentState,
    FormState,
    BroadcastState,
    SequenceState,
    WorkflowState,
    OutboxState,
):
    """Everything one emulated site knows. Mutators take the lock; queries return snapshots.

    Each area's part comes from its mixin (see the package docstring); `stats` holds the
    canned reports and ads answer, `experimental` the experimental endpoints' tables.
    """

    site_id: int = 1
    clock: Callable[[], datetime] = utcnow
    _lock: threading.RLock = attrs.field(init=False, factory=threading.RLock, repr=False)
    stats: StatsFixtures = attrs.field(init=False, factory=StatsFixtures)
    experimental: ExperimentalStubs = attrs.field(init=False, factory=ExperimentalStubs)
    # Imports queued by batch/subscribers under an import delay (see _imports).
    pending_imports: PendingImports[Any] = attrs.field(init=False, factory=PendingImports)

    def __attrs_post_init__(self) -> None:
        self._reset()

    def reset(self) -> None:
        """Forget all data and restart the id sequences; restore the stats and stub defaults."""
        self.stats.reset()
        self.experimental.reset()
        self.pending_imports.clear()
        with self._lock:
            self._reset()
