"""The "profiling findings" section of docs/benchmarks.md.

The causes were found with py-spy (all threads, ``--threads``) and pyinstrument while the
bench was written; the text states them, and every number in it comes from the results of
the same run, so the prose cannot drift from the data. Whether a target is met is read from
the benchmark's own target lines (``targets`` in the results), never written into the text.
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
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "?"
    return f"{value:,.{digits}f}"


def _verdicts(bench: Any) -> str:
    verdicts = _get(bench, "shipped", "verdicts", default={}) or {}
    shown = sorted((k, v) for k, v in verdicts.items() if k != "pending")
    return ", ".join(f"{k} {v:,}" for k, v in shown) or "?"


def _target(bench: Any, *words: str) -> dict[str, Any] | None:
    """The benchmark's first target line whose metric contains every one of ``words``."""
    for line in _get(bench, "targets", default=[]) or []:
        if isinstance(line, dict) and all(w in str(line.get("metric", "")) for w in words):
            return line
    return None


def _vs(bench: Any, *words: str, digits: int = 1) -> str:
    """A target's value with its target and verdict, e.g. "7.1 ms (target ≤ 5 ms: missed)";
    value and verdict both come from the same target line, so they cannot disagree."""
    line = _target(bench, *words)
    if line is None:
        return "?"
    unit = f" {line['unit']}" if line.get("unit") else ""
    goal = str(line.get("target", "?")).replace("<=", "≤").replace(">=", "≥")
    met = {True: "met", False: "missed"}.get(line.get("met"), "not measured")
    return f"{_n(line.get('value'), digits)}{unit} (target {goal}: {met})"


# --- 1. throughput -------------------------------------------------------------------------------


def _throughput(r: Results) -> list[str]:
    s = _get(r, "benchmarks", "throughput", "servers")
    if not s:
        return []
    rps = {name: _get(s, name, "rps", "median") for name in s}
    ceiling_x = _get(s, "bare aiohttp", "x_baseline")
    lines = [
        "### 1. Receiver throughput: a thread hop per callback, and per-request overhead",
        "",
        "py-spy under load (session 1): the event-loop thread was saturated while the store "
        "thread was about a third busy. The costs, largest first, all fixed since (before and "
        "after in *Fixes applied (session 2)* below):",
        "",
        "1. **One `run_in_executor` per store call** (`AsyncStore`, `rostray/core/store.py`): "
        "per callback a thread hand-off, a self-pipe wake-up of the loop and a GIL hand-over. "
        "*Fixed:* calls that arrive while the store thread is busy ride its next trip "
        "together, and the callbacks (and verdicts) among them are committed in one "
        "transaction (group commit). Every callback is still committed before its 200, and "
        "a lone callback is written at once (no timer).",
        "2. **Per-request work in `Receiver._hook`** (`rostray/core/receiver.py`): two "
        "middleware layers (aiohttp wraps each one per request), an `asyncio.timeout` armed "
        "and cancelled around a body that is already buffered, `json.dumps` of constant "
        "answers. *Fixed:* one middleware; the timer only when `request.content.is_eof()` is "
        "false; the fixed answers encoded once.",
        "3. **`_decode_json`** (`rostray/core/payload.py`) built a JSONDecoder per call. "
        "*Fixed:* one module-level decoder.",
        "",
        f"In this run: the receiver with its store does {_n(rps.get('rostray receiver'))}/s, "
        f"{_n(_get(s, 'rostray receiver', 'of_ceiling', default=0) * 100)} % of the bare "
        f"aiohttp ceiling ({_n(rps.get('bare aiohttp'))}/s); with a do-nothing handler "
        f"{_n(rps.get('receiver, no store'))}/s.",
        "",
        *_loops(s),
    ]
    if isinstance(ceiling_x, int | float) and ceiling_x < 20:  # 10× would need > 50 %
        web = _get(r, "benchmarks", "throughput")
        lines += [
            f"About the 10× target, receiver vs web.py: {_vs(web, 'vs web.py')}. In "
            "this run even the bare aiohttp ceiling is only "
            f"{_n(ceiling_x, 1)}× the web.py baseline (web.py does "
            f"{_n(rps.get('web.py (seed)'))}/s here: a compact threaded server, and the "
            "load generator is the same C client for both), so 10× web.py would take "
            f"{_n(1000 / ceiling_x)} % of the ceiling; the same receiver with a callback "
            "handler that does nothing (no store) is "
            f"{_n(_get(s, 'receiver, no store', 'x_baseline'), 1)}× web.py "
            f"({_n(_get(s, 'receiver, no store', 'of_ceiling', default=0) * 100)} % of the "
            "ceiling), and the durable row has to fit in what is left.",
            "",
        ]
    return lines + _throughput_cpu(s, rps)


