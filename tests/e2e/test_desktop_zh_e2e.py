"""The tray app on a real desktop with LANG=zh_CN.UTF-8: the command line answers in Chinese,
the launch form opens in Chinese, and the finished stack's notification reaches the
notification daemon in Chinese (status code kept). Set ROSTRAY_SCREENSHOTS=1 to refresh
docs/screenshots/desktop-notification-zh.png; otherwise the picture goes to
test-artifacts/e2e/."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from desktop import ARTIFACTS, Desktop
from test_desktop_e2e import notify_calls, rostray, visible_windows, wait_until

from rostray.core.alerts import friendly
from rostray.core.i18n import translator

DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
CJK = re.compile(r"[\u4e00-\u9fff]")
ZH = translator("zh_CN")


@pytest.fixture(scope="module")
def zh_env(desktop: Desktop, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    home = tmp_path_factory.mktemp("home-zh")
    runtime = home / "run"
    runtime.mkdir(mode=0o700)
    config = home / "config" / "rostray"
    config.mkdir(parents=True)
    (config / "config.toml").write_text("[sandbox]\ntime_scale = 0.05\n", encoding="utf-8")
    env = {
        **desktop.env,
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_RUNTIME_DIR": str(runtime),
        "LANG": "zh_CN.UTF-8",  # ui.language stays "auto": the locale decides
    }
    for name in (
        "ALIBABA_CLOUD_ACCESS_KEY_ID",
        "ALIBABA_CLOUD_ACCESS_KEY_SECRET",
        "LC_ALL",
        "LC_MESSAGES",
        "LANGUAGE",
    ):
        env.pop(name, None)
    return env


@pytest.fixture(scope="module")
def zh_app(desktop: Desktop, zh_env: dict[str, str]) -> Iterator[subprocess.Popen]:
    log = open(desktop.workdir / "rostray-zh.log", "wb")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [sys.executable, "-m", "rostray", "--hidden", "-v"],
        env=zh_env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    socket = Path(zh_env["XDG_RUNTIME_DIR"]) / "rostray" / "rostray.sock"
    try:
        wait_until(lambda: socket.exists() or proc.poll() is not None, "rostray to start")
        assert proc.poll() is None, (desktop.workdir / "rostray-zh.log").read_text()
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def test_chinese_form_and_notification(
    desktop: Desktop, zh_app: subprocess.Popen, zh_env: dict[str, str]
) -> None:
    result = rostray(zh_env, "launch", "parameters-showcase")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ZH("Cli", "Opened the launch form in the running rostray.")
    title = ZH("LaunchForm", "Launch stack — rostray")
    assert CJK.search(title)
    wait_until(lambda: visible_windows(desktop, title), "the Chinese launch form")

    before = len(notify_calls(desktop))
    result = rostray(zh_env, "launch", "seed-webhook", "-n", "e2e-zh", "--yes")
    assert result.returncode == 0, result.stderr
    assert CJK.search(result.stdout) and "Launched" not in result.stdout
    calls = wait_until(
        lambda: [c for c in notify_calls(desktop)[before:] if "e2e-zh" in c],
        "the notification on D-Bus",
    )
    call = calls[0]
    assert "CREATE_COMPLETE" in call  # the code stays, next to its Chinese word
    assert friendly("CREATE_COMPLETE", ZH) in call
    assert "CurlCli: curl -i -X POST" in call  # outputs are never translated
    assert f'"{ZH("Notifier", "Show details")}"' in call
    assert f'"{ZH("Notifier", "Copy {key}").format(key="CurlCli")}"' in call
    time.sleep(1.0)  # let dunst draw it
    shot = desktop.screenshot(ARTIFACTS / "notification-zh.png")
    assert os.path.getsize(shot) > 10_000
    if os.environ.get("ROSTRAY_SCREENSHOTS") == "1":
        shutil.copyfile(shot, DOCS / "desktop-notification-zh.png")
