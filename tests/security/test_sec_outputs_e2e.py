"""Hostile text that really reaches rostray: whoever holds a WaitCondition URL (any process on
the instance) chooses the signal's data and reason, and ROS hands them back in GetStack's
Outputs and StatusReason. Through the real CLI, they must print inert: no terminal escapes, no
bidi tricks, no crash on lone surrogates."""

from __future__ import annotations

import asyncio
import json
import os
import sys
import unicodedata
from pathlib import Path

import pytest

from rostray.sandbox import Sandbox

HOSTILE = (
    "\x1b[2J\x1b[31mPWNED\x1b]0;title\x07 <b>bold</b> &amp; safe\u202egnp.exe "
    "\u2066iso\u2069 zero\u200bwidth tag\U000e0041 lone\ud800 line1\nline2 " + "L" * 5000
)
TEMPLATE = json.dumps(
    {
        "ROSTemplateFormatVersion": "2015-09-01",
        "Resources": {
            "Handle": {"Type": "ALIYUN::ROS::WaitConditionHandle"},
            "Wait": {
                "Type": "ALIYUN::ROS::WaitCondition",
                "Properties": {"Handle": {"Ref": "Handle"}, "Timeout": 3000},
            },
        },
        "Outputs": {"Data": {"Value": {"Fn::GetAtt": ["Wait", "Data"]}}},
    }
)


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    config = tmp_path / "config.toml"
    config.write_text("[tracker]\npoll_grace_seconds = 1.0\n", encoding="utf-8")
    template = tmp_path / "wait.json"
    template.write_text(TEMPLATE, encoding="utf-8")
    return {"config": config, "template": template}


def env(sandbox: Sandbox) -> dict[str, str]:
    return {
        **os.environ,
        "ALIBABA_CLOUD_ACCESS_KEY_ID": sandbox.access_key_id,
        "ALIBABA_CLOUD_ACCESS_KEY_SECRET": sandbox.access_key_secret,
    }


async def run_cli(sandbox: Sandbox, *args: str) -> tuple[int, bytes, bytes]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "rostray", *args, "--endpoint", sandbox.endpoint,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env=env(sandbox),
    )  # fmt: skip
    out, err = await asyncio.wait_for(proc.communicate(), 60)
    return proc.returncode or 0, out, err


async def signal_when_waiting(sandbox: Sandbox, name: str, body: dict) -> None:
    while not sandbox.engine.find(names=[name]):
        await asyncio.sleep(0.02)
    [stack] = sandbox.engine.find(names=[name])
    while "Handle" not in stack.wait_tokens:
        await asyncio.sleep(0.02)
    sandbox.engine.signal(stack, "Handle", body)


def assert_terminal_safe(data: bytes) -> None:
    text = data.decode("utf-8")  # strict: no lone surrogates written
    for line in text.split("\n"):
        for ch in line:
            assert unicodedata.category(ch) not in ("Cc", "Cf", "Cs"), (hex(ord(ch)), line[:80])


async def test_hostile_outputs_and_reasons_print_inert(
    sandbox: Sandbox, files: dict[str, Path]
) -> None:
    common = (str(files["template"]), "--wait", "--config", str(files["config"]))
    launch = asyncio.create_task(run_cli(sandbox, "launch", *common, "-n", "hostile-ok"))
    await signal_when_waiting(sandbox, "hostile-ok", {"status": "SUCCESS", "data": HOSTILE})
    code, out, err = await launch
    assert code == 0, err.decode(errors="replace")
    assert_terminal_safe(out)
    assert b"PWNED" in out and b"<b>bold</b>" in out  # shown, as text

    failing = asyncio.create_task(
        run_cli(sandbox, "launch", *common, "-n", "hostile-fail", "--disable-rollback")
    )
    await signal_when_waiting(sandbox, "hostile-fail", {"status": "FAILURE", "reason": HOSTILE})
    code, out, err = await failing
    assert code == 1, err.decode(errors="replace")
    assert_terminal_safe(out)
    assert b"PWNED" in out

    code, out, err = await run_cli(sandbox, "history", "--config", str(files["config"]))
    assert code == 0, err.decode(errors="replace")
    assert_terminal_safe(out)


async def test_hostile_outputs_in_json_results(sandbox: Sandbox, files: dict[str, Path]) -> None:
    args = (str(files["template"]), "--wait", "--json", "--config", str(files["config"]))
    launch = asyncio.create_task(run_cli(sandbox, "launch", *args, "-n", "hostile-json"))
    await signal_when_waiting(sandbox, "hostile-json", {"status": "SUCCESS", "data": HOSTILE})
    code, out, err = await launch
    assert code == 0, err.decode(errors="replace")
    result = json.loads(out.decode("utf-8"))
    value = json.loads(result["Outputs"][0]["OutputValue"])["1"]
    assert value == HOSTILE.replace("\ud800", "\ufffd")  # kept whole, only surrogates replaced
    assert b"\x1b" not in out  # JSON escapes control characters
    code, out, err = await run_cli(sandbox, "history", "--json", "--config", str(files["config"]))
    assert code == 0, err.decode(errors="replace")
    json.loads(out.decode("utf-8"))


async def test_hostile_reason_in_json_results(sandbox: Sandbox, files: dict[str, Path]) -> None:
    args = (str(files["template"]), "--wait", "--json", "--config", str(files["config"]))
    failing = asyncio.create_task(
        run_cli(sandbox, "launch", *args, "-n", "hostile-json-fail", "--disable-rollback")
    )
    await signal_when_waiting(
        sandbox, "hostile-json-fail", {"status": "FAILURE", "reason": HOSTILE}
    )
    code, out, err = await failing
    assert b"Traceback" not in err, err.decode(errors="replace")[-300:]
    assert code == 1, err.decode(errors="replace")
    assert "PWNED" in json.loads(out.decode("utf-8"))["StatusReason"]