def _loops(s: Any) -> list[str]:
    """What uvloop (the headless mode's loop where installed) is worth against asyncio's."""
    names = ("rostray receiver", "rostray receiver, asyncio loop", "bare aiohttp, asyncio loop")
    uv, plain, plain_bare = (_get(s, name, "rps", "median") for name in names)
    if not all(isinstance(v, int | float) and v > 0 for v in (uv, plain, plain_bare)):
        return []  # a results.json from before the loop rows
    return [
        "Session 8: the headless mode, the command line and the standalone sandbox run on "
        "uvloop where it is installed (`rostray/core/eventloop.py`). In this run the receiver "
        f"with its store does {_n(uv)}/s on uvloop and {_n(plain)}/s on Python's own loop "
        f"(×{_n(uv / plain, 2)}; {_n(_get(s, 'rostray receiver, asyncio loop', 'x_baseline'), 1)}"
        f"× web.py, {_n(_get(s, 'rostray receiver, asyncio loop', 'of_ceiling', default=0) * 100)}"
        f" % of bare aiohttp on that loop, {_n(plain_bare)}/s). The tray app runs on Qt's loop "
        "(qasync) and is not in this table.",
        "",
    ]


def _throughput_cpu(s: Any, rps: dict[str, Any]) -> list[str]:
    """Where the server's one core goes per answer, and what 10× web.py would leave."""
    cpu = {name: _get(s, name, "cpu_us", "median") for name in s}
    bare, nostore, full = (
        cpu.get(name) for name in ("bare aiohttp", "receiver, no store", "rostray receiver")
    )
    web, web_cpu = rps.get("web.py (seed)"), cpu.get("web.py (seed)")
    if not all(isinstance(v, int | float) and v > 0 for v in (bare, nostore, full, web, web_cpu)):
        return []  # a results.json from before the CPU column
    budget = 1e6 / (10 * web)
    return [
        "Where the core goes, server CPU per answered callback (median of the rounds): bare "
        f"aiohttp {_n(bare)} µs; the receiver without its store {_n(nostore)} µs "
        f"(+{_n(nostore - bare)}: routing, the strict parse of the body, the reply); the "
        f"receiver with its store {_n(full)} µs (+{_n(full - nostore)}: the row, its hand-off "
        f"to the store's thread and back, WAL checkpoints). 10× web.py's {_n(web)}/s is "
        f"{_n(10 * web)}/s, {_n(budget)} µs per callback on the one core: "
        f"{_n(budget - bare)} µs on top of what bare aiohttp spends to receive and answer a "
        "request, for everything the receiver does. web.py itself uses "
        f"{_n(web_cpu)} µs of CPU per answer and answers one every {_n(1e6 / web)} µs"
        + (": its threads wait more than they work." if web_cpu < 0.8e6 / web else "."),
        "",
        *_system_share(s),
    ]


def _system_share(s: Any) -> list[str]:
    """How much of each server's CPU is the kernel's: web.py's share is large, and moves with
    how expensive this VM's system calls and context switches are at the moment."""
    names = ("web.py (seed)", "bare aiohttp", "rostray receiver")
    cpu = [_get(s, name, "cpu_us", "median") for name in names]
    sys_us = [_get(s, name, "sys_us", "median") for name in names]
    switches = [_get(s, name, "switches", "median") for name in names]
    if not all(isinstance(v, int | float) and v > 0 for v in (*cpu, *sys_us[:1])):
        return []  # a results.json from before the split
    parts = [
        f"{name} {_n(total)} µs, {_n(kernel)} of them system ({_n(100 * kernel / total)} %), "
        f"{_n(switch, 2)} context switches per answer"
        for name, total, kernel, switch in zip(names, cpu, sys_us, switches, strict=True)
    ]
    return [
        "The kernel's share of that CPU (system time): " + "; ".join(parts) + ". web.py hands "
        "every request to a worker thread, so its cost per answer follows the price of a "
        "context switch and a system call on this VM at the moment of the run, and the 10× "
        "ratio with it; the receiver's cost is mostly its own Python.",
        "",
    ]


