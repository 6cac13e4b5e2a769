"""Shared helpers: statistics, machine facts, isolated environments, server processes, and a
loop-lag ticker. Everything binds and connects to 127.0.0.1 only."""

from __future__ import annotations

import asyncio
import contextlib
import math
import os
import platform
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
BENCH_DIR = REPO / "bench"
TEMPLATES = REPO / "resources" / "templates"
PYTHON = sys.executable
HOST = "127.0.0.1"
EMPTY_TEMPLATE = '{"ROSTemplateFormatVersion":"2015-09-01","Resources":{}}'
# Core 0 for load generators, core 1 for the server under test (when there are two).
LOADGEN_CPU = 0
SERVER_CPU = 1

Row = dict[str, Any]


# --- statistics ------------------------------------------------------------------------------


def percentile(values: Sequence[float], q: float) -> float:
    """Linear interpolation between closest ranks (numpy's default); NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    k = (len(ordered) - 1) * q / 100.0
    lo, hi = math.floor(k), math.ceil(k)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def distribution(values: Sequence[float]) -> dict[str, float]:
    """n, min, p50, p90, p99, max and mean of a sample."""
    if not values:
        return {"n": 0}
    return {
        "n": len(values),
        "min": min(values),
        "p50": percentile(values, 50),
        "p90": percentile(values, 90),
        "p99": percentile(values, 99),
        "max": max(values),
        "mean": sum(values) / len(values),
    }


def spread(values: Sequence[float]) -> dict[str, float]:
    """A per-run metric over repeated runs: the median and the range."""
    if not values:
        return {"n": 0}
    return {
        "n": len(values),
        "median": percentile(values, 50),
        "min": min(values),
        "max": max(values),
    }


def ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else math.nan


def check(metric: str, value: float, op: str, limit: float, unit: str, note: str = "") -> Row:
    """One target line: ``value op limit`` (op is "<=" or ">=")."""
    met = bool(value <= limit) if op == "<=" else bool(value >= limit)
    if isinstance(value, float) and math.isnan(value):
        met = False
    return {
        "metric": metric,
        "value": value,
        "unit": unit,
        "target": f"{op} {limit:g} {unit}".strip(),
        "met": met,
        "note": note,
    }


def not_available(metric: str, target: str, note: str) -> Row:
    return {
        "metric": metric,
        "value": None,
        "unit": "",
        "target": target,
        "met": None,
        "note": note,
    }


# --- machine ---------------------------------------------------------------------------------


def cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def machine_info() -> Row:
    import aiohttp

    load = os.getloadavg() if hasattr(os, "getloadavg") else (math.nan,) * 3
    return {
        "cores": os.cpu_count(),
        "cpu": cpu_model(),
        "memory_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "aiohttp": aiohttp.__version__,
        "sqlite": sqlite3.sqlite_version,
        "loadavg_at_start": [round(x, 2) for x in load],
    }


def pin(pid: int, cpu: int) -> bool:
    """Keep a process on one core, when the machine has that core; False when not pinned."""
    if (os.cpu_count() or 1) <= cpu or not hasattr(os, "sched_setaffinity"):
        return False
    with contextlib.suppress(OSError):
        os.sched_setaffinity(pid, {cpu})
        return True
    return False


def unpin(pid: int = 0) -> None:
    if hasattr(os, "sched_setaffinity"):
        with contextlib.suppress(OSError):
            os.sched_setaffinity(pid, set(range(os.cpu_count() or 1)))


# --- environment -----------------------------------------------------------------------------

LEAKY_ENV = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY")


def isolated_env(root: Path) -> dict[str, str]:
    """No real credentials, proxies or home directory: the bench's own, under ``root``."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("ALIYUN_", "ALIBABA_")) and k.upper() not in LEAKY_ENV
    }
    home = root / "home"
    runtime = root / "run"
    home.mkdir(parents=True, exist_ok=True)
    runtime.mkdir(mode=0o700, parents=True, exist_ok=True)
    env.update(
        {
            "HOME": str(home),
            "XDG_CONFIG_HOME": str(home / ".config"),
            "XDG_DATA_HOME": str(home / ".local" / "share"),
            "XDG_STATE_HOME": str(home / ".local" / "state"),
            "XDG_CACHE_HOME": str(home / ".cache"),
            "XDG_RUNTIME_DIR": str(runtime),
            "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring",
            "PYTHONPATH": str(REPO),
            "PYTHONDONTWRITEBYTECODE": "1",
        }
    )
    return env


