"""Resource exhaustion against a receiver in its own process (receiver_proc.py): 1,000 idle
connections plus slow-loris senders, 10 MB bodies, and a flood of requests. Throughout, a
legitimate callback is answered within a second, and the process's RSS stays bounded.

The numbers are printed (``-s``) for docs/security.md."""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest

HERE = Path(__file__).resolve().parent
VALID = json.dumps(
    {"StackId": "6f3c2b1e-0000-4000-8000-2c1a9d0e7b55", "Status": "CREATE_COMPLETE", "Outputs": []}
).encode()
LATENCY_LIMIT = 1.0  # seconds, for a legitimate callback under attack
RSS_GROWTH_LIMIT = 64 * 1024 * 1024  # bytes over the warmed-up baseline, at the peak
IDLE = 1000
LORIS = 200
TEN_MB = 10 * 1024 * 1024


@dataclass
class Target:
    port: int
    pid: int
    token: str
    proc: asyncio.subprocess.Process

    @property
    def hook(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/{self.token}"

    def rss(self) -> int:
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
        raise AssertionError("no VmRSS")


@pytest.fixture
async def target(tmp_path: Path) -> AsyncIterator[Target]:
    if not Path("/proc/self/status").exists():
        pytest.skip("RSS is read from /proc")
    token = secrets.token_urlsafe(32)
    proc = await asyncio.create_subprocess_exec(
        sys.executable, str(HERE / "receiver_proc.py"), str(tmp_path / "h.sqlite3"), token,
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    assert proc.stdout is not None and proc.stdin is not None
    info = json.loads(await asyncio.wait_for(proc.stdout.readline(), 30))
    yield Target(info["port"], info["pid"], token, proc)
    proc.stdin.close()
    try:
        await asyncio.wait_for(proc.wait(), 15)
    except TimeoutError:
        proc.kill()
        await proc.wait()


async def legit(target: Target) -> float:
    """One real callback on a fresh connection (as ROS sends it); its latency in seconds."""
    started = time.perf_counter()
    timeout = aiohttp.ClientTimeout(total=10)
    async with (
        aiohttp.ClientSession(timeout=timeout) as session,
        session.post(target.hook, data=VALID, headers={"Content-Type": "application/json"}) as r,
    ):
        assert r.status == 200, r.status
    return time.perf_counter() - started


async def open_idle(port: int, count: int) -> list[asyncio.StreamWriter]:
    writers = []
    for _ in range(count):
        _, writer = await asyncio.open_connection("127.0.0.1", port)
        writers.append(writer)
    return writers


async def loris(port: int, token: str, stop: asyncio.Event) -> None:
    """Headers one byte at a time, never finished."""
    with contextlib.suppress(OSError):
        _, writer = await asyncio.open_connection("127.0.0.1", port)
        head = f"POST /hooks/{token} HTTP/1.1\r\nHost: x\r\nX-Slow: ".encode() + b"a" * 10_000
        for byte in head:
            if stop.is_set():
                break
            writer.write(bytes([byte]))
            await writer.drain()
            await asyncio.sleep(0.2)
        writer.close()


async def big_body(port: int, path: str, *, chunked: bool) -> None:
    with contextlib.suppress(OSError):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        framing = "Transfer-Encoding: chunked" if chunked else f"Content-Length: {TEN_MB}"
        writer.write(
            f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            f"{framing}\r\n\r\n".encode()
        )
        block = b" " * 65536
        for _ in range(TEN_MB // len(block)):
            writer.write(f"{len(block):x}\r\n".encode() + block + b"\r\n" if chunked else block)
            await writer.drain()
            if reader.at_eof():
                break
        writer.close()


async def flood(port: int, seconds: float, counter: list[int]) -> None:
    """Guesses, scanners and junk on 50 keep-alive connections, as fast as they go."""
    url = f"http://127.0.0.1:{port}"
    paths = ["/hooks/" + secrets.token_urlsafe(32), "/", "/hooks/x/probe?n=1", "/.env"]
    deadline = time.monotonic() + seconds
    connector = aiohttp.TCPConnector(limit=50)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def worker(index: int) -> None:
            while time.monotonic() < deadline:
                with contextlib.suppress(aiohttp.ClientError):
                    async with session.post(url + paths[index % 4], data=b"{}") as response:
                        await response.read()
                        assert response.status < 500
                        counter[0] += 1

        await asyncio.gather(*(worker(i) for i in range(50)))


async def sample(target: Target, count: int, gap: float) -> list[float]:
    latencies = []
    for _ in range(count):
        latencies.append(await legit(target))
        await asyncio.sleep(gap)
    return latencies


@pytest.mark.slow
async def test_legitimate_callbacks_get_through_and_memory_stays_bounded(target: Target) -> None:
    for _ in range(20):
        await legit(target)  # warm up: imports, allocator pools
    baseline = target.rss()
    peak = baseline
    report: dict[str, object] = {"baseline_rss_mb": round(baseline / 2**20, 1)}

    # 1. 1,000 idle connections plus 200 slow-loris senders, all held open
    stop = asyncio.Event()
    idle = await open_idle(target.port, IDLE)
    lorises = [asyncio.create_task(loris(target.port, target.token, stop)) for _ in range(LORIS)]
    await asyncio.sleep(1.0)
    held = await sample(target, 5, 0.1)
    peak = max(peak, target.rss())
    report["idle_and_loris_latency_s"] = round(max(held), 3)

    # 2. 10 MB bodies (declared and chunked, known and unknown tokens) while still held open
    bodies = [
        big_body(target.port, f"/hooks/{target.token}", chunked=chunked) for chunked in (0, 1) * 3
    ] + [big_body(target.port, "/hooks/" + "u" * 43, chunked=chunked) for chunked in (0, 1) * 2]
    uploads = asyncio.gather(*bodies)
    during_bodies = await sample(target, 5, 0.1)
    await uploads
    peak = max(peak, target.rss())
    report["ten_mb_bodies_latency_s"] = round(max(during_bodies), 3)

    # 3. a flood on 50 connections, everything above still open
    counter = [0]
    flooding = asyncio.create_task(flood(target.port, 4.0, counter))
    await asyncio.sleep(0.5)
    during_flood = await sample(target, 8, 0.3)
    await flooding
    peak = max(peak, target.rss())
    report["flood_requests"] = counter[0]
    report["flood_latency_s"] = round(max(during_flood), 3)

    stop.set()
    for writer in idle:
        writer.close()
    await asyncio.gather(*lorises)
    await asyncio.sleep(1.0)
    after = target.rss()
    report["peak_rss_growth_mb"] = round((peak - baseline) / 2**20, 1)
    report["rss_growth_after_mb"] = round((after - baseline) / 2**20, 1)
    print("\nexhaustion:", json.dumps(report))

    for latency in held + during_bodies + during_flood:
        assert latency < LATENCY_LIMIT, report
    assert counter[0] > 1000, report  # it really was a flood
    assert peak - baseline < RSS_GROWTH_LIMIT, report
    assert await legit(target) < LATENCY_LIMIT