# --- 2. verification under load -------------------------------------------------------------


def _verification(r: Results) -> list[str]:
    lat = _get(r, "benchmarks", "latency") or {}
    bur = _get(r, "benchmarks", "burst") or {}
    if not lat and not bur:
        return []
    return [
        "### 2. Under load: duplicates, store trips and GetStack",
        "",
        "Session 1 found three causes, measured side by side: every duplicate of an announced "
        "status cost a GetStack; every store call was its own thread trip; and each GetStack "
        "was a blocking SDK call on an executor thread (`RosClient.call`, "
        "`rostray/core/ros.py`), Python that competed with the event loop for the GIL "
        "(py-spy: the loop's time piled up in C calls that drop and re-take the GIL, "
        "`transport.write` and the HTTP parser's `feed_data`). All three are fixed in "
        "rostray. `Tracker._route` declines an announced duplicate without GetStack. The "
        "`AsyncStore` groups commits (§1) and writes each group's callbacks with one "
        "`executemany`; since schema v3 the callbacks table has no indexes on random keys "
        "(token, stack), so a group commit no longer dirties index pages all over the file; "
        "and WAL checkpoints run on their own thread and connection "
        "(`rostray/core/walcheckpoint.py`) instead of inside the commit a callback's 200 "
        "waits on. `RosClient.get_stack` sends GetStack from the event loop with aiohttp "
        "(`_NativeTransport`), at most 8 in flight: the request carries the SDK's "
        "parameters and headers, is signed by `rostray/core/rpcsign.py` (held to the SDK's "
        "own signature in tests) and an error answer is judged by the SDK; no thread is "
        "involved. Verification starts while the callback's row is written, and the gate "
        "is written on the loop's own connection when the store's worker is idle.",
        "",
        *_under_load(lat, bur),
        *_concurrent_verdicts(bur),
    ]


def _under_load(lat: Results, bur: Results) -> list[str]:
    text = ""
    if lat:

        def bg(case: str, *keys: str) -> Any:
            return _get(lat, "shipped", f"{case}_background", *keys)

        flood_announce = _get(lat, "shipped", "flood", "announce_ms", "p50")
        text += (
            "p99 while 1,000 callbacks arrive at "
            f"{_n(_get(lat, 'paced_rate', default=500))}/s: "
            f"{_vs(lat, 'p99 while', 'arrive at')}; loop lag p99 "
            f"{_n(bg('paced', 'loop_lag_ms', 'p99'), 1)} ms. Flat out: "
            f"{_vs(lat, 'p99 while', 'as fast as answered')}, with the background accepted "
            f"at {_n(bg('flood', 'arrival_rate_median'))}/s and loop lag p99 "
            f"{_n(bg('flood', 'loop_lag_ms', 'p99'), 1)} ms. Flat out, the offered load is by "
            "construction as much as the engine can take: the legitimate callback waits "
            "behind the backlog in the receiver and, for its GetStack, at the sandbox on the "
            "same loop; each step that waits for something costs a loop iteration, several ms "
            f"under this load. Its announcement ({_n(flood_announce, 1)} ms "
            "median from GetStack's answer) no longer queues behind other stacks' rows at the "
            "store (session 4: 28-30 ms before). Emptying the backlog needs the flood kept "
            "out cheaply (the per-token rate limit does that for a single token; forged "
            "bodies spread over many known tokens still cost a store write each, "
            "group-committed). "
        )
    b = _get(bur, "shipped", default={}) or {}
    if b:
        never = b.get("never_announced")
        announced = (
            "were all announced"
            if never == 0
            else f"{_n(never)} of them were never announced; the rest were announced"
        )
        text += (
            f"In the burst, {_n(b.get('stacks'))} stacks took "
            f"{_n(b.get('get_stack_calls'))} GetStack calls and {announced} after "
            f"{_n(b.get('seconds_to_announce_all'), 1)} s."
        )
    return [text.rstrip(), ""] if text else []


