"""Tray and app icons: monochrome symbolic SVGs per state, in a light and a dark variant.

Every state (and every in-progress count 1-9, then "9+") is its own SVG file, so the icon
stays a vector all the way to the panel: ``QIcon(str(path))`` goes through Qt's SVG icon
engine and renders at whatever size and device pixel ratio the panel asks for. Drawing a
badge onto a 22 px pixmap would blur on HiDPI.

Variant names follow the colour scheme the icon is *shown on*: ``-light`` files have a dark
glyph for light panels, ``-dark`` files a light glyph for dark panels.
"""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QIcon

from rostray.assets import resource_path

MAX_BADGE = 9  # counts above this show "9+"


class TrayState(StrEnum):
    IDLE = "idle"
    BUSY = "busy"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    TUNNEL_DOWN = "tunnel-down"


def variant_for(scheme: Qt.ColorScheme) -> str:
    """``light`` or ``dark``. Unknown counts as dark: most Linux panels are dark."""
    return "light" if scheme == Qt.ColorScheme.Light else "dark"


def icon_name(state: TrayState, count: int = 0, variant: str = "dark") -> str:
    """The file name for a state; ``count`` matters only while busy."""
    if variant not in ("light", "dark"):
        raise ValueError(f"unknown icon variant: {variant!r}")
    if state is TrayState.BUSY:
        badge = f"{MAX_BADGE}plus" if count > MAX_BADGE else str(max(count, 1))
        return f"tray-busy-{badge}-{variant}.svg"
    return f"tray-{state.value}-{variant}.svg"


def icon_path(name: str) -> Path:
    return resource_path("icons", name)


def app_icon_path() -> Path:
    """The colour app icon, also handed to the notification server (it needs a real path)."""
    return resource_path("icons", "rostray.svg")


class IconSet:
    """Loads each SVG once, so an unchanged state keeps the same ``QIcon.cacheKey()``."""

    def __init__(self) -> None:
        self._cache: dict[str, QIcon] = {}

    def get(self, name: str) -> QIcon:
        icon = self._cache.get(name)
        if icon is None:
            icon = QIcon(str(icon_path(name)))
            if sys.platform == "darwin" and name.startswith("tray-"):
                icon.setIsMask(True)  # a template image: macOS tints it for the menu bar
            self._cache[name] = icon
        return icon

    def tray(self, state: TrayState, count: int = 0, variant: str = "dark") -> QIcon:
        return self.get(icon_name(state, count, variant))

    def app(self) -> QIcon:
        return self.get("rostray.svg")
