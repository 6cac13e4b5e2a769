"""The "profiling findings" section of docs/benchmarks.md.

The causes were found with py-spy (all threads) and pyinstrument during development of the
bench; the text states them, and every number in it comes from the results of the same run,
so the prose cannot drift from the data.
"""

from __future__ import annotations

from typing import Any

Results = dict[str, Any]


def _get(data: Any, *keys: Any, default: Any = None) -> Any:
    for key in keys:
        if isinstance(data, dict) and key in data:
            data = data[key]
        else:
            return default
    return data


def _n(value: Any, digits: int = 0) -> str:
    if not isinstance(value, int | float):
        return "?"
    return f"{value:,.{digits}f}"


def _throughput(r: Results) -> list[str]:
    s = _get(r, "benchmarks", "throughput", "servers")
    if not s:
        return []
    rps = {name: _get(s, name, "rps", "median") for name in s}
    return [
        "### Receiver throughput: a thread hop per callback, and per-request overhead",
        "",
        "py-spy under load: the event-loop thread is saturated (over 90 % busy) while the "
        "store thread is a third busy. Taking parts away one at a time: the Receiver with a "
        f"do-nothing callback handler manages {_n(rps.get('receiver, no store'))}/s against "
        f"{_n(rps.get('bare aiohttp'))}/s for a bare aiohttp handler, and persisting each "
        f"callback brings it to {_n(rps.get('rostray receiver'))}/s. The costs, in order:",
        "",
        "1. **One `run_in_executor` per store call** (`AsyncStore.run`, "
        "`rostray/core/store.py`): each callback is a thread hand-off, a self-pipe wake-up of "
        "the loop and a GIL hand-over between the loop and the store thread. Fix: let calls "
        "that arrive while the store thread is busy ride the next trip together (group "
        "commit for `record_callback`: one transaction per batch; generic batching for the "
        "rest). Nothing is answered before its row is committed, and a lone callback is "
        "written at once.",
        "2. **Per-request work in `Receiver._hook`** (`rostray/core/receiver.py`): two "
        "middleware layers (aiohttp wraps each one per request), an `asyncio.timeout` timer "
        "armed and cancelled for a body that is already buffered, `json.dumps` of the "
        'constant `{"ok": true}` answer. Fix: one middleware, arm the timeout only when '
        "`request.content.is_eof()` is false, a pre-encoded answer.",
        "3. **`parse_payload`** (`rostray/core/payload.py`, `_decode_json`): "
        "`json.loads(text, object_pairs_hook=…, parse_constant=…)` builds a new JSONDecoder "
        "on every call (about 14 % of the loop with a do-nothing handler). Fix: one "
        "module-level `json.JSONDecoder` and `.decode(text)`.",
        "",
        f"All of it, prototyped in `bench/prototypes/receiver.py`: {_n(rps.get('prototype'))}/s "
        f"versus {_n(rps.get('rostray receiver'))}/s shipped, same contract (committed before "
        "the 200).",
        "",
    ]


def _verification(r: Results) -> list[str]:
    lat = _get(r, "benchmarks", "latency")
    bur = _get(r, "benchmarks", "burst")
    if not lat and not bur:
        return []
    shipped_calls = _get(bur, "shipped", "get_stack_calls")
    proto_calls = _get(bur, "prototype", "get_stack_calls")
    stacks = _get(bur, "shipped", "stacks")
    return [
        "### Under load: every duplicate callback costs a GetStack, and the SDK's threads "
        "starve the event loop",
        "",
        "`Tracker._verify` (`rostray/core/tracker.py`) calls GetStack for every callback whose "
        "body matches its token, also when that stack's status was announced already; only "
        "checks that overlap in time are shared. Each GetStack is a blocking SDK call on one "
        "of 8 executor threads (`RosClient`, `rostray/core/ros.py`): vendored requests, "
        "signing, JSON, all Python holding the GIL. With the sandbox in-process its answer "
        "is produced on the same event loop. py-spy shows the loop thread's time piling up "
        "in C calls that release and re-take the GIL (`transport.write`, the HTTP parser "
        "feed): a GIL convoy, so the receiver slows down and the loop stalls for hundreds "
        "of milliseconds.",
        "",
        f"In the burst, {_n(stacks)} stacks cost {_n(shipped_calls)} GetStack calls shipped and "
        f"{_n(proto_calls)} with the prototype; during the latency benchmark's background "
        f"traffic, {_n(_get(lat, 'shipped', 'burst', 'background_get_stack_calls'))} versus "
        f"{_n(_get(lat, 'prototype', 'burst', 'background_get_stack_calls'))}.",
        "",
        "Fix (prototyped in `bench/prototypes/tracker.py`): the tracker remembers the status "
        "it announced for each stack's current operation (cleared by `track()` when a new "
        "operation starts) and answers a callback claiming that status with verdict "
        "`duplicate` without a GetStack: the store's gate would refuse a second announcement "
        "anyway, so the call buys nothing, and the short-cut can only decline, never "
        "announce. Beyond that, verification calls could be bounded (a semaphore of 2–4 "
        "instead of 8 concurrent SDK threads) or GetStack made natively async (aiohttp plus "
        "the ~40-line HMAC-SHA1 RPC signature the sandbox already verifies), which removes "
        "the threads from the hot path altogether.",
        "",
        "### Verdicts of concurrent duplicates are recorded as `confirmed`",
        "",
        "`Tracker.check` shares one in-flight check between concurrent callers and returns "
        "the same `CheckResult(announced=True)` to all of them, so ten simultaneous copies "
        "of one callback are all stored as `confirmed`. Burst verdicts, shipped: "
        f"{_verdicts(bur, 'shipped')}; prototype (joiners get `announced=False`): "
        f"{_verdicts(bur, 'prototype')}. Announcements were right either way (exactly once); "
        "only the callback inspector's verdicts are off.",
        "",
    ]


def _verdicts(bench: Any, variant: str) -> str:
    verdicts = _get(bench, variant, "verdicts", default={}) or {}
    return ", ".join(f"{k} {v:,}" for k, v in sorted(verdicts.items())) or "?"


def render(results: Results) -> list[str]:
    body = _throughput(results) + _verification(results)
    if not body:
        return []
    return ["## Profiling findings and recommended fixes", "", *body]
