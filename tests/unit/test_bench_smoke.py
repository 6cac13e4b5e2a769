"""The benchmark harness imports, its helpers parse and count right, and the report writer
renders fake results. Nothing here measures or asserts speed: ``make bench`` does that."""

from __future__ import annotations

import importlib
import json
import random
import sys
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:  # plain `pytest` (not `python -m pytest`) leaves it out
    sys.path.insert(0, str(REPO))

MODULES = [
    "bench.common",
    "bench.loadgen",
    "bench.servers",
    "bench.rig",
    "bench.ticker",
    "bench.throughput",
    "bench.latency",
    "bench.time_to_know",
    "bench.burst",
    "bench.footprint",
    "bench.sandbox_scaling",
    "bench.findings",
    "bench.report",
    "bench.run",
    "bench.ab",
    "bench.abcpu",
    "bench.abinstr",
    "bench.instr_workload",
]


@pytest.mark.parametrize("name", MODULES)
def test_bench_modules_import(name: str) -> None:
    importlib.import_module(name)


def test_statistics() -> None:
    from bench.common import check, distribution, percentile, spread

    assert percentile([3.0, 1.0, 2.0], 50) == 2.0
    assert percentile([0.0, 10.0], 99) == pytest.approx(9.9)
    d = distribution([float(x) for x in range(1, 101)])
    assert (d["n"], d["min"], d["max"]) == (100, 1.0, 100.0)
    assert spread([5.0, 1.0, 3.0]) == {"n": 3, "median": 3.0, "min": 1.0, "max": 5.0}
    assert check("x", 3.0, ">=", 2, "×")["met"] is True
    assert check("x", float("nan"), "<=", 2, "ms")["met"] is False


def test_response_parser_finds_ends_of_both_framings() -> None:
    from bench.loadgen import ResponseParser

    parser = ResponseParser()
    fixed = b'HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\n{"ok": true}'
    chunked = b"HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nHello\r\n0\r\n\r\n"
    closing = b"HTTP/1.1 413 Too Large\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    stream = fixed + chunked + closing
    seen = [answer for i in range(0, len(stream), 7) for answer in parser.feed(stream[i : i + 7])]
    assert seen == [(200, False), (404, False), (413, True)]
    assert parser.buffer == bytearray()


def test_wrk_script_quotes_bodies_safely() -> None:
    from bench.loadgen import wrk_script

    spec = {"requests": [{"path": "/hooks/a", "body": '{"x": "]===]"}'}], "port": 1}
    script = wrk_script(spec)
    assert "[====[" in script and "WRKJSON" in script


def test_coalescer_keeps_popups_a_window_apart() -> None:
    from bench.burst import Coalescer

    coalescer = Coalescer(window=1.0)
    coalescer.popups = [{"at_s": t} for t in (0.0, 1.01, 2.5, 2.9)]
    assert coalescer.max_per_window() == 2


def test_polling_model_matches_its_closed_form() -> None:
    from bench.time_to_know import simulate_polling

    result = simulate_polling(5.0, 0.0, random.Random(1), 20_000)
    assert result["delay_s"]["p50"] == pytest.approx(2.5, abs=0.1)
    assert result["calls"]["mean"] == pytest.approx(result["closed_form"]["mean_calls"], rel=0.02)


def _targets(met: bool) -> list[dict[str, Any]]:
    return [
        {"metric": "m", "value": 1.0, "unit": "ms", "target": "<= 2 ms", "met": met, "note": ""}
    ]


def _dist(scale: float) -> dict[str, float]:
    return {
        "n": 10,
        "min": scale,
        "p50": 2 * scale,
        "p90": 3 * scale,
        "p99": 4 * scale,
        "max": 5 * scale,
        "mean": 2 * scale,
    }


def _spread(value: float) -> dict[str, float]:
    return {"n": 3, "median": value, "min": value * 0.9, "max": value * 1.1}


