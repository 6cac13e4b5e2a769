"""A fixed amount of receiver work, for counting instructions: ``python -m bench.instr_workload
KIND WARMUP COUNT`` (KIND ``receiver``, ``receiver-nostore`` or ``bare``, as in
``bench/servers.py``).

The server and a plain client in one process: 64 keep-alive connections send the throughput
benchmark's callbacks (the same tokens, stack ids and bodies on every run) in waves of
``--wave`` connections (default all 64), one request each, WARMUP requests in all and then
COUNT more. Nothing here is random or timed, so
under ``valgrind --tool=cachegrind`` the instructions of two runs with different COUNTs differ
by the work of the extra requests alone (``bench/abinstr.py``). The client is the same in
every build; only the receiver's side changes between builds.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import random
import tempfile
import uuid
from pathlib import Path

from aiohttp import web

from bench.common import HOST
from bench.servers import KINDS, bare_under_test, receiver_under_test
from bench.throughput import CONCURRENCY, seed_body
from rostray.core.heap import FullCollectionPacer, freeze_startup_heap
from rostray.core.receiver import Receiver
from rostray.core.store import AsyncStore

SEED = 20261129


def callbacks() -> list[tuple[str, bytes]]:
    """One (token, body) per connection, the same on every run."""
    rng = random.Random(SEED)
    out = []
    for i in range(CONCURRENCY):
        token = base64.urlsafe_b64encode(rng.randbytes(32)).rstrip(b"=").decode()
        body = seed_body(str(uuid.UUID(int=rng.getrandbits(128))), f"stack-{i}").encode()
        out.append((token, body))
    return out


def request(port: int, token: str, body: bytes) -> bytes:
    """What wrk sends, less the headers it adds."""
    head = (
        f"POST /hooks/{token} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


class _Connection:
    def __init__(self, request: bytes) -> None:
        self.request = request
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def open(self, port: int) -> None:
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", port)

    async def exchange(self) -> None:
        assert self.reader is not None and self.writer is not None
        self.writer.write(self.request)
        head = await self.reader.readuntil(b"\r\n\r\n")
        if not head.startswith(b"HTTP/1.1 200 "):
            raise RuntimeError(f"the receiver answered {head[:40]!r}")
        length = int(head.lower().split(b"content-length: ", 1)[1].split(b"\r\n", 1)[0])
        await self.reader.readexactly(length)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


async def _waves(connections: list[_Connection], count: int, wave: int) -> None:
    """``wave`` connections send, then their answers are read, then the next ``wave``; ``count``
    requests in all. The store's trips then hold about ``wave`` rows in every run, which a
    free-running client left to thread timing (a spread of ±1.5 % in instructions per
    callback). Under the throughput benchmark's load a trip holds 6-7 rows, so ``wave=8``
    weighs each trip's own cost as that load does; 64 spreads it ten times thinner."""
    groups = [connections[i : i + wave] for i in range(0, len(connections), wave)]
    for _ in range(count // len(connections)):
        for group in groups:
            await asyncio.gather(*(c.exchange() for c in group))


async def run(kind: str, warmup: int, count: int, wave: int = CONCURRENCY) -> None:
    with tempfile.TemporaryDirectory(prefix="rostray-instr-") as tmp:
        store = await AsyncStore.open(Path(tmp) / "history.sqlite3")
        pacer = FullCollectionPacer()
        sent = callbacks()
        server = await _start(kind, store, {token for token, _ in sent}, pacer)
        freeze_startup_heap()
        pacer.start()
        connections = [_Connection(request(server.port, *callback)) for callback in sent]
        try:
            for connection in connections:
                await connection.open(server.port)
            await _waves(connections, warmup, wave)
            await _waves(connections, count, wave)
        finally:
            for connection in connections:
                connection.close()
            pacer.stop()
            await server.stop()
            await store.close()


class _Bare:
    """The ceiling with the receiver's ``port`` and ``stop``, so the workload drives both."""

    def __init__(self) -> None:
        self.runner = bare_under_test()
        self.port = 0

    async def start(self) -> None:
        await self.runner.setup()
        await web.TCPSite(self.runner, HOST, 0).start()
        self.port = int(self.runner.addresses[0][1])

    async def stop(self) -> None:
        await self.runner.cleanup()


async def _start(
    kind: str, store: AsyncStore, tokens: set[str], pacer: FullCollectionPacer
) -> _Bare | Receiver:
    server = _Bare() if kind == "bare" else receiver_under_test(kind, 0, store, tokens, pacer)
    await server.start()
    return server


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.instr_workload")
    parser.add_argument("kind", choices=KINDS)
    parser.add_argument("warmup", type=int)
    parser.add_argument("count", type=int)
    parser.add_argument("--wave", type=int, default=CONCURRENCY, help="connections per wave")
    parser.add_argument(
        "--loop", choices=("asyncio", "uvloop"), default="asyncio", help="client and server's"
    )
    args = parser.parse_args()
    factory = None
    if args.loop == "uvloop":
        import uvloop  # directly: older builds of rostray (bench.abinstr) lack its chooser

        factory = uvloop.new_event_loop
    with asyncio.Runner(loop_factory=factory) as runner:
        runner.run(run(args.kind, args.warmup, args.count, args.wave))
        print(f"loop: {type(runner.get_loop()).__module__}")  # what the counts were taken on
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
