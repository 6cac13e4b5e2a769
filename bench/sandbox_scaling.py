"""Benchmark 6: sandbox engine scaling, and GetTemplateSummary over the bundled samples.

Templates of 10, 50, 100 and 200 resources (200 is ROS's limit, which the sandbox enforces) in
three shapes, every resource taking zero time: a chain of ``ALIYUN::ROS::Sleep`` (each
``DependsOn`` the previous), a fan-out of Sleeps all depending on one root, and a binary tree
of simulated VPC/VSwitch resources wired with ``Ref`` and ``Fn::GetAtt``. "Resolve" is
``CreateStack``'s synchronous part (parse, parameters, conditions, static validation); "run"
is the stack's flow until CREATE_COMPLETE. The engine is driven directly (no HTTP), with
``time_scale=1`` (a zero scale would also make the stack's timeout zero) and
``simulated_delay=0``.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.common import TEMPLATES, Row, check, log, percentile
from rostray.sandbox.api import SandboxApi
from rostray.sandbox.engine import SandboxEngine, SandboxOptions

SIZES = (10, 50, 100, 200)
Shape = Callable[[int], dict[str, Any]]


def _sleep(depends: str | None = None) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "Type": "ALIYUN::ROS::Sleep",
        "Properties": {"CreateDuration": 0},
    }
    if depends:
        resource["DependsOn"] = depends
    return resource


def chain(n: int) -> dict[str, Any]:
    return {f"R{i}": _sleep(f"R{i - 1}" if i else None) for i in range(n)}


def fan_out(n: int) -> dict[str, Any]:
    return {"R0": _sleep(), **{f"R{i}": _sleep("R0") for i in range(1, n)}}


def tree(n: int) -> dict[str, Any]:
    resources: dict[str, Any] = {
        "R0": {"Type": "ALIYUN::ECS::VPC", "Properties": {"CidrBlock": "10.0.0.0/8"}}
    }
    for i in range(1, n):
        parent = f"R{(i - 1) // 2}"
        resources[f"R{i}"] = {
            "Type": "ALIYUN::ECS::VSwitch",
            "Properties": {
                "VpcId": {"Ref": parent},
                "ZoneId": {"Fn::GetAtt": [parent, "ZoneId"]},
                "CidrBlock": f"10.{i % 250}.0.0/24",
            },
        }
    return resources


SHAPES: dict[str, Shape] = {"chain": chain, "fan-out": fan_out, "tree (Ref/GetAtt)": tree}


def template(resources: dict[str, Any]) -> str:
    outputs = {"Last": {"Value": {"Ref": list(resources)[-1]}}}
    return json.dumps(
        {"ROSTemplateFormatVersion": "2015-09-01", "Resources": resources, "Outputs": outputs}
    )


async def _once(body: str) -> tuple[float, float, str]:
    engine = SandboxEngine(SandboxOptions(time_scale=1.0, simulated_delay=0.0))
    started = time.perf_counter()
    stack = engine.create_stack(name="scale", template_body=body, parameters={})
    resolved = time.perf_counter()
    await engine.settle()
    ran = time.perf_counter()
    await engine.close()
    return resolved - started, ran - resolved, stack.status


def _scaling(repeats: int) -> list[Row]:
    rows = []
    for shape, build in SHAPES.items():
        for n in SIZES:
            body = template(build(n))
            samples = [asyncio.run(_once(body)) for _ in range(repeats + 1)][1:]
            resolve = [s[0] * 1000 for s in samples]
            run_ms = [s[1] * 1000 for s in samples]
            total = [(s[0] + s[1]) * 1000 for s in samples]
            rows.append(
                {
                    "shape": shape,
                    "resources": n,
                    "resolve_ms": percentile(resolve, 50),
                    "run_ms": percentile(run_ms, 50),
                    "total_ms": percentile(total, 50),
                    "total_p99_ms": percentile(total, 99),
                    "status": samples[-1][2],
                }
            )
    return rows


def _summaries(repeats: int) -> list[Row]:
    api = SandboxApi(SandboxEngine(SandboxOptions()))
    rows = []
    for path in sorted(TEMPLATES.iterdir()):
        if path.suffix not in (".json", ".yaml", ".yml"):
            continue
        params = {"TemplateBody": path.read_text(encoding="utf-8")}
        times = []
        result: dict[str, Any] = {}
        for _ in range(repeats + 1):
            started = time.perf_counter()
            result = api.get_template_summary(params)
            times.append((time.perf_counter() - started) * 1000)
        rows.append(
            {
                "template": path.name,
                "bytes": len(params["TemplateBody"].encode()),
                "resource_types": len(result.get("ResourceTypes", [])),
                "ms": percentile(times[1:], 50),
                **(
                    _yaml_parse(params["TemplateBody"], repeats)
                    if path.suffix in (".yaml", ".yml")
                    else {}
                ),
            }
        )
    return rows


def _yaml_parse(text: str, repeats: int) -> Row:
    """YAML parsing alone: rostray's loader (libyaml's C parser under rostray's composer)
    versus the all-Python ``_StrictLoader`` it replaced (same result)."""
    import yaml

    from rostray.core import yamlload

    def pure_python() -> Any:
        return yaml.load(text, Loader=yamlload._StrictLoader)

    def shipped() -> Any:
        return yaml.load(text, Loader=yamlload._LOADER)

    def timed(fn: Callable[[], Any]) -> float:
        times = []
        for _ in range(repeats + 1):
            started = time.perf_counter()
            fn()
            times.append((time.perf_counter() - started) * 1000)
        return percentile(times[1:], 50)

    return {
        "parse_ms": timed(pure_python),
        "parse_c_ms": timed(shipped),
        "same_document": pure_python() == shipped(),
    }


def run(root: Path, env: dict[str, str], quick: bool = False) -> Row:
    repeats = 2 if quick else 7
    log("sandbox scaling: templates of 10-200 resources, then GetTemplateSummary on samples")
    rows = _scaling(repeats)
    summaries = _summaries(repeats * 3)
    worst_200 = max(r["total_ms"] for r in rows if r["resources"] == 200)
    return {
        "title": "Sandbox engine scaling",
        "repeats": repeats,
        "rows": rows,
        "summaries": summaries,
        "summaries_total_ms": sum(r["ms"] for r in summaries),
        "targets": [
            check("200 resources, slowest shape (median)", worst_200 / 1000, "<=", 1, "s"),
            check(
                "every stack CREATE_COMPLETE",
                float(sum(r["status"] != "CREATE_COMPLETE" for r in rows)),
                "<=",
                0,
                "failures",
            ),
        ],
    }
