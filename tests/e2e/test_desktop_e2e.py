"""The whole product on a real desktop: rostray starts in the tray on the embedded sandbox,
a launch is handed to it from the command line, ROS's callback arrives, and the
notification reaches the desktop's notification daemon over D-Bus with the status and the
CurlCli output. Screenshots of the tray, the form and the notification are kept in
test-artifacts/e2e/."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator

import pytest
from desktop import ARTIFACTS, Desktop, app_environment, running_app


def wait_until(check: Callable[[], object], what: str, timeout: float = 30) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def visible_windows(desktop: Desktop, name: str) -> list[str]:
    result = subprocess.run(
        ["xdotool", "search", "--onlyvisible", "--name", name],
        env=desktop.env,
        capture_output=True,
        text=True,
        timeout=10,
    )
    return result.stdout.split()


@pytest.fixture(scope="module")
def app_env(desktop: Desktop, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    # C.UTF-8: the English texts below, whatever the developer's locale
    return app_environment(desktop, tmp_path_factory.mktemp("home"), "C.UTF-8")


@pytest.fixture(scope="module")
def app(desktop: Desktop, app_env: dict[str, str]) -> Iterator[subprocess.Popen]:
    with running_app(desktop, app_env, "rostray.log") as proc:
        yield proc


def rostray(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "rostray", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def notify_calls(desktop: Desktop) -> list[str]:
    return desktop.monitor_text().split("member=Notify")[1:]


def test_starts_in_the_tray_without_credentials(
    desktop: Desktop, app: subprocess.Popen, app_env: dict[str, str]
) -> None:
    log = (desktop.workdir / "rostray.log").read_text()
    wait_until(
        lambda: "embedded ROS sandbox" in (desktop.workdir / "rostray.log").read_text(),
        "the sandbox notice",
    )
    time.sleep(1.0)
    # --hidden with a tray host: no window, only the tray icon.
    assert visible_windows(desktop, "Stacks") == [], log
    desktop.screenshot(ARTIFACTS / "tray.png")
    status = json.loads(
        subprocess.run(
            [
                sys.executable,
                "-c",
                "import json; from rostray.instance import send_to_running;"
                "print(json.dumps(send_to_running({'command': 'status'})))",
            ],
            env=app_env,
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        ).stdout
    )
    assert status["ok"] and status["mode"] == "sandbox"


def test_second_start_shows_the_running_app(
    desktop: Desktop, app: subprocess.Popen, app_env: dict[str, str]
) -> None:
    result = rostray(app_env)
    assert result.returncode == 0, result.stderr
    assert "already running" in result.stderr
    wait_until(lambda: visible_windows(desktop, "Stacks"), "the stacks window")


def test_launch_hand_over_opens_the_prefilled_form(
    desktop: Desktop, app: subprocess.Popen, app_env: dict[str, str]
) -> None:
    result = rostray(
        app_env,
        "launch",
        "parameters-showcase",
        "-n",
        "showcase",
        "-p",
        "AdminPassword=Secr3t!pass",
    )
    assert result.returncode == 0, result.stderr
    assert "Opened the launch form" in result.stdout
    wait_until(lambda: visible_windows(desktop, "Launch stack"), "the launch form")
    time.sleep(0.8)
    desktop.screenshot(ARTIFACTS / "launch-form.png")


def test_launch_with_yes_notifies_with_outputs(
    desktop: Desktop, app: subprocess.Popen, app_env: dict[str, str]
) -> None:
    before = len(notify_calls(desktop))
    result = rostray(app_env, "launch", "seed-webhook", "-n", "e2e-web", "--yes")
    assert result.returncode == 0, result.stderr
    assert "Launched by the running rostray" in result.stdout
    calls = wait_until(
        lambda: [c for c in notify_calls(desktop)[before:] if "e2e-web" in c],
        "the notification on D-Bus",
    )
    call = calls[0]
    assert "CREATE_COMPLETE" in call
    assert "CurlCli: curl -i -X POST" in call
    assert '"Show details"' in call and '"Copy CurlCli"' in call
    assert '"rostray"' in call.splitlines()[1]  # app_name
    time.sleep(1.0)  # let dunst draw it
    desktop.screenshot(ARTIFACTS / "notification.png")
    assert os.path.getsize(ARTIFACTS / "notification.png") > 10_000
