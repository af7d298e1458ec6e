"""Endpoint handlers, one module per API area.

Each area module exposes `ROUTES`, a tuple of `Route(method, path, handler)` with paths under
`/api/v1`. To add an area (broadcasts, emails, stats, ...), write its module and list it below.
"""

from __future__ import annotations

from . import commands, events, experimental, fields, stats, subscribers, tags
from ._common import Route

AREAS = (subscribers, commands, tags, fields, events, stats, experimental)

ROUTES: tuple[Route, ...] = tuple(route for area in AREAS for route in area.ROUTES)
