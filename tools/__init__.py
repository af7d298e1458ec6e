"""Repository tools (never in the wheel): ``python -m tools.sync_api`` writes the sync API."""
