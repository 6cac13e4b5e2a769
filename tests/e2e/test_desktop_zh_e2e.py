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
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from desktop import ARTIFACTS, Desktop, app_environment, running_app
from test_desktop_e2e import notify_calls, rostray, visible_windows, wait_until

from rostray.core.alerts import friendly
from rostray.core.i18n import translator

DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
CJK = re.compile(r"[\u4e00-\u9fff]")
ZH = translator("zh_CN")


@pytest.fixture(scope="module")
def zh_env(desktop: Desktop, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    # ui.language stays "auto": the locale decides
    return app_environment(desktop, tmp_path_factory.mktemp("home-zh"), "zh_CN.UTF-8")


@pytest.fixture(scope="module")
def zh_app(desktop: Desktop, zh_env: dict[str, str]) -> Iterator[subprocess.Popen]:
    with running_app(desktop, zh_env, "rostray-zh.log") as proc:
        yield proc


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
