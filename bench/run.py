"""Run the benchmarks and write the report: ``python -m bench.run [--quick] [--only NAME]``.

A full run writes ``bench/results.json``, ``docs/benchmarks.md`` and ``docs/bench/*.png``; a
``--quick`` smoke run (a few samples of everything, about two minutes) writes the same files
under ``build/bench-quick/`` unless ``--out`` says otherwise. ``--only`` runs some benchmarks
and merges them into an existing results file (each benchmark keeps its own timestamp).
Everything runs in a throw-away HOME with no credentials, and talks to 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import resource
import shutil
import subprocess
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from bench import (
    burst,
    footprint,
    latency,
    report,
    sandbox_scaling,
    throughput,
    time_to_know,
)
from bench.common import (
    REPO,
    SERVER_CPU,
    isolate_this_process,
    isolated_env,
    log,
    machine_info,
    percentile,
    pin,
    unpin,
)
from bench.loadgen import wrk_available

Benchmark = Callable[[Path, dict[str, str], bool], dict[str, Any]]
BENCHMARKS: dict[str, Benchmark] = {
    "throughput": throughput.run,
    "latency": latency.run,
    "time_to_know": time_to_know.run,
    "burst": burst.run,
    "footprint": footprint.run,
    "sandbox_scaling": sandbox_scaling.run,
}
# In-process benchmarks (engine + sandbox in this interpreter) run pinned to the server core,
# so the load generator keeps the other one, as in the throughput benchmark.
IN_PROCESS = frozenset({"latency", "time_to_know", "burst", "sandbox_scaling"})


def calibrate(rounds: int = 5) -> list[float]:
    """A fixed pure-Python workload, in ms: slower than the machine's best means sharing."""
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        total = 0
        for i in range(300_000):
            total += i * i % 7
        times.append((time.perf_counter() - started) * 1000)
    return times


def _own_cpu() -> float:
    usage = [resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
    return sum(u.ru_utime + u.ru_stime for u in usage)


def _busy_cpu() -> float:
    import psutil

    t = psutil.cpu_times()
    return sum(t) - t.idle - getattr(t, "iowait", 0.0)


@contextlib.contextmanager
def observed(record: dict[str, Any]) -> Iterator[None]:
    """Load average, a calibration workload and other processes' CPU around one benchmark."""
    record["loadavg_before"] = os.getloadavg()[0]
    record["calibration_ms_before"] = percentile(calibrate(3), 50)
    busy, own, started = _busy_cpu(), _own_cpu(), time.perf_counter()
    try:
        yield
    finally:
        wall = time.perf_counter() - started
        record["other_processes_cores"] = max(
            ((_busy_cpu() - busy) - (_own_cpu() - own)) / wall if wall else 0.0, 0.0
        )
        record["loadavg_after"] = os.getloadavg()[0]
        record["calibration_ms_after"] = percentile(calibrate(3), 50)


def run_one(name: str, root: Path, env: dict[str, str], quick: bool) -> dict[str, Any]:
    log(f"=== {name}")
    load: dict[str, Any] = {}
    started = time.perf_counter()
    if name in IN_PROCESS:
        pin(0, SERVER_CPU)
    try:
        with observed(load):
            result = BENCHMARKS[name](root, env, quick)
    except Exception:
        log(f"{name} failed:\n{traceback.format_exc()}")
        result = {"title": name, "error": traceback.format_exc(limit=8)}
    finally:
        unpin()
    result["seconds"] = time.perf_counter() - started
    result["machine_load"] = load
    result["measured_at"] = time.strftime("%Y-%m-%d %H:%M:%S %Z")
    return result


def git_commit() -> str:
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=REPO, capture_output=True, text=True, timeout=10
        )
        if out.returncode == 0:
            return out.stdout.strip()
    return "unknown"


def meta(quick: bool) -> dict[str, Any]:
    best = min(calibrate(7))
    return {
        **machine_info(),
        "quick": quick,
        "commit": git_commit(),
        "loadgen": "wrk (throughput) + python-asyncio (bursts)"
        if wrk_available()
        else "python-asyncio",
        "calibration_best_ms": best,
    }


def paths(args: argparse.Namespace) -> tuple[Path, Path, Path]:
    out = args.out or (REPO / "build" / "bench-quick" if args.quick else None)
    if out is None:
        return (
            REPO / "bench" / "results.json",
            REPO / "docs" / "benchmarks.md",
            REPO / "docs" / "bench",
        )
    return out / "results.json", out / "benchmarks.md", out / "bench"


def load_previous(path: Path, only: list[str] | None) -> dict[str, Any]:
    if only and path.exists():
        with contextlib.suppress(ValueError):
            return json.loads(path.read_text())
    return {}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a fast smoke run")
    parser.add_argument("--only", action="append", choices=list(BENCHMARKS))
    parser.add_argument("--out", type=Path, help="write results, report and charts here")
    parser.add_argument("--report-only", action="store_true", help="re-render from results")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    results_path, markdown, charts = paths(args)
    if args.report_only:
        report.write(json.loads(results_path.read_text()), markdown, charts)
        return 0
    root = Path(tempfile.mkdtemp(prefix="rostray-bench-"))
    env = isolated_env(root)
    isolate_this_process(root)
    # rostray logs as the CLI configures it (WARNING and up), to a file instead of the console.
    logging.basicConfig(level=logging.WARNING, filename=root / "rostray.log")
    results = load_previous(results_path, args.only)
    results["meta"] = meta(args.quick)
    benches = results.setdefault("benchmarks", {})
    try:
        for name in args.only or list(BENCHMARKS):
            benches[name] = run_one(name, root, env, args.quick)
            results_path.parent.mkdir(parents=True, exist_ok=True)
            results_path.write_text(json.dumps(results, indent=1, default=str))
    finally:
        shutil.rmtree(root, ignore_errors=True)
    # With --only, older benchmarks keep their results: the total is the benchmarks' own.
    results["meta"]["seconds"] = sum(b.get("seconds", 0.0) for b in benches.values())
    results["meta"]["finished"] = time.strftime("%Y-%m-%d %H:%M %Z")
    results_path.write_text(json.dumps(results, indent=1, default=str))
    report.write(results, markdown, charts)
    log(f"wrote {results_path}, {markdown} and charts in {charts}")
    failed = [name for name, b in benches.items() if "error" in b]
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
