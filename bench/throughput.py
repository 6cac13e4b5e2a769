"""Benchmark 1: receiver throughput on loopback: keep-alive, 64 concurrent senders, valid
callbacks for known tokens, each persisted to SQLite before the reply.

Every server runs in its own process pinned to one core, the load generator in another pinned
to the other core. The same 64 payloads (the seed's callback shape, one per token) and the
same concurrency go to every server; runs are interleaved round-robin (a different order each
round) so a burst of load from elsewhere on the machine hurts every server alike.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.common import (
    PYTHON,
    Row,
    check,
    context_switches,
    free_port,
    log,
    percentile,
    process_cpu_split,
    ratio,
    server_process,
    spread,
)
from bench.loadgen import pick_tool, run_load

CONCURRENCY = 64


@dataclass(frozen=True)
class Server:
    kind: str  # bench.servers KIND, or "web.py"
    loop: str  # the event loop it runs on (web.py: cheroot's thread pool)
    what: str

    @property
    def db(self) -> str:
        return f"{self.kind}-{self.loop}.sqlite3"


SERVERS = {
    "web.py (seed)": Server("web.py", "threads", "baseline: the tutorial's web.py app"),
    "bare aiohttp": Server(
        "bare", "uvloop", "ceiling: a handler that reads the body and answers 200"
    ),
    "rostray receiver": Server(
        "receiver",
        "uvloop",
        "Receiver as shipped (rate_limit=None) + AsyncStore.record_callback, on the loop the "
        "headless mode runs on",
    ),
    "receiver, no store": Server(
        "receiver-nostore", "uvloop", "the same Receiver with a callback handler that does nothing"
    ),
    "bare aiohttp, asyncio loop": Server(
        "bare", "asyncio", "the ceiling on Python's own loop (ROSTRAY_EVENT_LOOP=asyncio)"
    ),
    "rostray receiver, asyncio loop": Server(
        "receiver", "asyncio", "the receiver with its store on Python's own loop (Windows)"
    ),
}
BASELINE, CEILING, SUBJECT = "web.py (seed)", "bare aiohttp", "rostray receiver"
RECEIVERS = [name for name, server in SERVERS.items() if server.kind == "receiver"]


def ceiling_of(name: str) -> str:
    """The bare aiohttp row on the same loop: what this server is a fraction of."""
    loop = SERVERS[name].loop
    return next((n for n, s in SERVERS.items() if s.kind == "bare" and s.loop == loop), CEILING)


def seed_body(stack_id: str, name: str) -> str:
    """A callback of the seed's shape (Outputs with a CurlCli command), about 600 bytes."""
    curl = (
        "curl -i -X POST -H 'Content-Type: application/json' -H 'Accept: application/json' "
        "-H 'x-acs-region-id: cn-beijing' http://100.100.100.110/waitcondition?stackname="
        f"{name}\\&stackid={stack_id}\\&resource=WaitConditionHandle\\&expire=1700000000"
        "\\&signature=" + "0" * 40
    )
    return json.dumps(
        {
            "Outputs": [
                {
                    "Description": "No description given",
                    "OutputKey": "CurlCli",
                    "OutputValue": curl,
                }
            ],
            "StackId": stack_id,
            "StackName": name,
            "Status": "CREATE_COMPLETE",
        }
    )


def payloads(tokens: list[str]) -> list[dict[str, str]]:
    return [
        {"path": f"/hooks/{t}", "body": seed_body(str(uuid.uuid4()), f"stack-{i}")}
        for i, t in enumerate(tokens)
    ]


def _argv(name: str, port: int, work: Path, tokens_file: Path) -> list[str]:
    server = SERVERS[name]
    if server.kind == "web.py":
        return [PYTHON, str(Path(__file__).with_name("website.py")), f"127.0.0.1:{port}"]
    return [
        PYTHON, "-m", "bench.servers", server.kind, str(port), "--loop", server.loop,
        "--db", str(work / server.db), "--tokens", str(tokens_file),
    ]  # fmt: skip


def _rotations(names: list[str], rounds: int) -> Iterator[tuple[int, list[str]]]:
    for r in range(rounds):
        shift = r % len(names)
        yield r, names[shift:] + names[:shift]


def _persisted(db: Path) -> int:
    if not db.exists():
        return 0
    with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
        return int(conn.execute("SELECT coalesce(max(id), 0) FROM callbacks").fetchone()[0])


