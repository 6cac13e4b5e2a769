"""Real D-Bus notification tests: a private dbus-daemon per test, coroutines on qasync.

The bus is always private (never the developer's session bus): a real notification daemon
there would own org.freedesktop.Notifications, so the fake could not, and popups would
appear on the desktop. The daemon runs with a minimal config (no service activation), so a
test without the fake server really has no notification server. A missing dbus-daemon is a
failure, not a skip: ``scripts/system-deps.sh`` installs the ``dbus`` package.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

if "--onscreen" not in sys.argv:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_API", "pyside6")

BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir={dir}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "dbus: needs a D-Bus session bus (a private one is started)")


def qasync_loop() -> asyncio.AbstractEventLoop:
    import qasync  # QT_API=pyside6 is set above, so import order does not matter
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    return qasync.QEventLoop(app)


def pytest_asyncio_loop_factories(config: pytest.Config, item: pytest.Item) -> dict:
    """desktop-notifier's callbacks and the clipboard both need the Qt loop."""
    return {"qasync": qasync_loop}


def _read_address(proc: subprocess.Popen[str], timeout: float) -> str:
    timer = threading.Timer(timeout, proc.kill)
    timer.start()
    try:
        assert proc.stdout is not None
        return proc.stdout.readline().strip()
    finally:
        timer.cancel()


@pytest.fixture
def session_bus(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A private session bus; DBUS_SESSION_BUS_ADDRESS points at it for the test."""
    daemon = shutil.which("dbus-daemon")
    if daemon is None:
        pytest.fail(
            "dbus-daemon not found: the D-Bus notification tests need it. Install the Debian "
            "package 'dbus' (make system-deps / scripts/system-deps.sh).",
            pytrace=False,
        )
    socket_dir = tmp_path / "bus"
    socket_dir.mkdir()
    config = tmp_path / "bus.conf"
    config.write_text(BUS_CONFIG.format(dir=socket_dir), encoding="utf-8")
    proc = subprocess.Popen(
        [daemon, f"--config-file={config}", "--print-address=1", "--nofork"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    address = _read_address(proc, 10.0)
    if not address:
        proc.kill()
        _, err = proc.communicate(timeout=5)
        pytest.fail(f"dbus-daemon did not start: {err.strip()}", pytrace=False)
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", address)
    try:
        yield address
    finally:
        proc.terminate()
        try:
            proc.communicate(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
