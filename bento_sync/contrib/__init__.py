"""Integrations of the sync client with frameworks (each module imports its framework)."""
