"""The load generator, always in its own process so the server under test keeps its own core.

``python -m bench.loadgen SPEC.json`` prints one JSON line with the result. The spec names the
target (127.0.0.1 only), a list of requests (path + JSON body) cycled in order, the number of
keep-alive connections, either a duration or a request count, and optionally a ``rate``
(requests per second for all connections together; each request is due at start + k/rate).

Two engines, same requests and concurrency:

* ``wrk`` (Debian's package) with a generated Lua script, when it is installed: duration runs.
* a lean asyncio HTTP/1.1 client (one protocol object per keep-alive connection): count runs,
  and duration runs when wrk is missing. aiohttp's client was tried first and tops out near
  2,000 requests/s on one core here, which would make every fast server look equally fast.

With ``"wait_go": true`` the client connects, prints ``{"ready": true}`` and fires only after a
line arrives on stdin, so a benchmark can start a burst at a moment of its choosing.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.common import HOST, distribution

Spec = dict[str, Any]
Result = dict[str, Any]


def wrk_available() -> bool:
    return shutil.which("wrk") is not None


def pick_tool(spec: Spec) -> str:
    wanted = spec.get("tool", "auto")
    if wanted == "auto":
        return "wrk" if wrk_available() and "duration" in spec else "python"
    return str(wanted)


def encode_requests(spec: Spec) -> list[bytes]:
    """Each request as wire bytes: the same headers for every server under test."""
    host = f"{HOST}:{spec['port']}"
    wire = []
    for item in spec["requests"]:
        body = item["body"].encode()
        head = (
            f"POST {item['path']} HTTP/1.1\r\nHost: {host}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
        )
        wire.append(head.encode() + body)
    return wire


# --- the asyncio client --------------------------------------------------------------------------

_CHUNK_END = b"0\r\n\r\n"


class ResponseParser:
    """Just enough HTTP/1.1 to find where each response ends: Content-Length or chunked."""

    def __init__(self) -> None:
        self.buffer = bytearray()

    def feed(self, data: bytes) -> Iterator[tuple[int, bool]]:
        """Yield (status, connection_close) for every complete response in the buffer."""
        self.buffer += data
        while True:
            parsed = self._one()
            if parsed is None:
                return
            yield parsed

    def _one(self) -> tuple[int, bool] | None:
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            return None
        head = bytes(self.buffer[:end]).decode("latin-1")
        lines = head.split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip().lower()
        body_start = end + 4
        if headers.get("transfer-encoding") == "chunked":
            stop = self.buffer.find(_CHUNK_END, body_start)
            if stop < 0:
                return None
            consumed = stop + len(_CHUNK_END)
        else:
            consumed = body_start + int(headers.get("content-length", "0"))
            if len(self.buffer) < consumed:
                return None
        del self.buffer[:consumed]
        return status, headers.get("connection") == "close"


@dataclass
class Run:
    """Shared state of one asyncio-client run."""

    requests: list[bytes]
    count: int | None
    rate: float | None = None  # requests per second for all connections together
    deadline: float = 0.0
    started: float = 0.0
    latencies: list[float] = field(default_factory=list)
    statuses: Counter[str] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    issued: int = 0
    completed_in_window: int = 0
    _cycle: Iterator[bytes] | None = None

    def next_request(self) -> bytes | None:
        if self.count is not None and self.issued >= self.count:
            return None
        if self.count is None and time.perf_counter() >= self.deadline:
            return None
        if self._cycle is None:
            self._cycle = itertools.cycle(self.requests)
        self.issued += 1
        return next(self._cycle)

    def delay(self) -> float:
        """Seconds until the request just taken is due (paced runs); 0 when unpaced."""
        if not self.rate:
            return 0.0
        return self.started + (self.issued - 1) / self.rate - time.perf_counter()


class Connection(asyncio.Protocol):
    """One keep-alive connection: send, wait for the whole answer, send the next."""

    def __init__(self, run: Run, finished: asyncio.Future[None]) -> None:
        self.run = run
        self.finished = finished
        self.parser = ResponseParser()
        self.transport: asyncio.Transport | None = None
        self.sent_at = 0.0
        self.waiting = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def start(self) -> None:
        self._send()

    def _send(self) -> None:
        request = self.run.next_request()
        if request is None or self.transport is None:
            self._finish()
            return
        delay = self.run.delay()
        if delay > 0:
            asyncio.get_running_loop().call_later(delay, self._write, request)
        else:
            self._write(request)

    def _write(self, request: bytes) -> None:
        if self.transport is None:
            self._finish()
            return
        self.sent_at = time.perf_counter()  # latency counts from the actual write
        self.waiting = True
        self.transport.write(request)

    def data_received(self, data: bytes) -> None:
        try:
            answers = list(self.parser.feed(data))
        except (ValueError, IndexError):
            self.run.errors["parse"] += 1
            self._finish()
            return
        for status, close in answers:
            now = time.perf_counter()
            self.waiting = False
            self.run.latencies.append(now - self.sent_at)
            self.run.statuses[str(status)] += 1
            if self.run.count is not None or now <= self.run.deadline:
                self.run.completed_in_window += 1
            if close:
                self.run.errors["closed_by_server"] += 1
                self._finish()
                return
            self._send()

    def connection_lost(self, exc: Exception | None) -> None:
        if self.waiting:
            self.run.errors["connection_lost"] += 1
        self.transport = None
        self._finish()

    def _finish(self) -> None:
        if self.transport is not None:
            self.transport.close()
            self.transport = None
        if not self.finished.done():
            self.finished.set_result(None)


async def _connect_all(port: int, run: Run, concurrency: int) -> list[tuple[Connection, Any]]:
    loop = asyncio.get_running_loop()
    made = []
    for _ in range(concurrency):
        finished: asyncio.Future[None] = loop.create_future()
        try:
            _, protocol = await loop.create_connection(
                lambda f=finished: Connection(run, f), HOST, port
            )
        except OSError:
            run.errors["connect"] += 1
            continue
        made.append((protocol, finished))
    return made


async def _wait_for_go() -> None:
    print(json.dumps({"ready": True}), flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)


async def python_client(spec: Spec) -> Result:
    count = spec.get("count")
    rate = spec.get("rate")
    run = Run(
        encode_requests(spec),
        int(count) if count is not None else None,
        float(rate) if rate else None,
    )
    connections = await _connect_all(int(spec["port"]), run, int(spec["concurrency"]))
    if spec.get("wait_go"):
        await _wait_for_go()
    cpu_before = _cpu_self()
    run.started = time.perf_counter()
    run.deadline = run.started + float(spec.get("duration", 0))
    for protocol, _ in connections:
        protocol.start()
    await asyncio.gather(*(finished for _, finished in connections))
    ended = time.perf_counter()
    window = (ended - run.started) if count is not None else float(spec["duration"])
    return {
        "tool": "python-asyncio",
        "requests": run.completed_in_window,
        "seconds": window,
        "rps": run.completed_in_window / window if window else 0.0,
        "latency_ms": distribution([x * 1000 for x in run.latencies]),
        "statuses": dict(run.statuses),
        "errors": dict(run.errors),
        "connections": len(connections),
        "cpu_seconds": _cpu_self() - cpu_before,
        "wall_seconds": ended - run.started,
    }


def _cpu_self() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# --- wrk -----------------------------------------------------------------------------------------

_LUA = """
local paths = {%(paths)s}
local bodies = {%(bodies)s}
local built = {}
local counter = 0
init = function(args)
  for i = 1, #paths do
    built[i] = wrk.format("POST", paths[i], {["Content-Type"] = "application/json"}, bodies[i])
  end