def _latency_summary(scale: float = 1.0) -> dict[str, Any]:
    parts = {
        k: _dist(scale)
        for k in ("total_ms", "delivery_ms", "to_getstack_ms", "announce_ms", "finish_to_post_ms")
    }
    background = {
        "rounds": 2,
        "callbacks_per_round": 1000,
        "arrival_rate_median": 900.0,
        "statuses": {"200": 10},
        "get_stack_calls": 5,
        "loop_lag_ms": _dist(1),
    }
    summary: dict[str, Any] = {
        "idle": parts,
        "idle_samples": [1.0, 2.0, 3.0],
        "idle_large": parts,
        "idle_large_samples": [1.5, 2.5],
        "control_lag_ms": _dist(0.1),
        "verdicts": {"duplicate": 3},
        "tracker_short_cuts": None,
    }
    for case in ("paced", "flood"):
        summary.update(
            {case: parts, f"{case}_samples": [10.0, 20.0], f"{case}_background": background}
        )
    return summary


def _burst_summary() -> dict[str, Any]:
    return {
        "callbacks_sent": 100,
        "answered_200": 100,
        "persisted_rows": 100,
        "lost": 0,
        "stacks": 10,
        "announced_once": 10,
        "store_announced_once": 10,
        "announced_twice_or_more": 0,
        "never_announced": 0,
        "get_stack_calls": 10,
        "seconds_to_answer_all": 1.0,
        "seconds_to_announce_all": 1.2,
        "seconds_to_create_stacks": 0.5,
        "max_popups_per_second": 1,
        "popups": [{"at_s": 0.1, "events": 1, "title": "t", "build_ms": 0.1}],
        "loop_lag_ms": _dist(1),
        "control_lag_ms": _dist(0.1),
        "verdicts": {"confirmed": 10},
        "lag_timeline": [(0.0, 0.001), (0.5, 0.02)],
        "announce_times_s": [0.1, 0.2],
        "shipped_rate_limit": {
            "rate_limit_per_s": 20.0,
            "burst_allowance": 50,
            "statuses": {"200": 100},
        },
    }


def _footprint_mode() -> dict[str, Any]:
    return {
        "startup_s": _spread(1.0),
        "rss_mb": 50.0,
        "uss_mb": 30.0,
        "threads": 2,
        "cpu_seconds": 0.0,
        "wakeups_per_min": 0.0,
        "busiest_thread_wakeups_per_min": 0.0,
        "idle_seconds": 10.0,
        "per_thread_switches": [0, 0],
    }


