"""Benchmark 3: time-to-know, callback (rostray) versus polling every 5, 15 and 60 s.

Polling is simulated: a stack finishes at a uniformly random moment ``t`` of a 10-minute
lifetime; a poller that calls GetStack every ``I`` seconds from launch learns at the next tick
(``ceil(t / I) * I``) plus one GetStack round trip, and has spent ``ceil(t / I)`` calls. Monte
Carlo with 100,000 stacks, next to the closed forms (delay uniform on [0, I): median I/2;
calls (L/I + 1)/2 on average). The round trip is the one measured against the sandbox.

rostray is measured for real: stacks with one ``ALIYUN::ROS::Sleep`` of a random 1–30 template
seconds (the sandbox runs them at 10 ms per second, so they finish at random moments) are
launched one after another through the engine; the delay runs from the sandbox setting the
terminal status to the notifier getting StackFinished. Every GetStack reaching the sandbox is
counted per stack.
"""

from __future__ import annotations

import asyncio
import math
import random
import time
from pathlib import Path
from typing import Any

from bench.common import Row, check, distribution, log, percentile, ratio
from bench.latency import _await_announced
from bench.rig import Rig, engine_rig
from rostray.core.engine import LaunchRequest

LIFETIME = 600.0
INTERVALS = (5.0, 15.0, 60.0)
MONTE_CARLO = 100_000
SLEEP_TEMPLATE = """{"ROSTemplateFormatVersion": "2015-09-01",
 "Parameters": {"Seconds": {"Type": "Number"}},
 "Resources": {"Nap": {"Type": "ALIYUN::ROS::Sleep",
                       "Properties": {"CreateDuration": {"Ref": "Seconds"}}}}}"""


def simulate_polling(interval: float, rtt: float, rng: random.Random, n: int) -> Row:
    delays, calls = [], []
    for _ in range(n):
        finish = rng.uniform(0.0, LIFETIME)
        ticks = max(math.ceil(finish / interval), 1)
        delays.append(ticks * interval - finish + rtt)
        calls.append(ticks)
    return {
        "interval_s": interval,
        "delay_s": distribution(delays),
        "calls": distribution([float(c) for c in calls]),
        "closed_form": {
            "median_delay_s": interval / 2 + rtt,
            "p99_delay_s": 0.99 * interval + rtt,
            "mean_calls": (LIFETIME / interval + 1) / 2,
        },
    }


async def _round_trip(rig: Rig, stack_id: str, n: int) -> list[float]:
    assert rig.engine.ros is not None
    times = []
    for _ in range(n):
        started = time.perf_counter()
        await rig.engine.ros.get_stack(stack_id)
        times.append(time.perf_counter() - started)
    return times


async def _measure(root: Path, quick: bool) -> dict[str, Any]:
    n, warmup = (10, 3) if quick else (40, 5)
    rng = random.Random(3)
    async with engine_rig(root) as rig:
        delays, calls = [], []
        for i in range(warmup + n):
            seconds = rng.randint(1, 30)
            launch = await rig.engine.launch(
                LaunchRequest(
                    template_body=SLEEP_TEMPLATE,
                    stack_name=f"ttk-{i}",
                    parameters={"Seconds": str(seconds)},
                )
            )
            await _await_announced(rig, [launch.stack_id])
            if i < warmup:
                continue
            inst = rig.instruments
            delays.append(inst.announced_at[launch.stack_id] - inst.finished_at[launch.stack_id])
            calls.append(inst.get_stack_calls[launch.stack_id])
        rtt = await _round_trip(rig, launch.stack_id, 30)
    return {"delays_s": delays, "get_stack_calls": calls, "rtt_s": rtt}


def run(root: Path, env: dict[str, str], quick: bool = False) -> Row:
    log("time-to-know: stacks finishing at random moments, callback path")
    raw = asyncio.run(_measure(root / "time-to-know", quick))
    rtt = percentile(raw["rtt_s"], 50)
    rng = random.Random(5)
    polling = [simulate_polling(i, rtt, rng, MONTE_CARLO) for i in INTERVALS]
    ours = distribution(raw["delays_s"])
    calls = raw["get_stack_calls"]
    five = polling[0]["delay_s"]["p50"]
    return {
        "title": "Time-to-know vs polling",
        "lifetime_s": LIFETIME,
        "get_stack_rtt_s": distribution(raw["rtt_s"]),
        "rostray": {
            "delay_s": ours,
            "get_stack_calls": distribution([float(c) for c in calls]),
            "samples_s": raw["delays_s"],
        },
        "polling": polling,
        "speedup_vs_5s": ratio(five, ours["p50"]),
        "targets": [
            check("median delay, 5 s polling ÷ rostray", ratio(five, ours["p50"]), ">=", 100, "×"),
            check("GetStack calls per stack (max)", float(max(calls)), "<=", 1, ""),
            check("GetStack calls per stack (min)", float(min(calls)), ">=", 1, ""),
        ],
    }