def _concurrent_verdicts(bur: Results) -> list[str]:
    b = _get(bur, "shipped", default={}) or {}
    if not b:
        return []
    stacks = b.get("stacks")
    confirmed = _get(b, "verdicts", "confirmed", default=0)
    one_each = (
        "one `confirmed` per stack"
        if isinstance(stacks, int) and confirmed == stacks
        else f"{_n(confirmed)} `confirmed` for {_n(stacks)} stacks, not one each"
    )
    return [
        "### 3. Verdicts of concurrent duplicates",
        "",
        "`Tracker.check` shares one in-flight check between concurrent callers; callers that "
        "joined a running check report `announced=False` (fixed after session 1), so "
        "simultaneous copies of one callback should give one `confirmed` and the rest "
        f"`duplicate`. Burst verdicts: {_verdicts(bur)} for {_n(stacks)} stacks "
        f"({one_each}).",
        "",
    ]


# --- 3. idle latency -----------------------------------------------------------------------------


def _idle_latency(r: Results) -> list[str]:
    lat = _get(r, "benchmarks", "latency") or {}
    if not lat:
        return []

    def leg(key: str, q: str = "p50", case: str = "idle") -> str:
        return _n(_get(lat, "shipped", case, key, q), 1)

    return [
        "### 4. One stack: where the time goes",
        "",
        f"Median legs: POST → receiver {leg('delivery_ms')} ms; → persisted, routed and "
        f"GetStack served {leg('to_getstack_ms')} ms; GetStack answer → subscriber "
        f"{leg('announce_ms')} ms. Total: median {_vs(lat, 'p50, 1 stack')}, p99 "
        f"{_vs(lat, 'p99, 1 stack')}. Everything here runs on one event loop in one "
        "process: the receiver, the tracker, the store's loop connection and the sandbox, so "
        "the total is the CPU time of that chain, and it moves with the machine's speed "
        "(the calibration figures under *Machine load during the run*). Traced in session 4 "
        "(median, one stack at a time): the sandbox's notification POST spends ~0.4 ms in "
        "aiohttp's client "
        "before its first byte leaves; the middle leg holds the routing, a point read "
        "(`get_by_stack`, ~0.3 ms on the loop's own SQLite connection), signing (60 µs since "
        "`rpcsign` skips `quote` for unreserved text), aiohttp's client again, and the "
        "sandbox's check and answer (~0.4-0.6 ms). The callback's row is committed meanwhile "
        "on the store's worker, whose trip holds the GIL for ~0.3 ms while the sandbox waits "
        "to read the GetStack; against the real ROS that overlap is free (the round trip is "
        "network time). The last leg is the JSON parse and `announce` (~0.3 ms on the loop's "
        "connection) before the bus. Writing the row on the loop instead, to spare the thread "
        "hop, measured no better (bench/fixes.md, session 4). With a 40 KB template (the "
        f"size of a real one) the median is {leg('total_ms', case='idle_large')} ms and the "
        f"p99 {leg('total_ms', 'p99', 'idle_large')} ms: since session 5 the template is "
        "kept in a table of its own and the tracker reads launches without it; before, "
        "every status change and the announcement rewrote it into the WAL, and a 60 KB "
        "template cost 1-1.8 ms per callback (bench/fixes.md).",
        "",
    ]


# --- 4. burst, footprint, scaling ------------------------------------------------------------


