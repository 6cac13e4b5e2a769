"""``rostray --headless`` in a subprocess: a result is one JSON line on stdout and a desktop
notification through the session bus (a fake notification server records it). Without a
notification service it still prints, and says once that notifications are unavailable."""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
from pathlib import Path
from typing import Any

import pytest
from fake_notifications import serve
from shared import WAIT_TEMPLATE, start_cli

from rostray.core.alerts import friendly
from rostray.core.i18n import translator
from rostray.sandbox import Sandbox

pytestmark = pytest.mark.dbus


async def finished_while_away(sandbox: Sandbox, tmp_path: Path, env: dict[str, str]) -> str:
    """Launch with the CLI (no --wait), then finish the stack while no rostray runs."""
    template = tmp_path / "wait.json"
    template.write_text(WAIT_TEMPLATE, encoding="utf-8")
    proc = await start_cli(
        "launch",
        str(template),
        "-n",
        "headless-demo",
        "--no-handover",
        "--endpoint",
        sandbox.endpoint,
        env=env,
    )
    _, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode == 0, err.decode()
    [stack] = sandbox.engine.find(names=["headless-demo"])
    while "Handle" not in stack.wait_tokens:
        await asyncio.sleep(0.01)
    sandbox.engine.signal(stack, "Handle", {"status": "SUCCESS", "data": "<b>done</b>"})
    await sandbox.engine.settle()
    return stack.id


async def headless_result(sandbox: Sandbox, env: dict[str, str]) -> tuple[dict[str, Any], str]:
    proc = await start_cli("--headless", "--endpoint", sandbox.endpoint, env=env)
    assert proc.stdout is not None and proc.stderr is not None
    try:
        started = json.loads(await asyncio.wait_for(proc.stdout.readline(), 30))
        assert started["Event"] == "Started"
        result = json.loads(await asyncio.wait_for(proc.stdout.readline(), 30))
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = await asyncio.wait_for(proc.communicate(), 30)
    assert proc.returncode == 0, err.decode()
    return result, err.decode()


def credentials(sandbox: Sandbox) -> dict[str, str]:
    return {
        "ALIBABA_CLOUD_ACCESS_KEY_ID": sandbox.access_key_id,
        "ALIBABA_CLOUD_ACCESS_KEY_SECRET": sandbox.access_key_secret,
    }


@pytest.mark.parametrize(
    ("capabilities", "shown"),
    [
        (["body", "actions"], 'Data: {"1": "<b>done</b>"}'),  # rendered as plain text
        (["body", "body-markup"], 'Data: {"1": "&lt;b&gt;done&lt;/b&gt;"}'),  # escaped
    ],
)
async def test_headless_prints_and_notifies(
    session_bus: str, sandbox: Sandbox, tmp_path: Path, capabilities: list[str], shown: str
) -> None:
    env = credentials(sandbox)
    stack_id = await finished_while_away(sandbox, tmp_path, env)
    async with serve(capabilities) as server:
        result, _ = await headless_result(sandbox, env)
        [call] = await server.wait_calls(1, timeout=10)
    assert (result["Event"], result["StackId"], result["Status"], result["Via"]) == (
        "StackFinished",
        stack_id,
        "CREATE_COMPLETE",
        "reconcile",
    )
    assert call.app_name == "rostray"
    assert "headless-demo" in call.summary and "CREATE_COMPLETE" in call.summary
    assert shown in call.body


async def test_headless_without_a_notification_server_still_prints(
    session_bus: str, sandbox: Sandbox, tmp_path: Path
) -> None:
    env = credentials(sandbox)
    await finished_while_away(sandbox, tmp_path, env)
    result, err = await headless_result(sandbox, env)  # nobody owns the name on this bus
    assert result["Status"] == "CREATE_COMPLETE"
    assert "desktop notifications unavailable" in err


CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.parametrize(
    ("locale", "language", "chinese"),
    [
        ("zh_CN.UTF-8", None, True),
        ("zh_TW.UTF-8", None, True),  # every Chinese locale gets Simplified Chinese
        ("C.UTF-8", "zh_CN", True),  # ui.language in the config beats the locale
        ("zh_CN.UTF-8", "en", False),
        ("C", None, False),
    ],
)
async def test_headless_notification_language(
    session_bus: str,
    sandbox: Sandbox,
    tmp_path: Path,
    locale: str,
    language: str | None,
    chinese: bool,
) -> None:
    """The headless path translates without Qt, from the locale or the config's override."""
    env = {**credentials(sandbox), "LANG": locale}
    if language is not None:
        config = Path(os.environ["XDG_CONFIG_HOME"]) / "rostray" / "config.toml"
        config.parent.mkdir(parents=True, exist_ok=True)
        config.write_text(f'[ui]\nlanguage = "{language}"\n', encoding="utf-8")
    await finished_while_away(sandbox, tmp_path, env)
    async with serve(["body", "body-markup"]) as server:
        result, _ = await headless_result(sandbox, env)
        [call] = await server.wait_calls(1, timeout=10)
    assert result["Status"] == "CREATE_COMPLETE"  # JSON lines stay English
    assert "headless-demo" in call.summary and "CREATE_COMPLETE" in call.summary
    word = friendly("CREATE_COMPLETE", translator("zh_CN" if chinese else "en"))
    assert word in call.summary
    assert bool(CJK.search(call.summary)) is chinese
    assert 'Data: {"1": "&lt;b&gt;done&lt;/b&gt;"}' in call.body  # still escaped, not rendered