def _measure(
    work: Path, env: dict[str, str], requests: list[dict[str, str]], quick: bool
) -> dict[str, Any]:
    rounds, seconds, warmup = (1, 2.0, 1.0) if quick else (5, 3.0, 2.0)
    tokens_file = work / "tokens.json"
    names = list(SERVERS)
    ports = {name: free_port() for name in names}
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in names}
    answered: dict[str, int] = dict.fromkeys(names, 0)
    pids: dict[str, int] = {}
    with ExitStack() as stack:
        for name in names:
            argv = _argv(name, ports[name], work, tokens_file)
            stderr = work / f"server-{names.index(name)}.stderr"
            pids[name] = stack.enter_context(server_process(argv, ports[name], env, stderr)).pid

        def spec(name: str, duration: float) -> dict[str, Any]:
            path_only = name == BASELINE  # web.py serves POST / only
            reqs = [{**r, "path": "/"} for r in requests] if path_only else requests
            return {
                "port": ports[name],
                "requests": reqs,
                "concurrency": CONCURRENCY,
                "duration": duration,
            }

        for name in names:
            answered[name] += run_load(spec(name, warmup), env, work)["requests"]
        for r, order in _rotations(names, rounds):
            log(f"throughput: round {r + 1}/{rounds}")
            for name in order:
                user0, sys0 = process_cpu_split(pids[name])
                switches0 = context_switches(pids[name])
                result = run_load(spec(name, seconds), env, work)
                user1, sys1 = process_cpu_split(pids[name])
                answers = max(result["requests"], 1)
                # The server's own CPU (every thread) per answer: where its one core goes, and
                # how much of it the kernel's (system calls, scheduling).
                result["server_cpu_us"] = (user1 - user0 + sys1 - sys0) / answers * 1e6
                result["server_sys_us"] = (sys1 - sys0) / answers * 1e6
                result["switches_per_answer"] = (context_switches(pids[name]) - switches0) / answers
                answered[name] += result["requests"]
                runs[name].append(result)
    persisted = {name: _persisted(work / SERVERS[name].db) for name in RECEIVERS}
    return {"runs": runs, "answered": answered, "persisted": persisted, "seconds": seconds}


def _summary(runs: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "rps": spread([r["rps"] for r in runs]),
        "p50_ms": spread([r["latency_ms"]["p50"] for r in runs]),
        "p99_ms": spread([r["latency_ms"]["p99"] for r in runs]),
        "errors": sum(sum(r["errors"].values()) for r in runs),
        "non_2xx": sum(v for r in runs for k, v in r["statuses"].items() if not k.startswith("2")),
        "loadgen_cpu": percentile([r["cpu_util"] for r in runs], 50),
        "cpu_us": spread([r["server_cpu_us"] for r in runs]),
        "sys_us": spread([r.get("server_sys_us", 0.0) for r in runs]),
        "switches": spread([r.get("switches_per_answer", 0.0) for r in runs]),
    }


def run(root: Path, env: dict[str, str], quick: bool = False) -> Row:
    work = root / "throughput"
    work.mkdir(parents=True, exist_ok=True)
    tokens = [secrets.token_urlsafe(32) for _ in range(CONCURRENCY)]
    (work / "tokens.json").write_text(json.dumps(tokens))
    raw = _measure(work, env, payloads(tokens), quick)
    table = {
        name: {**_summary(runs), "what": SERVERS[name].what, "loop": SERVERS[name].loop}
        for name, runs in raw["runs"].items()
    }
    rps = {name: row["rps"]["median"] for name, row in table.items()}
    for name, row in table.items():
        row["x_baseline"] = ratio(rps[name], rps[BASELINE])
        row["of_ceiling"] = ratio(rps[name], rps[ceiling_of(name)])
    return {
        "title": "Receiver throughput",
        "tool": pick_tool({"duration": 1}),
        "concurrency": CONCURRENCY,
        "seconds_per_run": raw["seconds"],
        "rounds": len(raw["runs"][SUBJECT]),
        "servers": table,
        "answered": raw["answered"],
        "persisted": raw["persisted"],
        "runs": raw["runs"],
        "targets": [
            check("receiver vs web.py", table[SUBJECT]["x_baseline"], ">=", 10, "×"),
            check("receiver vs bare aiohttp", table[SUBJECT]["of_ceiling"], ">=", 0.5, "×"),
        ],
    }
