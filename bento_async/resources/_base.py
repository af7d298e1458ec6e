"""What every resource shares: a reference to its client and the JSON:API helpers."""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from .._converter import converter
from .._errors import InputIssue, NotFoundError
from .._http import Request
from .._validate import check_path_id, raise_if
from ..models import BatchResult

if TYPE_CHECKING:
    from .._client import AsyncBento

__all__ = [
    "ResourceBase",
    "object_id",
    "parse_batch_result",
    "parse_item",
    "parse_list",
    "parse_object",
    "parse_optional_item",
]

T = TypeVar("T")


def object_id(value: object, path: str, issues: list[InputIssue]) -> str:
    """Return an id (a positive integer or a non-blank string) quoted for a URL path.

    ``.`` and ``..`` are refused (see :func:`check_path_id`).
    """
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return str(value)
    if isinstance(value, str) and value.strip():
        return check_path_id(value, path, issues, "an id")
    issues.append(InputIssue(path, f"expected a positive integer or an id string, got {value!r}"))
    return ""


class ResourceBase:
    """Base of the resource namespaces (``bento.subscribers``, ``bento.tags``...)."""

    def __init__(self, client: AsyncBento) -> None:
        self._client = client

    def __repr__(self) -> str:
        return f"<{type(self).__name__} of {self._client!r}>"

    def _call(self, request: Request, parse: Callable[[Any], T]) -> Coroutine[Any, Any, T]:
        # Hands back the client's coroutine rather than awaiting it in one more frame.
        return self._client._call(request, parse)

    async def _get_by_id(self, path: str, value: object, name: str, cls: type[T]) -> T | None:
        """GET ``path/<id>`` as one item; None for an empty answer or a 404.

        Raises ValidationError for a blank id (see :func:`object_id`).
        """
        issues: list[InputIssue] = []
        ref = object_id(value, name, issues)
        raise_if(issues)
        request = Request.build("GET", f"{path}/{ref}")
        try:
            return await self._call(request, parse_optional_item(cls))
        except NotFoundError:
            return None


def _data(payload: Any) -> Any:
    if type(payload) is not dict and not isinstance(payload, Mapping):  # dict: no ABC check
        raise ValueError(f"expected a JSON object, got {type(payload).__name__}")
    return payload.get("data")


def parse_item(cls: type[T]) -> Callable[[Any], T]:
    """Return a parser for ``{"data": {...}}``."""

    def parse(payload: Any) -> T:
        data = _data(payload)
        if data is None:
            raise ValueError("missing 'data'")
        if isinstance(data, list):  # some older endpoints wrapped one item in a list
            if len(data) != 1:
                raise ValueError(f"expected one item, got {len(data)}")
            data = data[0]
        return converter.structure(data, cls)

    return parse


def parse_optional_item(cls: type[T]) -> Callable[[Any], T | None]:
    """Return a parser for ``{"data": {...}}`` that maps ``{"data": null}`` and ``{}`` to None."""

    def parse(payload: Any) -> T | None:
        data = _data(payload)
        if data is None or (
            (type(data) is dict or isinstance(data, Mapping)) and not data.get("id")
        ):  # also {}
            return None
        return converter.structure(data, cls)

    return parse


def parse_list(cls: type[T]) -> Callable[[Any], list[T]]:
    """Return a parser for ``{"data": [...]}`` (a null ``data`` is an empty list)."""

    def parse(payload: Any) -> list[T]:
        data = _data(payload)
        if data is None:
            return []
        if not isinstance(data, list):
            raise ValueError(f"expected a list under 'data', got {type(data).__name__}")
        return [converter.structure(item, cls) for item in data]

    return parse


def _count(payload: Mapping[str, Any], *keys: str) -> int | None:
    for key in keys:
        value = payload.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    return None


def parse_batch_result(payload: Any) -> BatchResult:
    """Parse ``{"results": N, "failed": M}`` (also the old singular ``result``)."""
    if not isinstance(payload, Mapping):
        raise ValueError(f"expected a JSON object, got {type(payload).__name__}")
    results = _count(payload, "results", "result")
    if results is None:
        raise ValueError("missing the 'results' count")
    return BatchResult(results=results, failed=_count(payload, "failed") or 0)


def parse_object(cls: type[T]) -> Callable[[Any], T]:
    """Return a parser for a plain JSON object answer (stats, experimental)."""

    def parse(payload: Any) -> T:
        if not isinstance(payload, Mapping):
            raise ValueError(f"expected a JSON object, got {type(payload).__name__}")
        return converter.structure(payload, cls)

    return parse
