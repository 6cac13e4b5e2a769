"""Benchmark 2: callback → notification latency, GetStack verification included.

Each sample is a stack on the in-process sandbox waiting on a WaitCondition. The bench signals
it; the sandbox finishes the stack and POSTs the notification to the engine's receiver; the
engine persists it, verifies with GetStack (signed by the SDK, sent from the event loop) and
publishes StackFinished. The latency runs from the sandbox's POST leaving its sender to a bus
subscriber (the notifier) getting StackFinished, with the parts in between timed too.

"Under load": while each round's stacks finish, a separate process sends 1,000 other callbacks
over 64 connections: a third duplicates for other, already announced stacks, a third forged
bodies on other stacks' tokens, a third unknown tokens. Two intensities: *paced*, 1,000 over
2 s (500/s), and *flood*, as fast as the 64 connections are answered (more than the engine can
take, so there the latency is mostly the backlog). The receiver's rate limit is off here
(``rate_limit=None``), else most of that traffic would be answered 429 and prove nothing.
"""

from __future__ import annotations

import asyncio
import json
import random
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.common import EMPTY_TEMPLATE, LoopLag, Row, check, distribution, log, percentile
from bench.loadgen import Burst
from bench.rig import LARGE_WAIT_TEMPLATE, WAIT_TEMPLATE, Rig, engine_rig
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


async def _one_at_a_time(
    rig: Rig, count: int, prefix: str, template: str = WAIT_TEMPLATE
) -> list[dict[str, float]]:
    samples = []
    for i in range(count):
        [launch] = await rig.launch_many([f"{prefix}-{i}"], template)
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
    rig: Rig, burst_spec: dict[str, Any], env: dict[str, str], name: str, per_round: int
) -> tuple[list[dict[str, float]], dict[str, Any]]:
    """Stacks finish one by one, evenly spread over the expected length of the burst."""
    spacing = (
        BACKGROUND / burst_spec["rate"] * 0.75 if burst_spec.get("rate") else 0.25
    ) / per_round
    names = [f"{name}-{k}" for k in range(per_round)]
    launches = await rig.launch_many(names, WAIT_TEMPLATE)
    await rig.wait_tokens_ready(launches)
    await asyncio.sleep(0.02)
    async with Burst(burst_spec, env, rig.root) as burst:
        burst.go()
        await asyncio.sleep(0.03)  # the first connections' callbacks are arriving
        for launch in launches:
            rig.signal(launch)
            await asyncio.sleep(spacing)
        await _await_announced(rig, [x.stack_id for x in launches])
        result = await burst.result()
    await rig.settle()  # drain the verification backlog before the next round
    return [_sample(rig, x) for x in launches], result


PACED_RATE = 500.0  # 1,000 callbacks over 2 s
CASES = {"paced": PACED_RATE, "flood": None}


@dataclass
class Case:
    samples: list[dict[str, float]] = field(default_factory=list)
    bursts: list[dict[str, Any]] = field(default_factory=list)
    lags: list[float] = field(default_factory=list)
    get_stack_calls: int = 0


@dataclass
class Collected:
    """What the engine gathered over the run."""

    rig: Rig
    spec: dict[str, Any] = field(default_factory=dict)
    idle: list[dict[str, float]] = field(default_factory=list)
    idle_large: list[dict[str, float]] = field(default_factory=list)  # 40 KB template
    cases: dict[str, Case] = field(default_factory=lambda: {name: Case() for name in CASES})


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


async def _loaded(c: Collected, case: str, env: dict[str, str], r: int, per_round: int) -> None:
    spec = {**c.spec, "rate": CASES[case]}
    inst = c.rig.instruments
    calls_before = inst.total_get_stack
    lag = LoopLag().start()
    samples, burst = await _loaded_round(c.rig, spec, env, f"{case}-{r}", per_round)
    await lag.stop()
    result = c.cases[case]
    result.samples += samples
    result.bursts.append(burst)
    result.lags += lag.lags
    result.get_stack_calls += inst.total_get_stack - calls_before - len(samples)


