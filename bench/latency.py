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
import contextlib
import json
import random
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.common import EMPTY_TEMPLATE, LoopLag, Row, check, distribution, log
from bench.loadgen import Burst
from bench.rig import ALL_FIXES, WAIT_TEMPLATE, Rig, engine_rig
from bench.ticker import ControlTicker
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


VARIANTS: dict[str, frozenset[str]] = {
    "shipped": frozenset(),
    "dedup+batching": frozenset({"dedup", "batching"}),
    "prototype": ALL_FIXES,
}


@dataclass
class Collected:
    """What one variant gathered over the interleaved run."""

    rig: Rig
    spec: dict[str, Any] = field(default_factory=dict)
    idle: list[dict[str, float]] = field(default_factory=list)
    loaded: list[dict[str, float]] = field(default_factory=list)
    bursts: list[dict[str, Any]] = field(default_factory=list)
    lags: list[float] = field(default_factory=list)
    calls_before: int = 0


async def _prepare_background(c: Collected) -> None:
    rig = c.rig
    others = await rig.launch_many([f"other-{i}" for i in range(OTHER_STACKS)], EMPTY_TEMPLATE)
    await rig.settle()
    await _await_announced(rig, [x.stack_id for x in others])
    c.spec = {
        "port": rig.engine.receiver.port if rig.engine.receiver else 0,
        "requests": background_requests(others, random.Random(6)),
        "concurrency": 64,
        "count": BACKGROUND,
    }
    c.calls_before = rig.instruments.total_get_stack


async def _run(root: Path, env: dict[str, str], quick: bool) -> dict[str, Any]:
    """Every variant's engine is up at once; samples and rounds alternate between them, so
    a change in the machine's load hits them alike."""
    idle_n, rounds, per_round, warmup = (20, 2, 5, 3) if quick else (100, 8, 10, 10)
    async with contextlib.AsyncExitStack() as stack:
        runs: dict[str, Collected] = {}
        for name, fixes in VARIANTS.items():
            rig = await stack.enter_async_context(
                engine_rig(root / name, rate_limit=None, fixes=fixes)
            )
            runs[name] = Collected(rig)
        log(f"latency: {len(runs)} variants x ({warmup} warm-up + {idle_n} samples), interleaved")
        for c in runs.values():
            await _one_at_a_time(c.rig, warmup, "warm")
        for i in range(idle_n):
            for c in runs.values():
                c.idle += await _one_at_a_time(c.rig, 1, f"idle-{i}")
        for c in runs.values():
            await _prepare_background(c)
        log(f"latency: {rounds} rounds x {per_round} stacks per variant during bursts")
        async with ControlTicker(env) as control:
            for r in range(rounds):
                for c in runs.values():
                    lag = LoopLag().start()
                    samples, burst = await _loaded_round(c.rig, c.spec, env, r, per_round)
                    await lag.stop()
                    c.loaded += samples
                    c.bursts.append(burst)
                    c.lags += lag.lags
        return {name: _raw(c, control.result) for name, c in runs.items()}


def _raw(c: Collected, control: dict[str, Any]) -> dict[str, Any]:
    inst = c.rig.instruments
    return {
        "tracker_short_cuts": getattr(c.rig.engine.tracker, "short_cuts", None),
        "idle": c.idle,
        "loaded": c.loaded,
        "bursts": c.bursts,
        "loop_lag_ms": {
            **distribution([x * 1000 for x in c.lags]),
            "over_50ms": sum(1 for x in c.lags if x > 0.05),
        },
        "control_lag_ms": control,
        "background_get_stack_calls": inst.total_get_stack - c.calls_before - len(c.loaded),
        "background_callbacks": BACKGROUND * len(c.bursts),
        "verdicts": {k: v for k, v in inst.verdicts.items() if k != "pending"},
    }


def _parts(samples: list[dict[str, float]]) -> dict[str, dict[str, float]]:
    keys = ("total_ms", "delivery_ms", "to_getstack_ms", "announce_ms", "finish_to_post_ms")
    return {k: distribution([s[k] for s in samples]) for k in keys}


def run(root: Path, env: dict[str, str], quick: bool = False) -> Row:
    raw = asyncio.run(_run(root / "latency", env, quick))
    variants = {name: _variant(data) for name, data in raw.items()}
    idle, loaded = variants["shipped"]["idle"], variants["shipped"]["loaded"]
    return {
        "title": "Callback → notification latency",
        "variants": {name: sorted(VARIANTS[name]) for name in VARIANTS},
        **variants,
        "targets": [
            check("p50, 1 stack", idle["total_ms"]["p50"], "<=", 5, "ms"),
            check("p99, 1 stack", idle["total_ms"]["p99"], "<=", 25, "ms"),
            check("p99, during 1,000 other callbacks", loaded["total_ms"]["p99"], "<=", 100, "ms"),
        ],
    }


def _variant(raw: dict[str, Any]) -> Row:
    idle, loaded = _parts(raw["idle"]), _parts(raw["loaded"])
    burst_rps = [b["rps"] for b in raw["bursts"]]
    statuses: dict[str, int] = {}
    for b in raw["bursts"]:
        for code, n in b["statuses"].items():
            statuses[code] = statuses.get(code, 0) + n
    return {
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
            "tracker_short_cuts": raw["tracker_short_cuts"],
        },
        "loop_lag_ms": raw["loop_lag_ms"],
        "control_lag_ms": raw["control_lag_ms"],
    }
