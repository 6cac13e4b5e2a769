"""The real ``rostray`` command line in subprocesses: launch --wait, exit codes, JSON, history,
Ctrl-C, and a process killed mid-stack that reconciles in the next run."""

from __future__ import annotations

import asyncio
import json
import re
import signal
from pathlib import Path

import pytest
from shared import WAIT_TEMPLATE, start_cli

from rostray.core.alerts import friendly
from rostray.core.i18n import translator
from rostray.sandbox import Sandbox

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(
        "[sandbox]\ntime_scale = 0.01\n\n[tracker]\npoll_grace_seconds = 1.0\n"
        "poll_max_interval_seconds = 5.0\n",
        encoding="utf-8",
    )
    return path


@pytest.fixture
def wait_template(tmp_path: Path) -> Path:
    path = tmp_path / "wait.json"
    path.write_text(WAIT_TEMPLATE, encoding="utf-8")
    return path


async def cli(
    *args: str, env: dict[str, str] | None = None, timeout: float = 60
) -> tuple[int, str, str]:
    proc = await start_cli(*args, env=env)
    out, err = await asyncio.wait_for(proc.communicate(), timeout)
    return proc.returncode or 0, out.decode(), err.decode()


def cloud_env(sandbox: Sandbox) -> dict[str, str]:
    """Credentials in the environment: rostray treats the sandbox like a real endpoint."""
    return {
        "ALIBABA_CLOUD_ACCESS_KEY_ID": sandbox.access_key_id,
        "ALIBABA_CLOUD_ACCESS_KEY_SECRET": sandbox.access_key_secret,
    }


async def test_launch_wait_json_success(config: Path) -> None:
    code, out, err = await cli(
        "launch",
        "seed-webhook",
        "-n",
        "cli-seed",
        "--sandbox",
        "--wait",
        "--json",
        "--config",
        str(config),
    )
    assert code == 0, err
    result = json.loads(out)
    assert {"StackId", "StackName", "Region", "Status", "StatusReason", "Outputs"} <= set(result)
    assert result["StackName"] == "cli-seed"
    assert result["Status"] == "CREATE_COMPLETE"
    assert result["Outputs"][0]["OutputKey"] == "CurlCli"
    assert result["Via"] == "callback"
    assert "Launched cli-seed" in err  # progress goes to stderr with --json


async def test_launch_wait_rollback_exits_non_zero(config: Path, wait_template: Path) -> None:
    code, out, err = await cli(
        "launch",
        str(wait_template),
        "-p",
        "Timeout=5",
        "--sandbox",
        "--wait",
        "--config",
        str(config),
    )
    assert code == 1, err
    assert "CREATE_ROLLBACK_COMPLETE" in out
    assert "Reason: Resource CREATE failed: WaitConditionTimeout" in out


async def test_human_output_in_chinese_json_in_english(config: Path) -> None:
    """LANG=zh_CN: progress, result and table in Chinese; status codes and JSON unchanged."""
    zh = translator("zh_CN")
    env = {"LANG": "zh_CN.UTF-8"}
    args = ["--sandbox", "--config", str(config)]
    code, out, err = await cli("launch", "seed-webhook", "-n", "cli-zh", "--wait", *args, env=env)
    assert code == 0, err
    status = zh("Cli", "{status} ({word})").format(
        status="CREATE_COMPLETE", word=friendly("CREATE_COMPLETE", zh)
    )
    first, *rest = out.splitlines()
    assert first.startswith("✔ cli-zh") and status in first and zh("Cli", "callback") in first
    assert zh("Cli", "Outputs:") in rest and any("CurlCli" in line for line in rest)
    assert "cli-zh" in err and CJK.search(err) and "Launched" not in err
    code, out, err = await cli("history", *args, env=env)
    assert code == 0, err
    assert out.split()[:2] == [zh("Cli", "Stack"), zh("Cli", "Region")]
    code, out, err = await cli("history", "--json", *args, env=env)
    assert code == 0, err
    [row] = json.loads(out)  # keys and codes as in English (template text may be Chinese)
    assert row["stack_name"] == "cli-zh" and row["status"] == "CREATE_COMPLETE"
    assert row["request"]["template_body"] and any(
        o["OutputKey"] == "CurlCli" for o in row["outputs"]
    )
    assert not {"request_json", "outputs_json", "token", "notification_url"} & row.keys()
    code, _, err = await cli("launch", "no-such-template", *args, env=env)
    assert code == 2 and err.startswith("rostray: ") and CJK.search(err)
    code, _, err = await cli("delete", "ghost", *args, env=env)  # an engine refusal
    expected = zh("Engine", "no stack {stack} in rostray's history").format(stack="'ghost'")
    assert code == 2 and err == f"rostray: {expected}\n"


async def test_human_output_stays_english_under_lang_c(config: Path) -> None:
    args = ["--sandbox", "--config", str(config)]
    code, out, err = await cli(
        "launch", "seed-webhook", "-n", "cli-en", "--wait", *args, env={"LANG": "C"}
    )
    assert code == 0, err
    assert out.startswith("✔ cli-en: CREATE_COMPLETE after ")
    assert "(learned by callback)" in out and "\nOutputs:\n" in out
    assert "Launched cli-en" in err
    assert not CJK.search(out + err)


