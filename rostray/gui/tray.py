"""The tray icon: state icon, tooltip, a menu rebuilt each time it opens, and nothing else.

The controller owns no business logic: it reads the bridge's model and emits intent signals
(launchRequested, showStack, …) that the app wires to windows and the notifier. Whether a
tray exists at all is asked through an injectable ``tray_available`` seam, so both the tray
and the no-tray path are testable offscreen (where Qt always says "no tray").

Untrusted text (stack names, tunnel URLs and reasons) goes through ``inert()``. On Linux the
tooltip and ``showMessage`` text can end up in a markup renderer (SNI hosts, notification
servers, QToolTip/QBalloonTip auto-detecting rich text), so ``<``, ``>`` and ``&`` are
replaced by look-alikes there; menu texts get ``&`` doubled so it is not a mnemonic.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, Protocol

from PySide6.QtCore import (
    QCoreApplication,
    QDateTime,
    QLocale,
    QObject,
    Qt,
    QTimer,
    Signal,
    Slot,
)
from PySide6.QtGui import QAction, QGuiApplication, QIcon
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from rostray.core.alerts import friendly
from rostray.core.events import SUCCESS_STATUSES
from rostray.core.text import inert
from rostray.desktop_notify import markup_inert
from rostray.gui.icons import IconSet, TrayState, icon_name, variant_for

# Tunnel phases that mean "callbacks cannot reach us right now" (supervisor states:
# starting → live → reconnecting → failed).
# The supervisor's phases are off|starting|verified|degraded|down (rostray.core.tunnels).
TUNNEL_DOWN_PHASES = frozenset({"degraded", "down"})
# Where Qt may hand tray text to something that renders markup (see module docstring).
# macOS opens the menu on click; elsewhere a left click (when delivered at all) opens the app.
CLICK_OPENS_WINDOW = sys.platform != "darwin"

MENU_RECENT = 5
TOOLTIP_STACKS = 3
TOOLTIP_REFRESH_MS = 15_000  # only while stacks are in flight
PAUSE_CHOICES = ("15min", "1h", "tomorrow")
MORNING_HOUR = 8


def menu_text(text: str) -> str:
    """A QAction label: '&' would otherwise turn the next letter into a mnemonic."""
    return text.replace("&", "&&")


def pause_deadline(choice: str, now: float) -> float:
    """When a pause chosen at ``now`` ends. "tomorrow" means 08:00 next morning (local)."""
    if choice == "15min":
        return now + 15 * 60
    if choice == "1h":
        return now + 60 * 60
    if choice == "tomorrow":
        local = datetime.fromtimestamp(now).astimezone()
        day = local.date() if local.hour < 4 else local.date() + timedelta(days=1)
        morning = datetime(day.year, day.month, day.day, MORNING_HOUR).astimezone()
        return morning.timestamp()
    raise ValueError(f"unknown pause choice: {choice!r}")


def tunnel_is_down(tunnel: object | None) -> bool:
    return tunnel is not None and str(getattr(tunnel, "phase", "")) in TUNNEL_DOWN_PHASES


def tray_state(in_flight: int, last_succeeded: bool | None, tunnel_down: bool) -> TrayState:
    """Which icon to show: a dead tunnel matters most, then work under way, then the last
    result."""
    if tunnel_down:
        return TrayState.TUNNEL_DOWN
    if in_flight > 0:
        return TrayState.BUSY
    if last_succeeded is None:
        return TrayState.IDLE
    return TrayState.SUCCEEDED if last_succeeded else TrayState.FAILED


class TrayModel(Protocol):
    """What the tray reads; ``EngineBridge`` provides it."""

    modelChanged: Any

    @property
    def in_flight(self) -> list[Any]: ...

    @property
    def recent(self) -> list[Any]: ...

    @property
    def tunnel(self) -> object | None: ...


class TrayController(QObject):
    """Owns the QSystemTrayIcon; turns the model into an icon, tooltip and menu."""

    launchRequested = Signal()
    showStack = Signal(str)
    settingsRequested = Signal()
    quitRequested = Signal()
    showMainWindow = Signal()
    pauseChanged = Signal(object)  # float epoch seconds, or None when resumed
    testNotificationRequested = Signal()
    trayAvailabilityChanged = Signal(bool)
    stateChanged = Signal()

    def __init__(
        self,
        model: TrayModel,
        *,
        tray_available: Callable[[], bool] = QSystemTrayIcon.isSystemTrayAvailable,
        clock: Callable[[], float] = time.time,
        icons: IconSet | None = None,
        variant: str | None = None,
        poll_interval_ms: int = 2000,
        poll_limit_ms: int = 60_000,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._model = model
        self._tray_available = tray_available
        self._clock = clock
        self._icons = icons or IconSet()
        self._variant_override = variant
        self._variant = variant or variant_for(QGuiApplication.styleHints().colorScheme())
        self._paused_until: float | None = None
        self._available = bool(tray_available())
        self._state = TrayState.IDLE
        self._count = 0
        self._icon_name = ""

        self.icon = QSystemTrayIcon(self)
        self.menu = QMenu()  # a top-level widget: a QObject parent would not own it
        self.pause_menu = QMenu(self.tr("Pause notifications"), self.menu)
        self.menu.aboutToShow.connect(self.rebuild_menu)
        self.icon.setContextMenu(self.menu)
        self.icon.activated.connect(self._on_activated)

        self._poll = QTimer(self)
        self._poll.setInterval(poll_interval_ms)
        self._poll.timeout.connect(self._on_poll)
        self._poll_left = poll_limit_ms
        self._poll_interval = poll_interval_ms
        self._ticker = QTimer(self)  # keeps elapsed times fresh; runs only while busy
        self._ticker.setInterval(TOOLTIP_REFRESH_MS)
        self._ticker.timeout.connect(self.refresh)

        QGuiApplication.styleHints().colorSchemeChanged.connect(self._on_scheme_changed)
        model.modelChanged.connect(self.refresh)
        self.refresh()
        self.rebuild_menu()

    # -- availability ----------------------------------------------------------------------

    @property
    def available(self) -> bool:
        """Whether a tray host exists; when False the app shows its main window instead."""
        return self._available

    def start(self) -> None:
        """Show the icon if a tray exists; otherwise poll for one that appears late."""
        self.icon.setVisible(self._available)
        if not self._available and self._poll_left > 0:
            self._poll.start()

    def recheck(self) -> bool:
        """Ask the seam again (the app may call this, e.g. when its window is shown)."""
        now = bool(self._tray_available())
        if now != self._available:
            self._available = now
            self.icon.setVisible(now)
            self.trayAvailabilityChanged.emit(now)
        return now

    @Slot()
    def _on_poll(self) -> None:
        self._poll_left -= self._poll_interval
        if self.recheck() or self._poll_left <= 0:
            self._poll.stop()  # found one, or gave up: nothing polls at idle after this

    @property
    def polling(self) -> bool:
        return self._poll.isActive()

    # -- pause -----------------------------------------------------------------------------

    @property
    def paused_until(self) -> float | None:
        return self._paused_until

    def set_paused_until(self, until: float | None) -> None:
        """Show a pause that came from elsewhere (config on start, settings dialog)."""
        self._paused_until = until
        self.refresh()

    def paused(self) -> bool:
        return self._paused_until is not None and self._paused_until > self._clock()

    def pause(self, choice: str) -> None:
        self._paused_until = pause_deadline(choice, self._clock())
        self.pauseChanged.emit(self._paused_until)
        self.refresh()

    def resume(self) -> None:
        self._paused_until = None
        self.pauseChanged.emit(None)
        self.refresh()

    # -- icon and tooltip ------------------------------------------------------------------

    @property
    def state(self) -> TrayState:
        return self._state

    @property
    def busy_count(self) -> int:
        return self._count

    @property
    def icon_name(self) -> str:
        return self._icon_name

    @property
    def variant(self) -> str:
        return self._variant

    @Slot()
    def refresh(self) -> None:
        """Recompute icon and tooltip from the model (cheap; called on every change)."""
        in_flight = self._model.in_flight
        recent = self._model.recent
        last = recent[0].status in SUCCESS_STATUSES if recent else None
        state = tray_state(len(in_flight), last, tunnel_is_down(self._model.tunnel))
        count = len(in_flight) if state is TrayState.BUSY else 0
        name = icon_name(state, count, self._variant)
        if name != self._icon_name:
            self.icon.setIcon(self._icons.get(name))
        changed = (state, count) != (self._state, self._count)
        self._state, self._count, self._icon_name = state, count, name
        self.icon.setToolTip(markup_inert(self.tooltip()))
        if in_flight and not self._ticker.isActive():
            self._ticker.start()
        elif not in_flight:
            self._ticker.stop()
        if changed:
            self.stateChanged.emit()

    def current_icon(self) -> QIcon:
        return self.icon.icon()

    @Slot(Qt.ColorScheme)
    def _on_scheme_changed(self, scheme: Qt.ColorScheme) -> None:
        if self._variant_override:
            return
        self._variant = variant_for(scheme)
        self._icon_name = ""  # force a new icon
        self.refresh()

    def tooltip(self) -> str:
        """Plain text; every untrusted piece already through inert()."""
        lines = ["rostray"]
        in_flight = self._model.in_flight
        if in_flight:
            lines.append(self.tr("%n stack(s) in progress", "", len(in_flight)))
            for stack in in_flight[:TOOLTIP_STACKS]:
                lines.append(
                    self.tr("{name}: {status}, {elapsed}").format(
                        name=inert(stack.stack_name, 40),
                        status=inert(stack.status, 40),
                        elapsed=self.format_elapsed(self._clock() - stack.started_at),
                    )
                )
            if len(in_flight) > TOOLTIP_STACKS:
                lines.append(self.tr("+{n} more").format(n=len(in_flight) - TOOLTIP_STACKS))
        else:
            recent = self._model.recent
            if recent:
                lines.append(self.tr("Last: {result}").format(result=self._result_text(recent[0])))
            else:
                lines.append(self.tr("No stacks in progress"))
        lines.append(self.tunnel_text())
        if self.paused():
            lines.append(self.tr("Notifications paused until {time}").format(time=self._when()))
        return "\n".join(lines)

    def format_elapsed(self, seconds: float) -> str:
        seconds = max(int(seconds), 0)
        if seconds < 60:
            return self.tr("{s} s").format(s=seconds)
        minutes = seconds // 60
        if minutes < 60:
            return self.tr("{m} min").format(m=minutes)
        return self.tr("{h} h {m} min").format(h=minutes // 60, m=minutes % 60)

    def tunnel_text(self) -> str:
        tunnel = self._model.tunnel
        if tunnel is None:
            return self.tr("Tunnel: not in use")
        phase = inert(getattr(tunnel, "phase", ""), 20)
        words = {
            "off": self.tr("off"),
            "starting": self.tr("starting"),
            "verified": self.tr("verified"),
            "degraded": self.tr("degraded"),
            "down": self.tr("down"),
        }
        parts = [self.tr("Tunnel: {phase}").format(phase=words.get(phase, phase))]
        rtt = getattr(tunnel, "rtt_ms", None)
        if isinstance(rtt, int | float) and not tunnel_is_down(tunnel):
            parts.append(self.tr("{ms} ms").format(ms=round(rtt)))
        url = getattr(tunnel, "url", None)
        if url and not tunnel_is_down(tunnel):
            parts.append(inert(url, 60))
        reason = getattr(tunnel, "reason", None)
        if reason and tunnel_is_down(tunnel):
            parts.append(inert(reason, 80))
        return " · ".join(parts)

    def friendly(self, status: str) -> str:
        """The translated word for a terminal status (the notifications' words)."""
        return friendly(status, QCoreApplication.translate)

    def _result_text(self, event: Any) -> str:
        word = self.friendly(event.status) or inert(event.status, 40)
        return self.tr("{name} {word}").format(name=inert(event.stack_name, 40), word=word)

    def _when(self) -> str:
        until = self._paused_until or 0.0
        moment = QDateTime.fromSecsSinceEpoch(int(until))
        locale = QLocale()
        if moment.date() == QDateTime.currentDateTime().date():
            return locale.toString(moment.time(), QLocale.FormatType.ShortFormat)
        return locale.toString(moment, QLocale.FormatType.ShortFormat)

    # -- menu ------------------------------------------------------------------------------

    @Slot()
    def rebuild_menu(self) -> None:
        """Rebuilt on aboutToShow so elapsed times and stack lists are current."""
        menu = self.menu
        menu.clear()
        self._add(menu, self.tr("Show rostray"), self.showMainWindow.emit)
        self._add(menu, self.tr("Launch stack…"), self.launchRequested.emit)
        menu.addSeparator()
        in_flight = self._model.in_flight
        recent = self._model.recent[:MENU_RECENT]
        for stack in in_flight:
            text = self.tr("{name} — {status}, {elapsed}").format(
                name=inert(stack.stack_name, 40),
                status=inert(stack.status, 40),
                elapsed=self.format_elapsed(self._clock() - stack.started_at),
            )
            self._add_stack(menu, text, stack.stack_id)
        for event in recent:
            mark = "✓" if event.status in SUCCESS_STATUSES else "✗"
            self._add_stack(menu, f"{mark} {self._result_text(event)}", event.stack_id)
        if not in_flight and not recent:
            menu.addAction(self.tr("No stacks yet")).setEnabled(False)
        menu.addSeparator()
        menu.addAction(menu_text(self.tunnel_text())).setEnabled(False)
        menu.addSeparator()
        self._add(menu, self.tr("Settings…"), self.settingsRequested.emit)
        self._rebuild_pause_menu()
        menu.addMenu(self.pause_menu)
        self._add(menu, self.tr("Send test notification"), self.testNotificationRequested.emit)
        menu.addSeparator()
        self._add(menu, self.tr("Quit"), self.quitRequested.emit)

    def _rebuild_pause_menu(self) -> None:
        sub = self.pause_menu
        sub.clear()  # the submenu itself is kept, so rebuilding never leaks QMenus
        if self.paused():
            sub.addAction(self.tr("Paused until {time}").format(time=self._when())).setEnabled(
                False
            )
        labels = {
            "15min": self.tr("For 15 minutes"),
            "1h": self.tr("For 1 hour"),
            "tomorrow": self.tr("Until tomorrow morning"),
        }
        for choice in PAUSE_CHOICES:
            self._add(sub, labels[choice], lambda c=choice: self.pause(c))
        sub.addSeparator()
        resume = self._add(sub, self.tr("Resume notifications"), self.resume)
        resume.setEnabled(self.paused())

    def _add(self, menu: QMenu, text: str, slot: Callable[[], Any]) -> QAction:
        action = menu.addAction(text)
        action.triggered.connect(lambda _checked=False: slot())
        return action

    def _add_stack(self, menu: QMenu, text: str, stack_id: str) -> QAction:
        return self._add(menu, menu_text(text), lambda: self.showStack.emit(stack_id))

    def action_texts(self, menu: QMenu | None = None) -> list[str]:
        """Visible texts (separators as ""), for tests and diagnostics."""
        return [a.text() for a in (menu or self.menu).actions()]

    def find_action(self, text: str, menu: QMenu | None = None) -> QAction | None:
        for action in (menu or self.menu).actions():
            if action.text() == text:
                return action
        return None

    # -- clicks and messages ---------------------------------------------------------------

    @Slot(QSystemTrayIcon.ActivationReason)
    def _on_activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        trigger = reason == QSystemTrayIcon.ActivationReason.Trigger and CLICK_OPENS_WINDOW
        if trigger or reason == QSystemTrayIcon.ActivationReason.DoubleClick:
            self.showMainWindow.emit()

    def show_message(self, title: str, body: str, urgent: bool, msecs: int = 10_000) -> None:
        """The tray balloon (a fallback: no buttons, global clicks). Text made markup-inert."""
        kind = (
            QSystemTrayIcon.MessageIcon.Critical
            if urgent
            else QSystemTrayIcon.MessageIcon.Information
        )
        self.icon.showMessage(markup_inert(title), markup_inert(body), kind, msecs)