def fake_results() -> dict[str, Any]:
    server = {
        "rps": _spread(1000.0),
        "p50_ms": _spread(5.0),
        "p99_ms": _spread(9.0),
        "errors": 0,
        "non_2xx": 0,
        "loadgen_cpu": 0.5,
        "what": "w",
        "x_baseline": 3.0,
        "of_ceiling": 0.4,
    }
    load = {
        "loadavg_before": 1.0,
        "loadavg_after": 1.5,
        "calibration_ms_before": 20.0,
        "calibration_ms_after": 21.0,
        "other_processes_cores": 0.2,
    }
    benches = {
        "throughput": {
            "tool": "wrk",
            "concurrency": 64,
            "seconds_per_run": 4.0,
            "rounds": 5,
            "servers": {
                n: {**server, "loop": "threads" if n.startswith("web.py") else "uvloop"}
                for n in ("web.py (seed)", "bare aiohttp", "rostray receiver")
            },
            "answered": {"rostray receiver": 10},
            "persisted": {"rostray receiver": 11},
        },
        "latency": {"paced_rate": 500.0, "shipped": _latency_summary()},
        "time_to_know": {
            "lifetime_s": 600.0,
            "get_stack_rtt_s": _dist(0.002),
            "rostray": {"delay_s": _dist(0.004), "get_stack_calls": _dist(1)},
            "polling": [{"interval_s": 5.0, "delay_s": _dist(1.2), "calls": _dist(30)}],
        },
        "burst": {"shipped": _burst_summary()},
        "footprint": {
            "headless": _footprint_mode(),
            "gui": {**_footprint_mode(), "first_window": _footprint_mode()},
            "imports_ms": {"total_ms": 300.0, "top": [{"package": "aiohttp", "ms": 100.0}]},
        },
        "sandbox_scaling": {
            "repeats": 2,
            "summaries_total_ms": 3.0,
            "rows": [
                {
                    "shape": "chain",
                    "resources": n,
                    "resolve_ms": 1.0,
                    "run_ms": 2.0,
                    "total_ms": 3.0 * n,
                    "status": "CREATE_COMPLETE",
                }
                for n in (10, 200)
            ],
            "summaries": [{"template": "a.yaml", "bytes": 10, "resource_types": 1, "ms": 1.5}],
        },
        "broken": {"error": "Traceback: boom"},
    }
    for name, bench in benches.items():
        bench.update({"targets": _targets(name != "latency"), "machine_load": load, "seconds": 1.0})
    meta = {
        "cores": 2,
        "cpu": "fake",
        "memory_gib": 1.0,
        "python": "3.11",
        "aiohttp": "3",
        "sqlite": "3",
        "loadgen": "wrk",
        "commit": "0" * 40,
        "quick": True,
        "calibration_best_ms": 19.0,
        "seconds": 5.0,
        "finished": "now",
    }
    return {"meta": meta, "benchmarks": benches}


def test_each_server_is_a_fraction_of_the_ceiling_on_its_own_loop() -> None:
    from bench.throughput import CEILING, SERVERS, SUBJECT, ceiling_of

    assert SERVERS[SUBJECT].loop == SERVERS[CEILING].loop == "uvloop"  # as headless ships
    loops = {server.loop for server in SERVERS.values() if server.kind != "web.py"}
    assert loops == {"uvloop", "asyncio"}
    for name, server in SERVERS.items():
        if server.kind == "web.py":
            continue
        ceiling = SERVERS[ceiling_of(name)]
        assert (ceiling.kind, ceiling.loop) == ("bare", server.loop), name
    assert len({server.db for server in SERVERS.values()}) == len(SERVERS)  # one file each


def test_bench_servers_run_on_the_loop_they_are_given(tmp_path: Path) -> None:
    """``--loop`` picks the loop the way ROSTRAY_EVENT_LOOP does for rostray's entry points."""
    import subprocess

    probe = (
        "import asyncio, sys; from bench import servers; from rostray.core import eventloop\n"
        "async def name(port): print(eventloop.loop_name(asyncio.get_running_loop()))\n"
        "servers.bare = name; sys.argv[1:] = ['bare', '0', '--loop', sys.argv[1]]\n"
        "servers.main()"
    )
    for loop in ("uvloop", "asyncio"):
        out = subprocess.run(
            [sys.executable, "-c", probe, loop], capture_output=True, text=True, check=True
        ).stdout
        assert out.split() == [loop]


def test_report_renders_fake_results(tmp_path: Path) -> None:
    from bench import report

    results = json.loads(json.dumps(fake_results()))  # what a results.json round trip gives
    markdown = tmp_path / "benchmarks.md"
    report.write(results, markdown, tmp_path / "bench")
    text = markdown.read_text()
    for heading in (
        "## Targets",
        "## 1. Receiver throughput",
        "## 2. Callback",
        "## 3. Time-to-know",
        "## 4. Burst",
        "## 5. Footprint",
        "## 6. Sandbox engine scaling",
        "Profiling findings",
    ):
        assert heading in text
    assert "❌ missed" in text and "✅ met" in text and "Traceback: boom" in text
    assert "| 1 stack, 40 KB template | 10 |" in text  # its own row, not a background load
    assert "| rostray receiver | uvloop | " in text  # the loop column
    assert "rostray receiver: 11 rows for 10 answered requests" in text
    if report.pyplot() is not None:
        charts = {p.name for p in (tmp_path / "bench").glob("*.png")}
        assert charts == {
            "throughput.png",
            "latency.png",
            "time_to_know.png",
            "burst.png",
            "scaling.png",
        }
        assert "](bench/throughput.png)" in text


