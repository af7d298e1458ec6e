"""Question 4: what does building a model cost on top of decoding the JSON?

Decodes a ``fetch/subscribers`` answer (five custom fields, five tags) into a Subscriber
the way the client does (its decoder, orjson, then the converter), against the decoder alone.
No server: this is the part of a call that runs after the bytes arrive.
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable

from bento_async._http import loads
from bento_async.models import Subscriber
from bento_async.resources._base import parse_optional_item

from ._harness import Result, cli, summarise
from ._server import subscriber_payload
from ._timing import interleave, ratios

__all__ = ["run"]


def run(quick: bool) -> list[Result]:
    """Time both decodes, interleaved, and return the ratio row."""
    runs, total = (2, 2000) if quick else (11, 20000)
    body = json.dumps(subscriber_payload()).encode()
    parse = parse_optional_item(Subscriber)

    def model() -> object:
        return parse(loads(body))

    def plain() -> object:
        return loads(body)

    found = model()
    if not isinstance(found, Subscriber) or found.fields.get("plan") != "pro":
        raise RuntimeError(f"the converter built {found!r}")
    rates = interleave(runs, {"model": _rate(model, total), "decode": _rate(plain, total)})
    ours, base = (statistics.median(rates[k]) for k in ("model", "decode"))
    return [
        summarise(
            "model decoding",
            "subscribers/s into a Subscriber model / decoding alone (orjson)",
            ratios(rates["model"], rates["decode"]),
            detail=f"model {ours:,.0f}/s, decoding alone {base:,.0f}/s",
        )
    ]


def _rate(fn: Callable[[], object], total: int) -> Callable[[], float]:
    def measure() -> float:
        start = time.perf_counter()
        for _ in range(total):
            fn()
        return total / (time.perf_counter() - start)

    return measure


if __name__ == "__main__":
    cli(run)
