"""Endpoint handlers, one module per API area.

Each area module exposes `ROUTES`, a tuple of `Route(method, path, handler)` with paths under
`/api/v1`. To add an area (broadcasts, emails, stats, ...), write its module and list it below.
"""

from __future__ import annotations

from types import ModuleType

from . import (
    broadcasts,
    commands,
    email_templates,
    emails,
    events,
    experimental,
    fields,
    forms,
    search,
    segments,
    sequences,
    stats,
    subscribers,
    tags,
    workflows,
)
from ._common import Route

AREAS: tuple[ModuleType, ...] = (subscribers, commands, tags, fields, events)
AREAS += (broadcasts, emails, sequences, workflows, email_templates, forms, search, segments)
AREAS += (stats, experimental)

ROUTES: tuple[Route, ...] = tuple(route for area in AREAS for route in area.ROUTES)