def test_report_ignores_an_older_runs_prototype_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """results.json from before GetStack on the loop shipped has a "prototype" build beside
    "shipped" in latency and burst: it renders, and only "shipped" is shown."""
    from bench import report

    monkeypatch.setattr(report, "FIXES_LOG", tmp_path / "no-fixes.md")  # it names prototypes
    results = fake_results()
    latency, burst = results["benchmarks"]["latency"], results["benchmarks"]["burst"]
    latency["variants"] = {"shipped": [], "prototype": ["async_getstack"]}
    latency["prototype"] = _latency_summary(scale=7.0)
    burst["prototype"] = {**_burst_summary(), "seconds_to_announce_all": 9.75}
    text = report.render(json.loads(json.dumps(results)), tmp_path / "b.md", tmp_path / "c")
    assert "## 2. Callback" in text and "## 4. Burst" in text
    assert "prototype" not in text and "9.75" not in text and "35.0" not in text


def _findings_for(latency_scale: float, lost: int) -> str:
    from bench import burst, findings, latency

    results = fake_results()
    summary = _latency_summary(scale=latency_scale)
    results["benchmarks"]["latency"] = {
        "paced_rate": 500.0,
        "shipped": summary,
        "targets": latency.targets(summary),
    }
    shipped = {**_burst_summary(), "lost": lost}
    results["benchmarks"]["burst"] = {"shipped": shipped, "targets": burst.targets(shipped)}
    return "\n".join(findings.render(json.loads(json.dumps(results))))


def test_findings_say_met_or_missed_as_the_numbers_do() -> None:
    # _dist(scale): p50 = 2 × scale, p99 = 4 × scale; targets p50 ≤ 5 ms, p99 ≤ 25 / 100 ms.
    slow = _findings_for(latency_scale=3.0, lost=2)
    assert "6.0 ms (target ≤ 5 ms: missed)" in slow
    assert "12.0 ms (target ≤ 25 ms: met)" in slow
    assert "2 of 100 callbacks were lost" in slow and "All 100 callbacks" not in slow
    fast = _findings_for(latency_scale=1.0, lost=0)
    assert "2.0 ms (target ≤ 5 ms: met)" in fast and "missed" not in fast.split("### 5.")[0]
    assert "All 100 callbacks were answered 200" in fast
    flood = _findings_for(latency_scale=30.0, lost=0)
    assert "120.0 ms (target ≤ 100 ms: missed)" in flood


