"""Benchmark 2: callback → notification latency, GetStack verification included.

Each sample is a stack on the in-process sandbox waiting on a WaitCondition. The bench signals
it; the sandbox finishes the stack and POSTs the notification to the engine's receiver; the
engine persists it, verifies with GetStack through the SDK and publishes StackFinished. The
latency runs from the sandbox's POST leaving its sender to a bus subscriber (the notifier)
getting StackFinished, with the parts in between timed too.

"Under load": while each round's stacks finish, a separate process fires 1,000 other callbacks
(64 connections): a third duplicates for other, already announced stacks, a third forged
bodies on other stacks' tokens, a third unknown tokens. The receiver's rate limit is off here
(``rate_limit=None``), else most of that traffic would be answered 429 and prove nothing.
"""

from __future__ import annotations

import asyncio
import json
import random
import secrets
import time
from pathlib import Path
from typing import Any

from bench.common import EMPTY_TEMPLATE, LoopLag, Row, check, distribution, log
from bench.loadgen import Burst
from bench.rig import WAIT_TEMPLATE, Rig, engine_rig
from rostray.core.store import Launch
from rostray.sandbox.notify import notification_body

BACKGROUND = 1000
OTHER_STACKS = 50


def _sample(rig: Rig, launch: Launch) -> dict[str, float]:
    inst = rig.instruments
    posted = inst.posted_at[launch.token]
    handled = inst.handled_at[launch.token]
    checks = inst.get_stack_at[launch.stack_id]
    announced = inst.announced_at[launch.stack_id]
    ms = 1000.0
    return {
        "total_ms": (announced - posted) * ms,
        "delivery_ms": (handled - posted) * ms,  # POST → receiver hands it to the tracker
        "to_getstack_ms": (checks[-1] - handled) * ms,  # persist + route → GetStack served
        "announce_ms": (announced - checks[-1]) * ms,  # GetStack answer → StackFinished seen
        "finish_to_post_ms": (posted - inst.finished_at[launch.stack_id]) * ms,
        "get_stack_calls": float(inst.get_stack_calls[launch.stack_id]),
    }


