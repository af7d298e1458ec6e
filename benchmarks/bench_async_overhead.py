"""Question 1: what does AsyncBento cost over raw aiohttp at concurrency 64?

Both look the same subscriber up on the minimal server (in its own process): AsyncBento
with limits off returns a model; the baseline is one aiohttp session sending the same
request and decoding the JSON (orjson, as the SDK). Target: at least 0.90 of raw aiohttp's
rate. A third contender, raw aiohttp that also builds the Subscriber model, shows what the
model alone costs at this concurrency. The detail also gives this process's CPU time per
call, steadier than rates on a busy machine.
"""

from __future__ import annotations

import statistics
from collections.abc import Awaitable, Callable

from bento_async.models import Subscriber
from bento_async.resources._base import parse_optional_item

from ._baselines import RawAiohttp, check_subscriber, our_async_client
from ._harness import Result, cli, summarise
from ._server import ServerInfo, ServerProcess
from ._timing import EventLoop, async_rate, counting_cpu, interleave, ratios

__all__ = ["run"]

CONCURRENCY = 64
TARGET = 0.90
NAMES = ("ours", "aiohttp", "aiohttp+model")


def run(quick: bool) -> list[Result]:
    """Measure both clients, interleaved, and return the ratio row."""
    runs, total = (2, 256) if quick else (15, 2048)
    cpu: dict[str, list[float]] = {name: [] for name in NAMES}
    with ServerProcess("minimal") as info:
        rates = _measure(info, runs, total, cpu)
    ours, raw, model = (statistics.median(rates[k]) for k in NAMES)
    ours_cpu, raw_cpu, model_cpu = (statistics.median(cpu[k]) for k in NAMES)
    return [
        summarise(
            "async overhead",
            f"AsyncBento / raw aiohttp, subscriber lookups at concurrency {CONCURRENCY}",
            ratios(rates["ours"], rates["aiohttp"]),
            target=TARGET,
            detail=(
                f"AsyncBento {ours:,.0f}/s, aiohttp {raw:,.0f}/s; client CPU per call "
                f"{ours_cpu:.0f} vs {raw_cpu:.0f} µs"
            ),
        ),
        summarise(
            "async overhead",
            f"raw aiohttp building the Subscriber model / raw aiohttp, concurrency {CONCURRENCY}",
            ratios(rates["aiohttp+model"], rates["aiohttp"]),
            detail=(
                f"{model:,.0f}/s vs {raw:,.0f}/s; client CPU per call {model_cpu:.0f} vs "
                f"{raw_cpu:.0f} µs: the model's own share of the gap"
            ),
        ),
    ]


def _measure(
    info: ServerInfo, runs: int, total: int, cpu: dict[str, list[float]]
) -> dict[str, list[float]]:
    parse = parse_optional_item(Subscriber)
    with EventLoop() as loop:
        ours = our_async_client(info)
        raw = loop.run(_open_raw(info))
        email = info["email"]

        async def ours_get() -> object:
            return await ours.subscribers.get(email=email)

        async def raw_model() -> object:
            return parse(await raw.get())

        def measure(get: Callable[[], Awaitable[object]]) -> Callable[[], float]:
            return lambda: loop.run(async_rate(get, total, CONCURRENCY))

        try:
            check_subscriber(loop.run(ours_get()), email)
            # Warm up: open every connection both clients will use.
            loop.run(async_rate(ours_get, CONCURRENCY * 2, CONCURRENCY))
            loop.run(async_rate(raw.get, CONCURRENCY * 2, CONCURRENCY))
            return interleave(
                runs,
                {
                    "ours": counting_cpu(measure(ours_get), total, cpu["ours"]),
                    "aiohttp": counting_cpu(measure(raw.get), total, cpu["aiohttp"]),
                    "aiohttp+model": counting_cpu(measure(raw_model), total, cpu["aiohttp+model"]),
                },
            )
        finally:
            loop.run(ours.aclose())
            loop.run(raw.aclose())


async def _open_raw(info: ServerInfo) -> RawAiohttp:
    return RawAiohttp(info)


if __name__ == "__main__":
    cli(run)
