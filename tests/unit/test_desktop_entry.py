"""Desktop entry, icon install and XDG autostart, in a temporary HOME."""

from __future__ import annotations

import plistlib
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from rostray import desktop_entry
from rostray.cli import main


def test_autostart_file_is_the_setting() -> None:
    autostart = desktop_entry.Autostart()
    assert not autostart.is_enabled()
    autostart.set_enabled(True)
    assert autostart.is_enabled()
    text = autostart.path().read_text()
    assert "--hidden" in text and "X-GNOME-Autostart-Delay=15" in text
    exec_line = next(line for line in text.splitlines() if line.startswith("Exec="))
    assert Path(exec_line.removeprefix("Exec=").split()[0]).is_absolute()
    autostart.set_enabled(False)
    assert not autostart.path().exists() and not autostart.is_enabled()


def test_hidden_true_means_disabled() -> None:
    autostart = desktop_entry.Autostart()
    autostart.set_enabled(True)
    autostart.path().write_text(autostart.path().read_text() + "Hidden=true\n")
    assert not autostart.is_enabled()


def test_macos_launch_agent_is_the_setting(tmp_path: Path) -> None:
    autostart = desktop_entry.LaunchAgentAutostart(tmp_path / "LaunchAgents")
    assert not autostart.is_enabled()
    autostart.set_enabled(True)
    assert autostart.is_enabled()
    assert autostart.path().name == "io.github.rostray.Rostray.plist"
    agent = plistlib.loads(autostart.path().read_bytes())
    assert agent["Label"] == desktop_entry.APP_ID and agent["RunAtLoad"] is True
    program, *rest = agent["ProgramArguments"]
    assert Path(program).is_absolute() and rest[-1] == "--hidden"
    autostart.set_enabled(False)
    assert not autostart.path().exists() and not autostart.is_enabled()


def test_windows_startup_file_is_the_setting(tmp_path: Path) -> None:
    autostart = desktop_entry.StartupFolderAutostart(tmp_path / "Startup")
    autostart.set_enabled(True)
    assert autostart.is_enabled()
    data = autostart.path().read_bytes()
    assert data.count(b"\r\n") == 2 and b"\n" not in data.replace(b"\r\n", b"")  # cmd.exe
    start = data.decode().splitlines()[1]
    program = desktop_entry.launcher_argv()[0]
    assert start.startswith(f'start "" "{program}"') and start.endswith(" --hidden")
    autostart.set_enabled(False)
    assert not autostart.is_enabled()


def test_each_platform_gets_its_own_mechanism(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("APPDATA", "/tmp/roaming")
    assert isinstance(desktop_entry.autostart_for("linux"), desktop_entry.Autostart)
    mac = desktop_entry.autostart_for("darwin")
    assert isinstance(mac, desktop_entry.LaunchAgentAutostart)
    assert mac.folder == Path.home() / "Library" / "LaunchAgents"
    win = desktop_entry.autostart_for("win32")
    assert isinstance(win, desktop_entry.StartupFolderAutostart)
    assert win.folder == Path("/tmp/roaming/Microsoft/Windows/Start Menu/Programs/Startup")


def test_install_and_uninstall_commands(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["install-desktop"]) == 0
    entry = desktop_entry.applications_dir() / f"{desktop_entry.APP_ID}.desktop"
    icon = desktop_entry.icons_dir() / f"{desktop_entry.APP_ID}.svg"
    assert entry.exists() and icon.exists()
    assert icon.read_text().lstrip().startswith("<")
    assert main(["uninstall-desktop"]) == 0
    assert not entry.exists() and not icon.exists()
    out = capsys.readouterr().out
    assert "installed" in out and "removed" in out


def test_entries_pass_desktop_file_validate(tmp_path: Path) -> None:
    if shutil.which("desktop-file-validate") is None:
        pytest.fail("desktop-file-validate missing: run scripts/desktop-deps.sh")
    for autostart in (False, True):
        path = tmp_path / f"{desktop_entry.APP_ID}.desktop"
        path.write_text(desktop_entry.desktop_entry(autostart=autostart))
        result = subprocess.run(
            ["desktop-file-validate", str(path)], capture_output=True, text=True
        )
        assert result.returncode == 0, result.stdout + result.stderr


def test_no_display_means_headless(monkeypatch: pytest.MonkeyPatch) -> None:
    from rostray.commands.headless import has_display

    monkeypatch.setattr(sys, "platform", "linux")  # only Linux needs a display server
    assert not has_display({})
    assert has_display({"DISPLAY": ":0"})
    assert has_display({"WAYLAND_DISPLAY": "wayland-0"})
    assert has_display({"QT_QPA_PLATFORM": "offscreen"})