end
request = function()
  counter = counter %% #built + 1
  return built[counter]
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '\\nWRKJSON {"requests": %%d, "duration_us": %%d, "errors": {"connect": %%d, "read": %%d, ' ..
    '"write": %%d, "status": %%d, "timeout": %%d}, "latency_us": {"p50": %%f, "p90": %%f, ' ..
    '"p99": %%f, "max": %%f, "mean": %%f}}\\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    latency.mean))
end
"""


def _lua_string(text: str) -> str:
    level = "=" * 3
    while f"]{level}]" in text:
        level += "="
    return f"[{level}[{text}]{level}]"


def wrk_script(spec: Spec) -> str:
    paths = ", ".join(_lua_string(r["path"]) for r in spec["requests"])
    bodies = ", ".join(_lua_string(r["body"]) for r in spec["requests"])
    return _LUA % {"paths": paths, "bodies": bodies}


def wrk_client(spec: Spec) -> Result:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(wrk_script(spec))
        script = handle.name
    duration = max(1, round(float(spec["duration"])))  # wrk takes whole seconds only
    argv = [
        "wrk", "-t1", f"-c{int(spec['concurrency'])}", f"-d{duration}s", "--timeout", "10s",
        "-s", script, f"http://{HOST}:{spec['port']}/",
    ]  # fmt: skip
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    try:
        out = subprocess.run(argv, capture_output=True, text=True, timeout=duration + 30).stdout
    finally:
        Path(script).unlink(missing_ok=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    match = re.search(r"^WRKJSON (.*)$", out, re.MULTILINE)
    if match is None:
        raise RuntimeError(f"wrk printed no result: {out[-500:]}")
    data = json.loads(match.group(1))
    seconds = data["duration_us"] / 1e6
    lat = data["latency_us"]
    errors = {k: v for k, v in data["errors"].items() if v}
    return {
        "tool": "wrk",
        "requests": data["requests"],
        "seconds": seconds,
        "rps": data["requests"] / seconds if seconds else 0.0,
        "latency_ms": {k: v / 1000 for k, v in lat.items()},
        "statuses": {"non-2xx/3xx": data["errors"]["status"]} if data["errors"]["status"] else {},
        "errors": errors,
        "connections": int(spec["concurrency"]),
        "cpu_seconds": (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime),
        "wall_seconds": seconds,
    }


def main(argv: list[str]) -> int:
    spec = json.loads(Path(argv[0]).read_text())
    result = wrk_client(spec) if pick_tool(spec) == "wrk" else asyncio.run(python_client(spec))
    wall = result["wall_seconds"]
    result["cpu_util"] = result["cpu_seconds"] / wall if wall else 0.0
    print(json.dumps(result), flush=True)
    return 0


# --- driving it from a benchmark -----------------------------------------------------------------


def write_spec(spec: Spec, directory: Path) -> Path:
    with tempfile.NamedTemporaryFile(
        "w", suffix=".json", prefix="loadgen-", dir=directory, delete=False
    ) as handle:
        json.dump(spec, handle)
    return Path(handle.name)


def run_load(spec: Spec, env: dict[str, str], workdir: Path) -> Result:
    """One load run to completion (blocking); the loadgen is pinned to its own core."""
    from bench.common import LOADGEN_CPU, PYTHON, REPO, pin

    path = write_spec(spec, workdir)
    proc = subprocess.Popen(
        [PYTHON, "-m", "bench.loadgen", str(path)],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    pin(proc.pid, LOADGEN_CPU)
    timeout = float(spec.get("duration", 0)) + 120
    out, err = proc.communicate(timeout=timeout)
    path.unlink(missing_ok=True)
    if proc.returncode != 0:
        raise RuntimeError(f"loadgen failed ({proc.returncode}): {err[-800:]}")
    return json.loads(out.strip().splitlines()[-1])


class Burst:
    """A loadgen process that connects first and fires when told (async, for in-process
    benchmarks whose event loop must keep running meanwhile)."""

    def __init__(self, spec: Spec, env: dict[str, str], workdir: Path) -> None:
        self.spec = {**spec, "wait_go": True, "tool": "python"}
        self.env = env
        self.workdir = workdir
        self.proc: asyncio.subprocess.Process | None = None
        self._path: Path | None = None

    async def __aenter__(self) -> Burst:
        from bench.common import LOADGEN_CPU, PYTHON, REPO, pin

        self._path = write_spec(self.spec, self.workdir)
        self.proc = await asyncio.create_subprocess_exec(
            PYTHON, "-m", "bench.loadgen", str(self._path),
            cwd=REPO, env=self.env,
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        pin(self.proc.pid, LOADGEN_CPU)
        assert self.proc.stdout is not None
        line = await asyncio.wait_for(self.proc.stdout.readline(), 60)
        if not line.strip().startswith(b'{"ready"'):
            raise RuntimeError(f"loadgen did not get ready: {line[:300]!r}")
        return self

    def go(self) -> None:
        assert self.proc is not None and self.proc.stdin is not None
        self.proc.stdin.write(b"go\n")

    async def result(self, timeout: float = 300) -> Result:
        assert self.proc is not None and self.proc.stdout is not None
        line = await asyncio.wait_for(self.proc.stdout.readline(), timeout)
        await self.proc.wait()
        return json.loads(line)

    async def __aexit__(self, *exc_info: object) -> None:
        if self.proc is not None and self.proc.returncode is None:
            self.proc.kill()
            with contextlib.suppress(ProcessLookupError):
                await self.proc.wait()
        if self._path is not None:
            self._path.unlink(missing_ok=True)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
