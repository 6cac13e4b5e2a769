"""A real, throwaway desktop session: Xvfb + openbox + trayer (tray host) + a private D-Bus
session bus + dunst (notification daemon) + dbus-monitor recording every Notify call.

Nothing here is mocked: rostray talks to the same daemons a user's desktop runs.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "e2e"
REQUIRED = (
    "Xvfb",
    "openbox",
    "trayer",
    "dunst",
    "dbus-daemon",
    "dbus-monitor",
    "import",
    "xdotool",
)


def missing_tools() -> list[str]:
    return [tool for tool in REQUIRED if shutil.which(tool) is None]


def _free_display() -> int:
    for number in range(90, 200):
        if (
            not Path(f"/tmp/.X11-unix/X{number}").exists()
            and not Path(f"/tmp/.X{number}-lock").exists()
        ):
            return number
    raise RuntimeError("no free X display number")


@dataclass
class Desktop:
    workdir: Path
    display: str = ""
    bus_address: str = ""
    env: dict[str, str] = field(default_factory=dict)
    _procs: list[subprocess.Popen] = field(default_factory=list)
    monitor_log: Path | None = None

    def _spawn(self, *argv: str, log: str, env: dict[str, str] | None = None) -> subprocess.Popen:
        out = open(self.workdir / f"{log}.log", "wb")  # noqa: SIM115 - lives as long as proc
        proc = subprocess.Popen(
            argv, stdout=out, stderr=subprocess.STDOUT, env=env or self.env, start_new_session=True
        )
        self._procs.append(proc)
        return proc

    def start(self) -> Desktop:
        self.workdir.mkdir(parents=True, exist_ok=True)
        number = _free_display()
        self.display = f":{number}"
        self._spawn(
            "Xvfb",
            self.display,
            "-screen",
            "0",
            "1280x800x24",
            "-nolisten",
            "tcp",
            log="xvfb",
            env=dict(os.environ),
        )
        self._wait(lambda: Path(f"/tmp/.X11-unix/X{number}").exists(), "Xvfb")
        bus = subprocess.run(
            ["dbus-daemon", "--session", "--fork", "--print-address=1", "--print-pid=1"],
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        )
        address, pid = bus.stdout.split()[:2]
        self.bus_address = address
        self._bus_pid = int(pid)
        self.env = {
            **os.environ,
            "DISPLAY": self.display,
            "DBUS_SESSION_BUS_ADDRESS": address,
            "QT_QPA_PLATFORM": "xcb",
            "XDG_CURRENT_DESKTOP": "openbox",
        }
        self._spawn("openbox", "--sm-disable", log="openbox")
        self._spawn(
            "trayer",
            "--edge",
            "top",
            "--align",
            "right",
            "--widthtype",
            "request",
            "--height",
            "28",
            "--SetDockType",
            "true",
            "--transparent",
            "false",
            "--tint",
            "0x303030",
            log="trayer",
        )
        self.monitor_log = self.workdir / "dbus-monitor.log"
        self._spawn(
            "dbus-monitor",
            "--session",
            "interface='org.freedesktop.Notifications'",
            log="dbus-monitor",
        )
        dunstrc = self.workdir / "dunstrc"
        dunstrc.write_text(
            "[global]\n    width = 420\n    origin = top-right\n    offset = 20x40\n"
            "    font = DejaVu Sans 10\n"
            '    markup = full\n    format = "<b>%s</b>\\n%b"\n'
            "[urgency_normal]\n    timeout = 0\n[urgency_critical]\n    timeout = 0\n",
            encoding="utf-8",
        )
        self._spawn("dunst", "-config", str(dunstrc), log="dunst")
        self._wait(self._notifications_owned, "dunst to own org.freedesktop.Notifications")
        time.sleep(0.5)  # let the tray host map its window
        return self

    def _notifications_owned(self) -> bool:
        result = subprocess.run(
            [
                "dbus-send",
                "--session",
                "--print-reply",
                "--dest=org.freedesktop.DBus",
                "/org/freedesktop/DBus",
                "org.freedesktop.DBus.NameHasOwner",
                "string:org.freedesktop.Notifications",
            ],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=5,
        )
        return "boolean true" in result.stdout

    @staticmethod
    def _wait(check, what: str, timeout: float = 15) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if check():
                return
            time.sleep(0.05)
        raise RuntimeError(f"timed out waiting for {what}")

    def monitor_text(self) -> str:
        path = self.workdir / "dbus-monitor.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def screenshot(self, path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["import", "-window", "root", str(path)],
            env=self.env,
            check=True,
            timeout=20,
            capture_output=True,
        )
        return path

    def stop(self) -> None:
        for proc in reversed(self._procs):
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self._procs:
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
        if getattr(self, "_bus_pid", None):
            with contextlib.suppress(ProcessLookupError):
                os.kill(self._bus_pid, signal.SIGTERM)


def app_environment(desktop: Desktop, home: Path, lang: str) -> dict[str, str]:
    """A fresh user (HOME/XDG under ``home``) on this desktop, sandbox mode, locale ``lang``."""
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
        "LANG": lang,
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


@contextlib.contextmanager
def running_app(desktop: Desktop, env: dict[str, str], log_name: str) -> Iterator[subprocess.Popen]:
    """``rostray --hidden`` in the tray until the block ends (its output in ``log_name``)."""
    log_path = desktop.workdir / log_name
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "rostray", "--hidden", "-v"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        socket = Path(env["XDG_RUNTIME_DIR"]) / "rostray" / "rostray.sock"
        try:
            deadline = time.monotonic() + 30
            while not socket.exists() and proc.poll() is None:
                assert time.monotonic() < deadline, "timed out waiting for rostray to start"
                time.sleep(0.1)
            assert proc.poll() is None, log_path.read_text()
            yield proc
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
