"""Benchmark 5: footprint: start-up time, idle RSS, idle CPU and wake-ups.

Headless mode (``python -m rostray --headless --sandbox``) is up when it prints its
``{"Event": "Started"}`` line; the tray app (``python -m rostray --sandbox`` under
``QT_QPA_PLATFORM=offscreen``, only when rostray/gui/app.py exists) when it prints
"rostray is running" on stderr, which it does once the engine runs and the tray controller
(tray icon, or its window where no tray exists, as offscreen) is built.

Each start uses a fresh HOME (no history, no sandbox state) and runs byte-compiled, as an
installed rostray does (``as_installed``); the uncounted first start writes the bytecode.
Idle: nothing in flight; RSS via psutil, CPU time and context switches (voluntary +
involuntary, summed over every thread from /proc/<pid>/task/*/status) over the idle window.
A wake-up rate at or under 2 per minute per thread means nothing runs more often than every
30 s. Import time is taken once with ``-X importtime``.
"""

from __future__ import annotations

import contextlib
import os
import re
import selectors
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bench.common import PYTHON, REPO, Row, check, isolated_env, log, not_available, spread

HEADLESS = ["-m", "rostray", "--headless", "--sandbox", "--no-desktop-notifications"]
GUI = ["-m", "rostray", "--sandbox"]
HEADLESS_READY = re.compile(r'"Event": "Started"')
GUI_READY = re.compile(r"rostray is running")


