"""Typed models of the Bento API, built by the SDK's cattrs converter."""

from .results import BatchResult, CommandResult
from .subscribers import Subscriber
from .tags import Field, Tag

__all__ = ["BatchResult", "CommandResult", "Field", "Subscriber", "Tag"]