def isolate_this_process(root: Path) -> None:
    """Apply ``isolated_env`` to the running interpreter (the in-process benchmarks)."""
    env = isolated_env(root)
    for key in list(os.environ):
        if key not in env:
            del os.environ[key]
    os.environ.update(env)


# --- ports and processes -----------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, timeout: float = 20.0, proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server on port {port} exited with {proc.returncode}")
        with contextlib.suppress(OSError), socket.create_connection((HOST, port), 0.2):
            return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listens on {HOST}:{port} after {timeout}s")


def stop_process(proc: subprocess.Popen, timeout: float = 5.0) -> None:
    """Terminate one process we started (by its own handle), then kill if it lingers."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout)


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process, all its threads (Linux ``/proc``)."""
    return sum(process_cpu_split(pid))


def process_cpu_split(pid: int) -> tuple[float, float]:
    """User and system CPU seconds of a process, all its threads (Linux ``/proc``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    tick = os.sysconf("SC_CLK_TCK")
    return int(fields[11]) / tick, int(fields[12]) / tick


def context_switches(pid: int) -> int:
    """Voluntary + involuntary context switches of a process's live threads so far: each is a
    trip through the scheduler, which is what system time on this VM is most sensitive to."""
    total = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            status = (task / "status").read_text()
        except OSError:  # the thread ended meanwhile
            continue
        for line in status.splitlines():
            if line.startswith(("voluntary_ctxt_switches", "nonvoluntary_ctxt_switches")):
                total += int(line.split()[1])
    return total


@contextlib.contextmanager
def server_process(
    argv: list[str],
    port: int,
    env: dict[str, str],
    stderr_path: Path,
    *,
    cpu: int | None = SERVER_CPU,
    cwd: Path = REPO,
) -> Iterator[subprocess.Popen]:
    """A server in its own process, stdout to /dev/null, stderr to a file, stopped on exit."""
    with stderr_path.open("wb") as stderr:
        proc = subprocess.Popen(
            argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=stderr,
        )  # fmt: skip
    try:
        if cpu is not None:
            pin(proc.pid, cpu)
        try:
            wait_for_port(port, proc=proc)
        except (RuntimeError, TimeoutError) as exc:
            tail = stderr_path.read_text(errors="replace")[-1500:]
            raise RuntimeError(f"{exc}; its stderr ends with:\n{tail}") from None
        yield proc
    finally:
        stop_process(proc)


# --- event-loop lag ------------------------------------------------------------------------------


class LoopLag:
    """A 10 ms ticker: how late each tick wakes is how long the loop was busy elsewhere."""

    def __init__(self, interval: float = 0.010) -> None:
        self.interval = interval
        self.lags: list[float] = []
        self.ticks: list[tuple[float, float]] = []  # (time since start, lag)
        self._task: asyncio.Task[None] | None = None
        self._started = 0.0

    def start(self) -> LoopLag:
        self._started = time.perf_counter()
        self._task = asyncio.get_running_loop().create_task(self._tick())
        return self

    async def stop(self) -> dict[str, float]:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        return self.summary()

    def summary(self) -> dict[str, float]:
        ms = [lag * 1000 for lag in self.lags]
        return {
            **distribution(ms),
            "over_50ms": sum(1 for x in ms if x > 50),
            "seconds": time.perf_counter() - self._started,
        }

    async def _tick(self) -> None:
        while True:
            before = time.perf_counter()
            await asyncio.sleep(self.interval)
            lag = max(time.perf_counter() - before - self.interval, 0.0)
            self.lags.append(lag)
            self.ticks.append((before - self._started, lag))


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)
