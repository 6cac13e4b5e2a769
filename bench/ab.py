"""Before/after throughput of the receiver: ``python -m bench.ab --before REV [--rounds N]``.

Exports git revision ``REV`` to a temporary directory and runs its ``receiver`` server (with
its own rostray on the path) next to this tree's, plus the web.py baseline and the bare aiohttp
ceiling, with the load and interleaving of ``bench/throughput.py``. Prints one JSON line per
server (median callbacks/s, p99, ratios). For recording a fix, not part of ``make bench``.
"""

from __future__ import annotations

import argparse
import json
import secrets
import subprocess
import tempfile
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.common import PYTHON, REPO, free_port, isolated_env, log, ratio, server_process, spread
from bench.loadgen import run_load
from bench.throughput import CONCURRENCY, payloads


def export_revision(rev: str, into: Path) -> None:
    """The tree of git revision ``rev`` (committed files only), unpacked into ``into``."""
    archive = subprocess.run(
        ["git", "archive", rev], cwd=REPO, check=True, capture_output=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)


@dataclass(frozen=True)
class Builds:
    """A revision exported next to this tree, one token set and its callbacks for both."""

    root: Path
    old: Path  # the exported revision
    env: dict[str, str]  # this tree
    old_env: dict[str, str]  # the exported revision first on the path
    requests: list[dict[str, Any]]

    def receiver(self, name: str, port: int | str) -> list[str]:
        """argv of a receiver server writing to its own database."""
        return [
            PYTHON, "-m", "bench.servers", "receiver", str(port),
            "--db", str(self.root / f"{name}.sqlite3"), "--tokens", str(self.root / "tokens.json"),
        ]  # fmt: skip


def export_builds(rev: str, root: Path) -> Builds:
    old = root / "before"
    old.mkdir()
    export_revision(rev, old)
    env = isolated_env(root)
    tokens = [secrets.token_urlsafe(32) for _ in range(CONCURRENCY)]
    (root / "tokens.json").write_text(json.dumps(tokens))
    return Builds(root, old, env, {**env, "PYTHONPATH": str(old)}, payloads(tokens))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench.ab")
    parser.add_argument("--before", required=True, help="git revision to compare against")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=3.0)
    return parser


def main() -> int:
    args = build_parser().parse_args()
    with tempfile.TemporaryDirectory(prefix="rostray-ab-") as tmp:
        builds = export_builds(args.before, Path(tmp))
        root, env, requests = builds.root, builds.env, builds.requests

        servers: dict[str, tuple[list[str], dict[str, str], Path]] = {
            "web.py (seed)": (
                [PYTHON, str(REPO / "bench" / "website.py"), "127.0.0.1:{port}"],
                env,
                REPO,
            ),
            "bare aiohttp": ([PYTHON, "-m", "bench.servers", "bare", "{port}"], env, REPO),
            f"receiver @ {args.before}": (
                builds.receiver("before", "{port}"),
                builds.old_env,
                builds.old,
            ),
            "receiver @ this tree": (builds.receiver("after", "{port}"), env, REPO),
        }
        names = list(servers)
        ports = {name: free_port() for name in names}
        rps: dict[str, list[float]] = {name: [] for name in names}
        p99: dict[str, list[float]] = {name: [] for name in names}
        with ExitStack() as stack:
            for i, (name, (argv, server_env, cwd)) in enumerate(servers.items()):
                argv = [a.replace("{port}", str(ports[name])) for a in argv]
                stderr = root / f"server-{i}.stderr"
                stack.enter_context(server_process(argv, ports[name], server_env, stderr, cwd=cwd))

            def spec(name: str, duration: float) -> dict[str, Any]:
                reqs = [{**r, "path": "/"} for r in requests] if name == names[0] else requests
                return {
                    "port": ports[name],
                    "requests": reqs,
                    "concurrency": CONCURRENCY,
                    "duration": duration,
                }

            for name in names:
                run_load(spec(name, 1.0), env, root)
            for r in range(args.rounds):
                shift = r % len(names)
                for name in names[shift:] + names[:shift]:
                    result = run_load(spec(name, args.seconds), env, root)
                    rps[name].append(result["rps"])
                    p99[name].append(result["latency_ms"]["p99"])
                log(f"ab: round {r + 1}/{args.rounds}")
        base = spread(rps[names[0]])["median"]
        ceiling = spread(rps[names[1]])["median"]
        for name in names:
            median = spread(rps[name])["median"]
            row = {
                "server": name,
                "rps": spread(rps[name]),
                "p99_ms_median": spread(p99[name])["median"],
                "x_web_py": ratio(median, base),
                "of_ceiling": ratio(median, ceiling),
            }
            print(json.dumps(row))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
