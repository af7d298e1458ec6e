"""Peak memory of a client meeting huge replies, measured in a child process.

The server here streams a 1 GiB body, a 1 MiB gzip bomb inflating to 1 GiB and an endless
chunked body, so this process stays light, and serves 16 MiB of tiny JSON values. The
child's peak RSS (``VmHWM``) may grow by less than 64 MiB over its warmed-up baseline,
whatever it meets.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import sys
import zlib
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.anyio

GIB = 1 << 30
BLOCK = bytes(256 * 1024)
BUDGET_MIB = 64

CHILD = r"""
import asyncio, gc, json, resource, sys
from bento_async import AsyncBento, BentoError, RateLimits, RetryPolicy

def peak_mib():
    # VmHWM is this process's own peak; ru_maxrss would start at the parent's RSS (exec).
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

async def call(port, mode):
    async with AsyncBento(
        publishable_key="pk", secret_key="sk", site_uuid="site",
        base_url=f"http://127.0.0.1:{port}/{mode}/api/v1", rate_limits=RateLimits.off(),
        retry=RetryPolicy.none(), timeout=120, trust_env=False,
    ) as bento:
        try:
            await bento.tags.list()
            return "ok"
        except BentoError as exc:
            return type(exc).__name__

async def main(port, modes):
    for mode in ("ok", "okgzip", "ok", "okgzip"):  # warm every code path first
        await call(port, mode)
    gc.collect()
    base = peak_mib()
    out = {}
    for mode in modes:
        error = await call(port, mode)
        gc.collect()
        out[mode] = [error, round(peak_mib() - base, 1)]
    print(json.dumps(out))

asyncio.run(main(int(sys.argv[1]), sys.argv[2:]))
"""


def gzip_bomb(inflated_mib: int) -> bytes:
    """Return a gzip stream of ``inflated_mib`` MiB of zeros (about 1 KiB per MiB)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    first = compressor.compress(bytes(1 << 20)) + compressor.flush(zlib.Z_FULL_FLUSH)
    block = compressor.compress(bytes(1 << 20)) + compressor.flush(zlib.Z_FULL_FLUSH)
    return first + block * (inflated_mib - 1)  # no trailer: the client stops long before


async def _send(writer: asyncio.StreamWriter, head: str, body: bytes | None, total: int) -> None:
    """Write the head, then ``body`` or ``total`` bytes of zeros (-1: chunked, endless)."""
    writer.write(head.encode())
    if body is not None:
        writer.write(body)
        await writer.drain()
        return
    sent = 0
    while total < 0 or sent < total:
        piece = BLOCK if total < 0 else BLOCK[: total - sent]
        writer.write(b"%x\r\n%s\r\n" % (len(piece), piece) if total < 0 else piece)
        await writer.drain()
        sent += len(piece)


def dense_json(values: int, size: int) -> bytes:
    """Return a JSON array of ``values`` two-letter strings, padded with spaces to ``size``."""
    body = b"[" + b'"ab",' * (values - 1) + b'"ab"'
    return body + b" " * (size - len(body) - 1) + b"]"


DENSE = {  # 16 MiB each: over the value limit (refused), and just under it (decoded)
    "dense": dense_json(3_000_000, 16 << 20),
    "dense_under": dense_json(149_000, 16 << 20),
}


def reply_for(mode: str, bomb: bytes) -> tuple[str, bytes | None, int]:
    """Return the status line and headers, the fixed body (or None) and the streamed size."""
    small = json.dumps({"data": []}).encode()
    head = "HTTP/1.1 {status}\r\nContent-Type: application/json\r\n{extra}\r\n"
    if mode in DENSE:
        body = DENSE[mode]
        return head.format(status="200 OK", extra=f"Content-Length: {len(body)}\r\n"), body, 0
    if mode == "ok":
        return head.format(status="200 OK", extra=f"Content-Length: {len(small)}\r\n"), small, 0
    if mode == "okgzip":
        packed = gzip.compress(small)
        extra = f"Content-Encoding: gzip\r\nContent-Length: {len(packed)}\r\n"
        return head.format(status="200 OK", extra=extra), packed, 0
    if mode == "bomb":
        extra = f"Content-Encoding: gzip\r\nContent-Length: {len(bomb)}\r\n"
        return head.format(status="200 OK", extra=extra), bomb, 0
    if mode == "endless":
        return head.format(status="200 OK", extra="Transfer-Encoding: chunked\r\n"), None, -1
    status = "500 Internal Server Error" if mode == "big500" else "200 OK"
    return head.format(status=status, extra=f"Content-Length: {GIB}\r\n"), None, GIB


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads VmHWM (Linux)")
async def test_peak_memory_stays_bounded_for_hostile_replies() -> None:
    """1 GiB bodies (200 and 500), a gzip bomb, an endless body and 16 MiB of tiny JSON
    values each end in a typed error, and the child's peak memory grows by less than 64 MiB."""
    bomb = gzip_bomb(1024)
    assert len(bomb) < 2 << 20

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while line := await reader.readline():
                mode = line.split(b" ")[1].split(b"/")[1].decode()
                while (await reader.readline()).strip():
                    pass  # the request has no body: skip its headers
                await _send(writer, *reply_for(mode, bomb))
        except (ConnectionError, IndexError):
            pass
        finally:
            writer.close()

    async def measure(port: int, mode: str) -> dict[str, list[Any]]:
        # One child per reply, so each figure is free of the others' allocator history.
        child = await asyncio.create_subprocess_exec(
            sys.executable, "-c", CHILD, str(port), mode, stdout=asyncio.subprocess.PIPE
        )
        out, _ = await asyncio.wait_for(child.communicate(), 120)
        assert child.returncode == 0
        result: dict[str, list[Any]] = json.loads(out)
        return result

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    modes = ["big", "bomb", "endless", "big500", "dense", "dense_under"]
    report: dict[str, list[Any]] = {}
    try:
        for result in await asyncio.gather(*(measure(port, mode) for mode in modes)):
            report.update(result)
    finally:
        server.close()
        await server.wait_closed()
    print(f"\npeak RSS growth per hostile reply (MiB): {report}")
    assert {mode: error for mode, (error, _) in report.items()} == {
        "big": "DecodeError",
        "bomb": "DecodeError",
        "endless": "DecodeError",
        "big500": "ServerError",
        "dense": "DecodeError",
        "dense_under": "DecodeError",  # decoded, then not the shape tags.list expects
    }
    assert max(float(growth) for _, growth in report.values()) < BUDGET_MIB