async def _run(root: Path, env: dict[str, str], quick: bool) -> dict[str, Any]:
    """One engine as shipped: warm-up, idle samples, then rounds alternating between the
    paced and the flood load, so a change in the machine's load hits both alike."""
    idle_n, rounds, per_round, warmup = (20, 1, 5, 3) if quick else (100, 6, 10, 10)
    async with engine_rig(root / "shipped", rate_limit=None) as rig:
        c = Collected(rig)
        log(f"latency: {warmup} warm-up + {idle_n} samples, each also with a 40 KB template")
        await _one_at_a_time(rig, warmup, "warm")
        await _one_at_a_time(rig, warmup, "warm-large", LARGE_WAIT_TEMPLATE)
        for i in range(idle_n):  # alternating, so a change in the machine's speed hits both
            c.idle += await _one_at_a_time(rig, 1, f"idle-{i}")
            c.idle_large += await _one_at_a_time(rig, 1, f"large-{i}", LARGE_WAIT_TEMPLATE)
        await _prepare_background(c)
        log(f"latency: {rounds} rounds x {per_round} stacks per load, alternating")
        async with ControlTicker(env) as control:
            for r in range(rounds):
                for case in CASES:
                    await _loaded(c, case, env, r, per_round)
        return _raw(c, control.result)


def _lag(lags: list[float]) -> dict[str, float]:
    return {
        **distribution([x * 1000 for x in lags]),
        "over_50ms": sum(1 for x in lags if x > 0.05),
    }


def _raw(c: Collected, control: dict[str, Any]) -> dict[str, Any]:
    return {
        "tracker_short_cuts": getattr(c.rig.engine.tracker, "short_cuts", None),
        "idle": c.idle,
        "idle_large": c.idle_large,
        "cases": {
            name: {
                "samples": case.samples,
                "bursts": case.bursts,
                "loop_lag_ms": _lag(case.lags),
                "background_get_stack_calls": case.get_stack_calls,
            }
            for name, case in c.cases.items()
        },
        "control_lag_ms": control,
        "verdicts": {k: v for k, v in c.rig.instruments.verdicts.items() if k != "pending"},
    }


def _parts(samples: list[dict[str, float]]) -> dict[str, dict[str, float]]:
    keys = ("total_ms", "delivery_ms", "to_getstack_ms", "announce_ms", "finish_to_post_ms")
    return {k: distribution([s[k] for s in samples]) for k in keys}


def run(root: Path, env: dict[str, str], quick: bool = False) -> Row:
    shipped = _summary(asyncio.run(_run(root / "latency", env, quick)))
    return {
        "title": "Callback → notification latency",
        "paced_rate": PACED_RATE,
        "shipped": shipped,
        "targets": targets(shipped),
    }


def targets(shipped: Row) -> list[Row]:
    """The target lines for one summary (``_summary``); the findings text reads its verdicts
    from these."""
    idle = shipped["idle"]["total_ms"]
    return [
        check("p50, 1 stack", idle["p50"], "<=", 5, "ms"),
        check("p99, 1 stack", idle["p99"], "<=", 25, "ms"),
        check(
            f"p99 while 1,000 other callbacks arrive at {PACED_RATE:.0f}/s",
            shipped["paced"]["total_ms"]["p99"],
            "<=",
            100,
            "ms",
        ),
        check(
            "p99 while 1,000 other callbacks arrive as fast as answered",
            shipped["flood"]["total_ms"]["p99"],
            "<=",
            100,
            "ms",
        ),
    ]


def _summary(raw: dict[str, Any]) -> Row:
    result: Row = {
        "idle": _parts(raw["idle"]),
        "idle_samples": [s["total_ms"] for s in raw["idle"]],
        "idle_large": _parts(raw["idle_large"]),
        "idle_large_samples": [s["total_ms"] for s in raw["idle_large"]],
        "control_lag_ms": raw["control_lag_ms"],
        "verdicts": raw["verdicts"],
        "tracker_short_cuts": raw["tracker_short_cuts"],
    }
    for name, case in raw["cases"].items():
        rates = [b["rps"] for b in case["bursts"]]
        statuses: dict[str, int] = {}
        for b in case["bursts"]:
            for code, n in b["statuses"].items():
                statuses[code] = statuses.get(code, 0) + n
        result[name] = _parts(case["samples"])
        result[f"{name}_samples"] = [s["total_ms"] for s in case["samples"]]
        result[f"{name}_background"] = {
            "rounds": len(case["bursts"]),
            "callbacks_per_round": BACKGROUND,
            "arrival_rate_median": percentile(rates, 50) if rates else 0.0,
            "statuses": statuses,
            "get_stack_calls": case["background_get_stack_calls"],
            "loop_lag_ms": case["loop_lag_ms"],
        }
    return result
