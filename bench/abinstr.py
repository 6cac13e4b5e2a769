"""Before/after of the receiver in instructions per callback: ``python -m bench.abinstr
--before REV``. Needs valgrind (``apt-get install valgrind``); for recording a fix, not part
of ``make bench``.

``bench.abcpu`` reads CPU time, and on this shared machine the same build's CPU per callback
moved between 190 and 372 µs within minutes (bench/fixes.md, session 6): changes under ~15 %
drown. Instructions do not drift. ``bench/instr_workload.py`` runs the receiver and a fixed
client in one process under ``valgrind --tool=cachegrind``, twice, with two request counts;
the difference in instructions over the difference in requests is the work per callback
(start-up and warm-up cancel). The store's thread is included. The client sends in waves
(``--wave`` connections send one request each, then their answers are read), so the store's
trips hold about ``--wave`` rows in every run: two runs of one build agree to a few tens of
instructions in 500,000 (a free-running client spread them by ±1.5 %). A change to the cost
per trip shows in proportion to these trips: ``--wave 8`` is close to the 6-7 rows a trip
holds under the throughput benchmark's load, the default 64 weighs a trip's cost ten times
less.

The revision is exported next to this tree and its ``rostray`` package put first on the
path, with this tree's ``bench`` (the same client for both).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.ab import export_revision
from bench.common import PYTHON, REPO, isolated_env, log

COUNTS = (640, 3200)  # warm-up is COUNTS[0] in both runs; multiples of the 64 connections
_REFS = re.compile(r"I\s+refs:\s+([\d,]+)")


def instructions(
    kind: str, count: int, wave: int, pythonpath: str, root: Path, loop: str = "asyncio"
) -> int:
    """Instructions the whole process executed for the workload with ``count`` requests."""
    env = {**isolated_env(root), "PYTHONPATH": pythonpath, "PYTHONHASHSEED": "0"}
    argv = [
        "valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null",
        PYTHON, "-m", "bench.instr_workload", kind, str(COUNTS[0]), str(count),
        "--wave", str(wave), "--loop", loop,
    ]  # fmt: skip
    done = subprocess.run(argv, cwd=root, env=env, capture_output=True, text=True, check=False)
    match = _REFS.search(done.stderr)
    if done.returncode != 0 or match is None:
        raise RuntimeError(f"{' '.join(argv[-6:])} failed:\n{done.stderr[-2000:]}")
    return int(match.group(1).replace(",", ""))


def per_callback(kind: str, wave: int, pythonpath: str, root: Path, loop: str = "asyncio") -> float:
    low, high = (instructions(kind, count, wave, pythonpath, root, loop) for count in COUNTS)
    return (high - low) / (COUNTS[1] - COUNTS[0])


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench.abinstr")
    parser.add_argument("--before", required=True, help="git revision to compare against")
    parser.add_argument(
        "--kinds", default="receiver,receiver-nostore", help="comma-separated server kinds"
    )
    parser.add_argument(
        "--wave",
        type=int,
        default=64,
        help="connections sending at once: 64 (all) or 8 (trips of the throughput load's size)",
    )
    parser.add_argument(
        "--loop",
        choices=("asyncio", "uvloop"),
        default="asyncio",
        help="the event loop of client and server (uvloop: what the headless mode runs on)",
    )
    return parser


def main() -> int:
    args = build_parser().parse_args()
    if shutil.which("valgrind") is None:
        print("bench.abinstr needs valgrind: apt-get install valgrind", file=sys.stderr)
        return 2
    kinds = [k for k in args.kinds.split(",") if k]
    with tempfile.TemporaryDirectory(prefix="rostray-abinstr-") as tmp:
        root = Path(tmp)
        old = root / "before"
        old.mkdir()
        export_revision(args.before, old)
        shadow = root / "shadow"  # the old rostray first, this tree's bench after it
        shadow.mkdir()
        (shadow / "rostray").symlink_to(old / "rostray")
        paths = {"before": f"{shadow}{os.pathsep}{REPO}", "after": str(REPO)}
        result: dict[str, dict[str, float]] = {}
        for kind in kinds:
            result[kind] = {}
            for build, pythonpath in paths.items():
                result[kind][build] = per_callback(kind, args.wave, pythonpath, root, args.loop)
                log(f"abinstr: {kind} @ {build}: {result[kind][build]:,.0f} per callback")
    for kind, row in result.items():
        print(
            json.dumps(
                {
                    "kind": kind,
                    "wave": args.wave,
                    "loop": args.loop,
                    "before": args.before,
                    "instructions_per_callback_before": round(row["before"]),
                    "instructions_per_callback_after": round(row["after"]),
                    "after_over_before": round(row["after"] / row["before"], 4),
                }
            )
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