async def _await_announced(rig: Rig, stack_ids: list[str], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not all(s in rig.instruments.announced_at for s in stack_ids):
        if time.monotonic() > deadline:
            missing = [s for s in stack_ids if s not in rig.instruments.announced_at]
            raise TimeoutError(f"{len(missing)} stacks never announced")
        await asyncio.sleep(0.001)


async def _one_at_a_time(rig: Rig, count: int, prefix: str) -> list[dict[str, float]]:
    samples = []
    for i in range(count):
        [launch] = await rig.launch_many([f"{prefix}-{i}"], WAIT_TEMPLATE)
        await rig.wait_tokens_ready([launch])
        await asyncio.sleep(0.01)  # let the launch's own tail (store, tracker) finish
        rig.signal(launch)
        await _await_announced(rig, [launch.stack_id])
        samples.append(_sample(rig, launch))
    return samples


def background_requests(others: list[Launch], rng: random.Random) -> list[dict[str, str]]:
    """1,000 callbacks that are not for the stacks being measured."""
    requests = []
    for i in range(BACKGROUND):
        kind = i % 3
        stack = others[i % len(others)]
        if kind == 0:  # a duplicate of a stack already announced
            token, claimed = stack.token, stack
        elif kind == 1:  # a body on one stack's token that names another stack
            token, claimed = stack.token, others[(i + 1) % len(others)]
        else:  # a token nobody issued
            token, claimed = secrets.token_urlsafe(32), stack
        body = notification_body(claimed.stack_id, claimed.stack_name, "CREATE_COMPLETE", [])
        requests.append({"path": f"/hooks/{token}", "body": json.dumps(body)})
    rng.shuffle(requests)
    return requests


async def _loaded_round(
    rig: Rig, burst_spec: dict[str, Any], env: dict[str, str], index: int, per_round: int
) -> tuple[list[dict[str, float]], dict[str, Any]]:
    names = [f"load-{index}-{k}" for k in range(per_round)]
    launches = await rig.launch_many(names, WAIT_TEMPLATE)
    await rig.wait_tokens_ready(launches)
    await asyncio.sleep(0.02)
    async with Burst(burst_spec, env, rig.root) as burst:
        burst.go()
        await asyncio.sleep(0.03)  # the first connections' callbacks are arriving
        for launch in launches:
            rig.signal(launch)
            await asyncio.sleep(0.025)
        await _await_announced(rig, [x.stack_id for x in launches])
        result = await burst.result()
    await rig.settle()  # drain the verification backlog before the next round
    return [_sample(rig, x) for x in launches], result


async def _run(root: Path, env: dict[str, str], quick: bool) -> dict[str, Any]:
    idle_n, rounds, per_round, warmup = (30, 3, 5, 5) if quick else (200, 20, 10, 10)
    async with engine_rig(root / "latency", rate_limit=None) as rig:
        log(f"latency: {warmup} warm-up + {idle_n} samples, one stack at a time")
        await _one_at_a_time(rig, warmup, "warm")
        idle = await _one_at_a_time(rig, idle_n, "idle")
        others = await rig.launch_many([f"other-{i}" for i in range(OTHER_STACKS)], EMPTY_TEMPLATE)
        await rig.settle()
        await _await_announced(rig, [x.stack_id for x in others])
        spec = {
            "port": rig.engine.receiver.port if rig.engine.receiver else 0,
            "requests": background_requests(others, random.Random(6)),
            "concurrency": 64,
            "count": BACKGROUND,
        }
        log(f"latency: {rounds} rounds x {per_round} stacks during {BACKGROUND}-callback bursts")
        calls_before = rig.instruments.total_get_stack
        lag = LoopLag().start()
        loaded: list[dict[str, float]] = []
        bursts: list[dict[str, Any]] = []
        for r in range(rounds):
            samples, burst = await _loaded_round(rig, spec, env, r, per_round)
            loaded.extend(samples)
            bursts.append(burst)
        lag_summary = await lag.stop()
        background_calls = rig.instruments.total_get_stack - calls_before - len(loaded)
        verdicts = dict(rig.instruments.verdicts)
    return {
        "idle": idle,
        "loaded": loaded,
        "bursts": bursts,
        "loop_lag_ms": lag_summary,
        "background_get_stack_calls": background_calls,
        "background_callbacks": BACKGROUND * rounds,
        "verdicts": verdicts,
    }


def _parts(samples: list[dict[str, float]]) -> dict[str, dict[str, float]]:
    keys = ("total_ms", "delivery_ms", "to_getstack_ms", "announce_ms", "finish_to_post_ms")
    return {k: distribution([s[k] for s in samples]) for k in keys}


def run(root: Path, env: dict[str, str], quick: bool = False) -> Row:
    raw = asyncio.run(_run(root, env, quick))
    idle, loaded = _parts(raw["idle"]), _parts(raw["loaded"])
    burst_rps = [b["rps"] for b in raw["bursts"]]
    statuses: dict[str, int] = {}
    for b in raw["bursts"]:
        for code, n in b["statuses"].items():
            statuses[code] = statuses.get(code, 0) + n
    return {
        "title": "Callback → notification latency",
        "idle": idle,
        "loaded": loaded,
        "idle_samples": [s["total_ms"] for s in raw["idle"]],
        "loaded_samples": [s["total_ms"] for s in raw["loaded"]],
        "burst": {
            "rounds": len(raw["bursts"]),
            "callbacks_per_round": BACKGROUND,
            "arrival_rate_median": sorted(burst_rps)[len(burst_rps) // 2] if burst_rps else 0,
            "statuses": statuses,
            "background_get_stack_calls": raw["background_get_stack_calls"],
            "verdicts": raw["verdicts"],
        },
        "loop_lag_ms": raw["loop_lag_ms"],
        "targets": [
            check("p50, 1 stack", idle["total_ms"]["p50"], "<=", 5, "ms"),
            check("p99, 1 stack", idle["total_ms"]["p99"], "<=", 25, "ms"),
            check("p99, during 1,000 other callbacks", loaded["total_ms"]["p99"], "<=", 100, "ms"),
        ],
    }