@contextlib.contextmanager
def started(
    argv: list[str], env: dict[str, str], ready: re.Pattern[str], timeout: float = 60
) -> Iterator[tuple[subprocess.Popen[bytes], float, list[str]]]:
    """Spawn, wait for the ready line on stdout or stderr; yield (process, seconds, lines)."""
    began = time.perf_counter()
    proc = subprocess.Popen(
        [PYTHON, *argv],
        cwd=REPO,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    lines: list[str] = []
    try:
        seconds = _wait_ready(proc, ready, began, timeout, lines)
        yield proc, seconds, lines
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(10)
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()


def _wait_ready(
    proc: subprocess.Popen[bytes],
    ready: re.Pattern[str],
    began: float,
    timeout: float,
    lines: list[str],
) -> float:
    selector = selectors.DefaultSelector()
    for stream in (proc.stdout, proc.stderr):
        assert stream is not None
        os.set_blocking(stream.fileno(), False)
        selector.register(stream, selectors.EVENT_READ)
    buffers: dict[int, bytes] = {}
    try:
        while time.perf_counter() - began < timeout:
            for key, _ in selector.select(0.05):
                chunk = key.fileobj.read() or b""  # type: ignore[union-attr]
                if not chunk and proc.poll() is not None:
                    raise RuntimeError(f"exited with {proc.returncode}: {lines[-5:]}")
                fd = key.fileobj.fileno()  # type: ignore[union-attr]
                *complete, buffers[fd] = (buffers.get(fd, b"") + chunk).split(b"\n")
                for raw in complete:
                    line = raw.decode(errors="replace")
                    lines.append(line)
                    if ready.search(line):
                        return time.perf_counter() - began
        raise TimeoutError(f"not ready after {timeout}s: {lines[-5:]}")
    finally:
        selector.close()


def _switches(pid: int) -> dict[int, int]:
    counts = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        with contextlib.suppress(OSError):
            text = (task / "status").read_text()
            counts[int(task.name)] = sum(
                int(line.split()[1])
                for line in text.splitlines()
                if line.startswith(("voluntary_ctxt_switches", "nonvoluntary_ctxt_switches"))
            )
    return counts


def idle_profile(pid: int, seconds: float) -> Row:
    import psutil

    proc = psutil.Process(pid)
    cpu0, sw0 = proc.cpu_times(), _switches(pid)
    time.sleep(seconds)
    cpu1, sw1 = proc.cpu_times(), _switches(pid)
    per_thread = {tid: n - sw0.get(tid, 0) for tid, n in sw1.items()}
    minutes = seconds / 60
    memory = proc.memory_full_info()
    return {
        "idle_seconds": seconds,
        "rss_mb": memory.rss / 2**20,
        "uss_mb": memory.uss / 2**20,
        "threads": proc.num_threads(),
        "cpu_seconds": (cpu1.user + cpu1.system) - (cpu0.user + cpu0.system),
        "wakeups_per_min": sum(per_thread.values()) / minutes,
        "busiest_thread_wakeups_per_min": max(per_thread.values(), default=0) / minutes,
        "per_thread_switches": sorted(per_thread.values(), reverse=True),
    }


def as_installed(env: dict[str, str], root: Path) -> dict[str, str]:
    """Byte-compiled, as an installed rostray is (pip compiles at install; a checkout writes
    its bytecode on the first start). The bench's other processes run with
    PYTHONDONTWRITEBYTECODE, and with it every start compiled rostray's modules from source
    again (~0.2 s, bench/fixes.md); the bytecode goes under ``root``, not the checkout."""
    env = {k: v for k, v in env.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(root / "pycache")
    return env


def _startups(
    argv: list[str], root: Path, ready: re.Pattern[str], runs: int, extra: dict
) -> tuple[list[float], float]:
    """Timed starts, and the first (not counted: it writes the bytecode and warms the page
    cache), which is what the first start after installing from source costs."""
    times = []
    first = 0.0
    for i in range(runs + 1):
        env = as_installed({**isolated_env(root / f"start-{i}"), **extra}, root)
        with started(argv, env, ready) as (_, seconds, _lines):
            if i:
                times.append(seconds)
            else:
                first = seconds
    return times, first


def measure(
    argv: list[str], root: Path, ready: re.Pattern[str], windows: list[float], extra: dict
) -> Row:
    """Start-up times, then idle profiles over consecutive windows; the last one is the
    steady state (the tray app polls for a late tray host during its first minute)."""
    runs = 1 if windows[0] < 30 else 3
    times, first = _startups(argv, root, ready, runs, extra)
    env = as_installed({**isolated_env(root / "idle"), **extra}, root)
    with started(argv, env, ready) as (proc, _, _):
        time.sleep(2.0)  # let start-up work (first GC, lazy imports) finish
        log(f"footprint: {sum(windows):.0f} s idle for {' '.join(argv[1:])}")
        profiles = [idle_profile(proc.pid, seconds) for seconds in windows]
    result: Row = {"startup_s": spread(times), "first_start_s": first, **profiles[-1]}
    if len(profiles) > 1:
        result["first_window"] = profiles[0]
    return result


def import_times(root: Path, top: int = 10) -> dict[str, Any]:
    """Import time by top-level package (self time summed, so nothing counts twice), from
    one headless start-up under ``-X importtime``."""
    env = as_installed(isolated_env(root / "importtime"), root / "headless")
    with started(["-X", "importtime", *HEADLESS], env, HEADLESS_READY) as (_, _, lines):
        pass
    totals: dict[str, int] = {}
    for line in lines:
        match = re.match(r"import time:\s+(\d+) \|\s+(\d+) \| \s*(\S+)", line)
        if match:
            name = match.group(3).split(".")[0]
            totals[name] = totals.get(name, 0) + int(match.group(1))
    ranked = sorted(totals.items(), key=lambda kv: kv[1], reverse=True)
    return {
        "total_ms": sum(totals.values()) / 1000,
        "top": [{"package": name, "ms": us / 1000} for name, us in ranked[:top]],
    }


def run(root: Path, env: dict[str, str], quick: bool = False) -> Row:
    work = root / "footprint"
    log("footprint: headless start-up and idle")
    headless = measure(HEADLESS, work / "headless", HEADLESS_READY, [8.0] if quick else [45.0], {})
    imports = import_times(work)
    result: Row = {
        "title": "Footprint",
        "headless": headless,
        "imports_ms": imports,
    }
    targets = [
        check("headless: start-up", headless["startup_s"]["median"], "<=", 1.5, "s"),
        check("headless: idle RSS", headless["rss_mb"], "<=", 150, "MB"),
        check(
            "headless: busiest thread wake-ups",
            headless["busiest_thread_wakeups_per_min"],
            "<=",
            2,
            "/min",
        ),
    ]
    if (REPO / "rostray" / "gui" / "app.py").exists():
        log("footprint: tray app start-up and idle (QT_QPA_PLATFORM=offscreen)")
        windows = [8.0, 8.0] if quick else [63.0, 30.0]  # the tray-host poll lasts 60 s
        offscreen = {"QT_QPA_PLATFORM": "offscreen"}
        gui = measure(GUI, work / "gui", GUI_READY, windows, offscreen)
        result["gui"] = gui
        targets = [
            check("tray app: start-up to tray", gui["startup_s"]["median"], "<=", 1.5, "s"),
            check("tray app: idle RSS", gui["rss_mb"], "<=", 150, "MB"),
            check(
                "tray app: busiest thread wake-ups",
                gui["busiest_thread_wakeups_per_min"],
                "<=",
                2,
                "/min",
            ),
            *targets,
        ]
    else:
        result["gui"] = None
        targets = [
            not_available("tray app: start-up to tray", "<= 1.5 s", "not available yet"),
            not_available("tray app: idle RSS", "<= 150 MB", "not available yet"),
            *targets,
        ]
    result["targets"] = targets
    return result