def _burst(r: Results) -> list[str]:
    bur = _get(r, "benchmarks", "burst") or {}
    if not bur:
        return []
    b = _get(bur, "shipped", default={}) or {}
    sent, lost = b.get("callbacks_sent"), b.get("lost")
    if lost == 0:
        kept = f"All {_n(sent)} callbacks were answered 200 after being committed"
    else:
        kept = (
            f"{_n(lost)} of {_n(sent)} callbacks were lost ({_n(b.get('answered_200'))} "
            f"answered 200, {_n(b.get('persisted_rows'))} rows committed)"
        )
    stacks, once = b.get("stacks"), b.get("announced_once")
    if isinstance(stacks, int) and stacks == once:
        exactly = "every stack was announced exactly once"
    else:
        exactly = (
            f"{_n(once)} of {_n(stacks)} stacks were announced exactly once "
            f"({_n(b.get('announced_twice_or_more'))} twice or more, "
            f"{_n(b.get('never_announced'))} never)"
        )
    return [
        "### 5. Burst: losses, duplicates and loop stalls",
        "",
        f"{kept}, and {exactly}. The loop's worst stall was "
        f"{_vs(bur, 'longest event-loop stall', digits=0)}; loop lag p99 "
        f"{_n(_get(b, 'loop_lag_ms', 'p99'))} ms; an idle process on the same machine saw "
        f"up to {_n(_get(b, 'control_lag_ms', 'max'))} ms in the same window. A watchdog "
        "thread that samples the loop thread's stack while the loop is late (session 2, "
        "when GetStack still ran on SDK threads) put the stalls then at socket writes and "
        "reads, where the loop gives up the GIL and waits to get it back behind the store "
        "thread and the SDK threads, and in gen-2 garbage collections. Since session 3 "
        "GetStack has no thread, full collections wait for 5 s of quiet "
        "(`rostray/core/heap.py`), a store trip wakes its callers 32 per loop iteration and "
        "at most 8 verifications are signed and in flight at once; what is left are "
        "iterations that serve many ready connections at once, and on a loaded shared "
        "machine time the process was simply not scheduled. Most popups in "
        "any 1 s, with the coalescing window: "
        f"{_vs(bur, 'popups in any', digits=0)}; {_n(len(b.get('popups') or []))} popups "
        f"for {_n(stacks)} stacks in all.",
        "",
        *_rate_limit(b),
    ]


def _rate_limit(b: Results) -> list[str]:
    limit = b.get("shipped_rate_limit") or {}
    statuses = limit.get("statuses") or {}
    if not statuses:
        return []
    total = sum(statuses.values())
    if set(statuses) == {"200"} and not limit.get("rate_limited"):
        outcome = f"passed the same burst replayed untouched ({_n(total)} answered 200)"
    else:
        answers = ", ".join(f"{_n(n)} × HTTP {k}" for k, n in sorted(statuses.items()))
        outcome = f"answered the same burst replayed with {answers}"
    return [
        f"The shipped per-token rate limit ({_n(limit.get('rate_limit_per_s'))}/s, burst "
        f"{_n(limit.get('burst_allowance'))} per token) {outcome}.",
        "",
    ]


def _footprint(r: Results) -> list[str]:
    fp = _get(r, "benchmarks", "footprint") or {}
    if not fp:
        return []
    imports = _get(fp, "imports_ms", default={}) or {}
    top = ", ".join(f"{i['package']} {_n(i['ms'])} ms" for i in imports.get("top", [])[:6])
    lines = [
        "### 6. Footprint",
        "",
        "Start-ups run byte-compiled, as an installed rostray does; the first start after "
        "installing from source compiles rostray's modules and took "
        f"{_n(_get(fp, 'headless', 'first_start_s'), 2)} s headless and "
        f"{_n(_get(fp, 'gui', 'first_start_s'), 2)} s for the tray app (not counted). "
        f"Headless: up in {_n(_get(fp, 'headless', 'startup_s', 'median'), 2)} s, "
        f"{_n(_get(fp, 'headless', 'rss_mb'))} MB RSS; at idle "
        f"{_n(_get(fp, 'headless', 'cpu_seconds'), 3)} s of CPU in "
        f"{_n(_get(fp, 'headless', 'idle_seconds'))} s and "
        f"{_n(_get(fp, 'headless', 'wakeups_per_min'), 1)} wake-ups a minute: the "
        "tracker's poll loop sleeps on an event when nothing is tracked. "
        f"Imports took {_n(imports.get('total_ms'))} ms under `-X importtime` (which itself "
        f"slows importing); the largest: {top}.",
        "",
    ]
    gui = _get(fp, "gui")
    if gui:
        lines += [
            f"Tray app (offscreen Qt): up in {_n(_get(gui, 'startup_s', 'median'), 2)} s, "
            f"{_n(_get(gui, 'rss_mb'))} MB RSS. In its first minute the busiest thread woke "
            f"{_n(_get(gui, 'first_window', 'busiest_thread_wakeups_per_min'), 1)} times a "
            "minute: `TrayController` (`rostray/gui/tray.py`) re-checks every 2 s for a tray "
            "host that appears late, for at most 60 s, and only when none exists (as "
            "offscreen). After that minute: "
            f"{_n(_get(gui, 'busiest_thread_wakeups_per_min'), 1)} a minute. Start-up is "
            "PySide6 and the tray on top of the engine's start: since session 2 the stacks "
            "window, the launch form and the settings dialog are imported on first use. "
            "Offscreen there is no tray host, so the stacks window is shown (and imported) at "
            "start here; with a tray and `--hidden` it is not.",
            "",
        ]
    return lines


