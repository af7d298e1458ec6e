"""Public names report their public module: ``AsyncBento.__module__ == "bento_async"``."""

from __future__ import annotations

import inspect
from collections.abc import Iterable
from typing import Any

__all__ = ["claim"]


def claim(namespace: dict[str, Any], names: Iterable[str], package: str) -> None:
    """Make the classes and functions ``names`` of ``package``'s private modules report
    ``package`` as their module (in reprs, docs and pickles).

    Their string annotations (``from __future__ import annotations``) are evaluated first,
    where they were written: ``typing.get_type_hints``, which attrs and cattrs use, looks
    names up in the module a class reports, and would no longer find them.
    """
    for name in names:
        value = namespace[name]
        is_ours = isinstance(value, type) or inspect.isfunction(value)
        if not is_ours or not value.__module__.startswith(package + "."):
            continue  # a value, or a name re-exported from another package
        if isinstance(value, type) and any(
            isinstance(a, str) for a in inspect.get_annotations(value).values()
        ):
            value.__annotations__ = inspect.get_annotations(value, eval_str=True)
        value.__module__ = package
