"""Desktop integration: the .desktop launcher and icon (Linux, XDG), and start at login.

The start-at-login file's existence *is* the "Start at login" setting, so the setting can never
drift from what the session manager will actually do: an XDG autostart entry on Linux, a
LaunchAgent plist on macOS, a command file in the Startup folder on Windows. (The macOS and
Windows files are unit-tested here, not tried on those systems.)
"""

from __future__ import annotations

import os
import plistlib
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

APP_ID = "io.github.rostray.Rostray"
AUTOSTART_DELAY = 15  # seconds: let the panel (tray host) start first


def _xdg(name: str, default: str) -> Path:
    value = os.environ.get(name)
    return Path(value) if value else Path.home() / default


def applications_dir() -> Path:
    return _xdg("XDG_DATA_HOME", ".local/share") / "applications"


def icons_dir() -> Path:
    return _xdg("XDG_DATA_HOME", ".local/share") / "icons" / "hicolor" / "scalable" / "apps"


def autostart_dir() -> Path:
    return _xdg("XDG_CONFIG_HOME", ".config") / "autostart"


def launcher_argv() -> list[str]:
    """An absolute command: autostart ignores the shell's PATH."""
    script = shutil.which("rostray")
    if script:
        return [str(Path(script).resolve())]
    return [str(Path(sys.executable).resolve()), "-m", "rostray"]


def launcher_command() -> str:
    return " ".join(launcher_argv())


def desktop_entry(*, autostart: bool = False) -> str:
    exec_line = launcher_command() + (" --hidden" if autostart else "")
    lines = [
        "[Desktop Entry]",
        "Type=Application",
        "Name=rostray",
        "GenericName=ROS stack notifier",
        "GenericName[zh_CN]=ROS 资源栈通知",
        "Comment=Know the moment an Alibaba Cloud ROS stack operation finishes",
        "Comment[zh_CN]=阿里云资源编排（ROS）资源栈操作完成时立即通知",
        f"Exec={exec_line}",
        f"Icon={APP_ID}",
        "Terminal=false",
        "Categories=Development;Utility;",
        "Keywords=Alibaba;Aliyun;ROS;stack;cloud;",
        "StartupNotify=false",
    ]
    if autostart:
        lines += [
            "X-GNOME-Autostart-enabled=true",
            f"X-GNOME-Autostart-Delay={AUTOSTART_DELAY}",
            "X-KDE-autostart-after=panel",
        ]
    return "\n".join(lines) + "\n"


@dataclass
class Autostart:
    """Start at login via $XDG_CONFIG_HOME/autostart (Linux and other XDG desktops)."""

    def path(self) -> Path:
        return autostart_dir() / f"{APP_ID}.desktop"

    def is_enabled(self) -> bool:
        path = self.path()
        if not path.exists():
            return False
        text = path.read_text(encoding="utf-8", errors="replace")
        return "Hidden=true" not in text

    def set_enabled(self, enabled: bool) -> None:
        path = self.path()
        if enabled:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(desktop_entry(autostart=True), encoding="utf-8")
        else:
            path.unlink(missing_ok=True)


def _launch_agents_dir() -> Path:
    return Path.home() / "Library" / "LaunchAgents"


@dataclass
class LaunchAgentAutostart:
    """Start at login on macOS: a per-user LaunchAgent, which launchd loads at every login."""

    folder: Path = field(default_factory=_launch_agents_dir)

    def path(self) -> Path:
        return self.folder / f"{APP_ID}.plist"

    def plist(self) -> bytes:
        return plistlib.dumps(
            {
                "Label": APP_ID,
                "ProgramArguments": [*launcher_argv(), "--hidden"],
                "RunAtLoad": True,
                "ProcessType": "Interactive",
            }
        )

    def is_enabled(self) -> bool:
        return self.path().exists()

    def set_enabled(self, enabled: bool) -> None:
        if enabled:
            self.folder.mkdir(parents=True, exist_ok=True)
            self.path().write_bytes(self.plist())
        else:
            self.path().unlink(missing_ok=True)


def _startup_dir() -> Path:
    appdata = os.environ.get("APPDATA")
    roaming = Path(appdata) if appdata else Path.home() / "AppData" / "Roaming"
    return roaming / "Microsoft" / "Windows" / "Start Menu" / "Programs" / "Startup"


@dataclass
class StartupFolderAutostart:
    """Start at login on Windows: a command file in the user's Startup folder (no registry, so
    deleting the file is all it takes to undo)."""

    folder: Path = field(default_factory=_startup_dir)

    def path(self) -> Path:
        return self.folder / "rostray.cmd"

    def script(self) -> str:
        quoted = " ".join(f'"{part}"' for part in launcher_argv())
        # `start ""` detaches, so the console window of the .cmd closes at once.
        return f'@echo off\r\nstart "" {quoted} --hidden\r\n'

    def is_enabled(self) -> bool:
        return self.path().exists()

    def set_enabled(self, enabled: bool) -> None:
        if enabled:
            self.folder.mkdir(parents=True, exist_ok=True)
            self.path().write_bytes(self.script().encode("utf-8"))
        else:
            self.path().unlink(missing_ok=True)


def autostart_for(
    platform: str | None = None,
) -> Autostart | LaunchAgentAutostart | StartupFolderAutostart:
    """This system's start-at-login mechanism."""
    platform = sys.platform if platform is None else platform
    if platform == "darwin":
        return LaunchAgentAutostart()
    if platform.startswith("win"):
        return StartupFolderAutostart()
    return Autostart()


def install(icon_source: Path) -> list[Path]:
    """Install the launcher and icon for this user; returns the files written."""
    entry = applications_dir() / f"{APP_ID}.desktop"
    icon = icons_dir() / f"{APP_ID}.svg"
    entry.parent.mkdir(parents=True, exist_ok=True)
    icon.parent.mkdir(parents=True, exist_ok=True)
    entry.write_text(desktop_entry(), encoding="utf-8")
    shutil.copyfile(icon_source, icon)
    return [entry, icon]


def uninstall() -> list[Path]:
    removed = []
    for path in (
        applications_dir() / f"{APP_ID}.desktop",
        icons_dir() / f"{APP_ID}.svg",
        autostart_for().path(),
    ):
        if path.exists():
            path.unlink()
            removed.append(path)
    return removed
