"""Paired before/after of the receiver by CPU time: ``python -m bench.abcpu --before REV``.

``bench.ab`` compares medians of callbacks/s over rounds; on a shared machine one round can
be twice another, so a 20 % change hides in the spread. This one runs only the two receivers
(``REV`` exported as in ``bench.ab``), alternates them in back-to-back pairs, and reads each
server's CPU time from ``/proc`` around every run: CPU µs per answered callback (loop and store
thread together) depends little on what else the machine is doing, and each pair's
callbacks/s ratio is taken under the same conditions. Linux only; for recording a fix.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
from contextlib import ExitStack
from pathlib import Path

from bench.ab import export_builds
from bench.common import REPO, free_port, log, process_cpu_seconds, server_process
from bench.loadgen import run_load
from bench.throughput import CONCURRENCY


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench.abcpu")
    parser.add_argument("--before", required=True, help="git revision to compare against")
    parser.add_argument("--pairs", type=int, default=6)
    parser.add_argument("--seconds", type=float, default=3.0)
    return parser


def main() -> int:
    args = build_parser().parse_args()
    with tempfile.TemporaryDirectory(prefix="rostray-abcpu-") as tmp:
        exported = export_builds(args.before, Path(tmp))
        root, env, requests = exported.root, exported.env, exported.requests
        builds = {"before": (exported.old_env, exported.old), "after": (env, REPO)}
        cpu_us: dict[str, list[float]] = {name: [] for name in builds}
        rps: dict[str, list[float]] = {name: [] for name in builds}
        with ExitStack() as stack:
            servers = {}
            for name, (server_env, cwd) in builds.items():
                port = free_port()
                argv = exported.receiver(name, port)
                stderr = root / f"{name}.stderr"
                proc = stack.enter_context(server_process(argv, port, server_env, stderr, cwd=cwd))
                servers[name] = (proc.pid, port)

            def spec(port: int, duration: float) -> dict[str, object]:
                return {
                    "port": port,
                    "requests": requests,
                    "concurrency": CONCURRENCY,
                    "duration": duration,
                }

            for _, port in servers.values():
                run_load(spec(port, 1.0), env, root)
            for pair in range(args.pairs):
                order = ["before", "after"] if pair % 2 == 0 else ["after", "before"]
                for name in order:
                    pid, port = servers[name]
                    start = process_cpu_seconds(pid)
                    result = run_load(spec(port, args.seconds), env, root)
                    used = process_cpu_seconds(pid) - start
                    cpu_us[name].append(used / max(result["requests"], 1) * 1e6)
                    rps[name].append(result["rps"])
                log(f"abcpu: pair {pair + 1}/{args.pairs}")
    for name in builds:
        row = {
            "server": f"receiver @ {args.before}" if name == "before" else "receiver @ this tree",
            "cpu_us_per_callback": [round(x, 1) for x in cpu_us[name]],
            "rps": [round(x) for x in rps[name]],
        }
        print(json.dumps(row))
    pairs = [a / b for a, b in zip(rps["after"], rps["before"], strict=True)]
    summary = {
        "cpu_per_callback_after_over_before": round(
            statistics.median(cpu_us["after"]) / statistics.median(cpu_us["before"]), 3
        ),
        "rps_after_over_before_per_pair": [round(x, 2) for x in pairs],
        "rps_ratio_median": round(statistics.median(pairs), 3),
    }
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