def test_footprint_starts_run_byte_compiled_outside_the_checkout(tmp_path: Path) -> None:
    """The bench's own processes write no bytecode; a timed start must use it, as an installed
    rostray does, and keep it out of the checkout."""
    import subprocess

    from bench.common import PYTHON, isolated_env
    from bench.footprint import as_installed

    base = isolated_env(tmp_path / "env")
    assert base["PYTHONDONTWRITEBYTECODE"] == "1"
    env = as_installed(base, tmp_path)
    assert "PYTHONDONTWRITEBYTECODE" not in env
    probe = "import sys, rostray.core.text as m; print(sys.dont_write_bytecode, sys.pycache_prefix)"
    out = subprocess.run(
        [PYTHON, "-c", probe], env=env, capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == ["False", str(tmp_path / "pycache")]
    assert list((tmp_path / "pycache").rglob("text*.pyc")), "no bytecode written under root"


def test_throughput_findings_budget_the_cores_time_per_callback() -> None:
    """The CPU each server spends per answer, and what 10× web.py leaves for the receiver."""
    from bench import findings

    results = fake_results()
    servers = results["benchmarks"]["throughput"]["servers"]
    for name, rps, cpu_us in (
        ("web.py (seed)", 400.0, 1500.0),  # a busy core would be 2,500 µs per answer
        ("bare aiohttp", 6000.0, 150.0),
        ("rostray receiver", 3500.0, 280.0),
        ("receiver, no store", 5000.0, 200.0),
    ):
        servers[name] = {**servers["bare aiohttp"], "rps": _spread(rps), "cpu_us": _spread(cpu_us)}
    servers["bare aiohttp"]["x_baseline"] = 15.0
    text = "\n".join(findings.render(json.loads(json.dumps(results))))
    assert "bare aiohttp 150 µs; the receiver without its store 200 µs (+50" in text
    assert "the receiver with its store 280 µs (+80" in text
    assert "10× web.py's 400/s is 4,000/s, 250 µs per callback on the one core: 100 µs" in text
    assert "uses 1,500 µs of CPU per answer and answers one every 2,500 µs: its threads" in text
    assert "The kernel's share" not in text  # no system time column in these results
    for name, kernel, switches in (
        ("web.py (seed)", 600.0, 6.0),
        ("bare aiohttp", 30.0, 0.0),
        ("rostray receiver", 56.0, 0.25),
    ):
        servers[name].update(sys_us=_spread(kernel), switches=_spread(switches))
    text = "\n".join(findings.render(json.loads(json.dumps(results))))
    assert (
        "web.py (seed) 1,500 µs, 600 of them system (40 %), 6.00 context switches per answer; "
        "bare aiohttp 150 µs, 30 of them system (20 %), 0.00 context switches per answer; "
        "rostray receiver 280 µs, 56 of them system (20 %), 0.25 context switches" in text
    )
    del servers["rostray receiver"]["cpu_us"]  # a results.json from before the column
    assert "Where the core goes" not in "\n".join(findings.render(results))


def test_throughput_findings_compare_the_two_loops() -> None:
    from bench import findings

    results = fake_results()
    servers = results["benchmarks"]["throughput"]["servers"]
    assert "Session 8: the headless mode" not in "\n".join(findings.render(results))
    for name, rps in (
        ("rostray receiver", 4500.0),
        ("rostray receiver, asyncio loop", 4000.0),
        ("bare aiohttp, asyncio loop", 6000.0),
    ):
        servers[name] = {**servers["bare aiohttp"], "rps": _spread(rps)}
    servers["rostray receiver, asyncio loop"].update(x_baseline=9.5, of_ceiling=0.667)
    text = "\n".join(findings.render(json.loads(json.dumps(results))))
    assert "receiver with its store does 4,500/s on uvloop and 4,000/s on Python's own loop" in text
    assert "(×1.12; 9.5× web.py, 67 % of bare aiohttp on that loop, 6,000/s)" in text


@pytest.mark.parametrize(
    ("kind", "wave", "loop"),
    [
        ("receiver", "64", "asyncio"),
        ("receiver", "8", "uvloop"),
        ("receiver-nostore", "64", "asyncio"),
        ("bare", "8", "uvloop"),
    ],
)
def test_the_instruction_workload_gets_every_callback_answered(
    kind: str, wave: str, loop: str, tmp_path: Path
) -> None:
    """bench.abinstr counts what this workload executes; it fails unless all 200s came back."""
    import subprocess

    from bench.common import PYTHON, REPO, isolated_env

    done = subprocess.run(
        [PYTHON, "-m", "bench.instr_workload", kind, "64", "128", "--wave", wave, "--loop", loop],
        cwd=REPO,
        env=isolated_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split("loop: ")[-1].startswith(loop)  # asyncio.unix_events or uvloop


def test_abinstr_reads_cachegrinds_total() -> None:
    from bench.abinstr import _REFS

    line = "==27202== I   refs:      3,679,810,587\n"
    match = _REFS.search(line)
    assert match is not None and int(match.group(1).replace(",", "")) == 3_679_810_587