def _scaling(r: Results) -> list[str]:
    sc = _get(r, "benchmarks", "sandbox_scaling") or {}
    rows = _get(sc, "rows", default=[]) or []
    if not rows:
        return []
    largest = max(x["resources"] for x in rows)
    worst = max(rows, key=lambda x: x["total_ms"] if x["resources"] == largest else 0)
    mine = sorted((x for x in rows if x["shape"] == worst["shape"]), key=lambda x: x["resources"])
    small = mine[0]
    return [
        "### 7. Sandbox scaling",
        "",
        f"The slowest {_n(largest)}-resource shape ({worst['shape']}) takes "
        f"{_vs(sc, 'slowest shape', digits=3)} from CreateStack to CREATE_COMPLETE (median). "
        "Per resource that shape costs "
        f"{_n(small['total_ms'] / small['resources'], 2)} ms at {_n(small['resources'])} "
        f"resources and {_n(worst['total_ms'] / worst['resources'], 2)} ms at "
        f"{_n(worst['resources'])}. `_run_graph` rescans the pending set and re-waits on "
        "every running task after each completion (O(n²) in principle); the per-resource "
        "cost shows how much of that appears at this size.",
        "",
        *_yaml(sc),
    ]


def _yaml(sc: Results) -> list[str]:
    parsed = [s for s in _get(sc, "summaries", default=[]) or [] if s.get("parse_ms")]
    if not parsed:
        return []
    slow = max(parsed, key=lambda s: s["parse_ms"])
    same = all(s.get("same_document") for s in parsed)
    return [
        "### 8. YAML templates: libyaml's parser under rostray's composer",
        "",
        "`_StrictLoader` (`rostray/core/yamlload.py`) subclasses `yaml.SafeLoader`, whose "
        "scanner and parser are Python. GetTemplateSummary of "
        f"{slow['template']} ({_n(slow['bytes'])} bytes) was mostly that parse: "
        f"{_n(slow['parse_ms'], 1)} ms with the all-Python loader. *Fixed* (`_CStrictLoader`): "
        "the events come from libyaml's `CParser` while rostray's Python composer and "
        "constructors stay, so the nesting-depth guard (`compose_node`), short-form tags, "
        "duplicate-key errors and the date rule stay as they are (swapping in `CSafeLoader` "
        f"whole would skip the depth guard). {_n(slow['parse_c_ms'], 1)} ms for the same "
        f"file; {'identical documents for every sample' if same else 'NOT identical output'}"
        ". The embedded sandbox parses bodies of 16 KB or more on a worker thread"
        ". It matters for the launch form and for large templates (up to 512 KB), not for "
        "any target here.",
        "",
    ]


def render(results: Results) -> list[str]:
    body = (
        _throughput(results)
        + _verification(results)
        + _idle_latency(results)
        + _burst(results)
        + _footprint(results)
        + _scaling(results)
    )
    if not body:
        return []
    return ["## Profiling findings and recommended fixes", "", *body]