async def test_bad_parameters_exit_2_with_one_line_each(config: Path, wait_template: Path) -> None:
    code, out, err = await cli(
        "launch",
        str(wait_template),
        "-p",
        "Timeout=abc",
        "-p",
        "Ghost=1",
        "--sandbox",
        "--config",
        str(config),
    )
    assert code == 2
    assert "  Timeout: Parameter 'Timeout' is invalid" in err
    assert "  Ghost: The Parameter (Ghost) was not defined in template." in err
    assert out == ""


async def test_usage_errors(config: Path, tmp_path: Path) -> None:
    code, _, err = await cli("launch", "no-such-template", "--sandbox", "--config", str(config))
    assert code == 2 and "bundled samples: " in err and "seed-webhook" in err
    bad = tmp_path / "bad.toml"
    bad.write_text("[ros]\nregoin = 'x'\n", encoding="utf-8")
    code, _, err = await cli("history", "--config", str(bad))
    assert code == 2 and "ros.regoin" in err and "region" in err


async def test_the_event_loop_can_be_chosen_and_a_wrong_choice_is_one_clear_line(
    config: Path,
) -> None:
    code, out, err = await cli("history", "--config", str(config), env={"ROSTRAY_EVENT_LOOP": "x"})
    assert code == 2 and out == ""
    assert err.strip().splitlines() == [
        "rostray: ROSTRAY_EVENT_LOOP='x' is not one of auto, uvloop, asyncio; "
        "unset it to use the fastest loop installed"
    ]
    for choice in ("asyncio", "uvloop"):
        headless = await start_cli(
            "--headless", "--no-desktop-notifications", "--sandbox", "--config", str(config),
            env={"ROSTRAY_EVENT_LOOP": choice},
        )  # fmt: skip
        assert headless.stdout is not None
        try:
            started = json.loads(await asyncio.wait_for(headless.stdout.readline(), 30))
        finally:
            headless.send_signal(signal.SIGTERM)
            await asyncio.wait_for(headless.communicate(), 30)
        assert (started["Event"], started["EventLoop"]) == ("Started", choice)
        assert headless.returncode == 0


async def test_launch_without_wait_then_history_and_status(sandbox: Sandbox, config: Path) -> None:
    env = cloud_env(sandbox)
    endpoint = ["--endpoint", sandbox.endpoint, "--config", str(config)]
    code, out, err = await cli(
        "launch", "seed-webhook", "-n", "quick", "--json", *endpoint, env=env
    )
    assert code == 0, err
    stack_id = json.loads(out)["StackId"]
    code, out, err = await cli("history", "--json", *endpoint, env=env)
    assert code == 0, err
    [row] = json.loads(out)
    assert row["stack_id"] == stack_id and row["stack_name"] == "quick"
    assert "token" not in row and "notification_url" not in row
    code, out, err = await cli("status", "quick", *endpoint, env=env)
    assert code == 0, err
    assert "quick: CREATE_COMPLETE" in out


async def test_ctrl_c_leaves_the_stack_running(
    sandbox: Sandbox, config: Path, wait_template: Path
) -> None:
    proc = await start_cli(
        "launch",
        str(wait_template),
        "-n",
        "interrupted",
        "--wait",
        "--endpoint",
        sandbox.endpoint,
        "--config",
        str(config),
        env=cloud_env(sandbox),
    )
    assert proc.stderr is not None
    line = await asyncio.wait_for(proc.stderr.readline(), 30)
    assert b"Launched interrupted" in line
    proc.send_signal(signal.SIGINT)
    _, err = await asyncio.wait_for(proc.communicate(), 30)
    assert proc.returncode == 130
    assert "rostray status" in err.decode()
    [stack] = sandbox.engine.find(names=["interrupted"])
    assert stack.status == "CREATE_IN_PROGRESS"


async def test_killed_mid_stack_reconciles_on_restart(
    sandbox: Sandbox, config: Path, wait_template: Path
) -> None:
    env = cloud_env(sandbox)
    proc = await start_cli(
        "launch",
        str(wait_template),
        "-n",
        "killed",
        "--wait",
        "--endpoint",
        sandbox.endpoint,
        "--config",
        str(config),
        env=env,
    )
    assert proc.stderr is not None
    line = await asyncio.wait_for(proc.stderr.readline(), 30)
    assert b"Launched killed" in line
    proc.kill()  # SIGKILL: no cleanup at all
    await proc.wait()
    [stack] = sandbox.engine.find(names=["killed"])
    while "Handle" not in stack.wait_tokens:
        await asyncio.sleep(0.01)
    sandbox.engine.signal(stack, "Handle", {"status": "SUCCESS", "data": "ok"})
    await sandbox.engine.settle()
    headless = await start_cli(
        "--headless",
        "--no-desktop-notifications",
        "--endpoint",
        sandbox.endpoint,
        "--config",
        str(config),
        env=env,
    )
    assert headless.stdout is not None
    try:
        started = json.loads(await asyncio.wait_for(headless.stdout.readline(), 30))
        assert started["Event"] == "Started"
        finished = json.loads(await asyncio.wait_for(headless.stdout.readline(), 30))
    finally:
        headless.send_signal(signal.SIGTERM)
        await asyncio.wait_for(headless.communicate(), 30)
    assert finished["Event"] == "StackFinished"
    assert (finished["StackName"], finished["Status"], finished["Via"]) == (
        "killed",
        "CREATE_COMPLETE",
        "reconcile",
    )
    assert headless.returncode == 0
