"""Desktop alerts for finished stacks: decide, coalesce, deliver through a fallback chain.

* **Decide** with a pure function (``should_notify``) so the rules are a table test.
* **Coalesce**: results are collected for a short window; more than three become one summary,
  and at most one popup goes out per second, so a reconcile after start-up is not a flood.
* **Deliver** through backends in order: desktop-notifier (D-Bus on Linux; real buttons and
  per-notification clicks) → the tray's ``showMessage`` → nothing but the in-app list. A
  backend that raises is left for the next one and the switch is reported once through
  ``backendChanged``; ``reset_backends()`` (also done by "Send test notification" and when a
  tray appears) tries the primary again.
* **Record** every alert in ``alerts`` whatever happened to the popup.

Payload text is never markup: ``compose()`` makes it inert, the D-Bus body is HTML-escaped
only when the server says it renders markup, and the tray fallback replaces markup
characters (see ``rostray.desktop_notify.markup_inert``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import unicodedata
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from PySide6.QtCore import QCoreApplication, QObject, Qt, QTimer, QUrl, Signal, Slot
from PySide6.QtGui import QDesktopServices, QGuiApplication

from rostray.config import NotificationSettings
from rostray.core.alerts import Alert, compose, summarize
from rostray.core.events import StackFinished
from rostray.core.text import inert
from rostray.desktop_notify import markup_inert, query_server_capabilities

log = logging.getLogger(__name__)

IN_APP = "in-app"  # the name reported when no popup backend is left


# -- what an alert is and what happened to it ---------------------------------------------------


@dataclass(frozen=True)
class StackAlert(Alert):
    """An ``Alert`` plus what its buttons need (``Alert`` itself is toolkit- and id-free)."""

    stack_id: str | None = None
    copy_key: str | None = None  # the first output's key, for a translated "Copy <key>"

    @classmethod
    def from_alert(
        cls, alert: Alert, stack_id: str | None = None, copy_key: str | None = None
    ) -> StackAlert:
        return cls(
            alert.title,
            alert.body,
            alert.urgent,
            alert.copy_text,
            alert.copy_label,
            alert.console_url,
            stack_id,
            copy_key,
        )


@dataclass(frozen=True)
class AlertRecord:
    """One entry of the in-app list.

    ``via`` is the backend that showed it, ``"in-app"`` when none could, ``"paused"`` or
    ``"muted"`` when the settings suppressed the popup. ``summarized``: shown as part of a
    burst summary rather than on its own.
    """

    alert: StackAlert
    at: float
    via: str
    summarized: bool = False


@dataclass(frozen=True)
class AlertButton:
    title: str
    invoke: Callable[[], None]


def should_notify(event: StackFinished, settings: NotificationSettings, now: float) -> bool:
    """Pop up for this result? Paused beats everything; then success/failure switches."""
    if settings.paused_until is not None and now < settings.paused_until:
        return False
    return settings.on_success if event.succeeded else settings.on_failure


def clipboard_text(value: str) -> str:
    """The value as copied: control and format characters (ANSI escapes, bidi overrides,
    zero-width) removed so a paste cannot smuggle them; newlines and tabs kept."""
    kept = "".join(
        ch for ch in value if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cf")
    )
    return kept.strip("\n")


# -- backends -----------------------------------------------------------------------------------


class NotificationBackend(Protocol):
    """One way to pop up an alert. ``send`` raises when it cannot; the chain moves on."""

    name: str

    async def send(self, alert: Alert) -> None: ...


class AlertActions(Protocol):
    """What a backend's buttons and clicks call back into (the ``Notifier``)."""

    def buttons(self, alert: Alert) -> list[AlertButton]: ...

    def clicked(self, alert: Alert) -> None: ...


class BackendUnavailable(RuntimeError):
    """This backend cannot work here (no tray, no notification service, …)."""


class DesktopNotifierBackend:
    """desktop-notifier on the qasync loop: buttons, per-notification clicks, urgency.

    desktop-notifier logs and swallows send errors, so success is taken from its
    ``on_dispatched`` callback; capability queries do raise (``InvalidAddressError`` without
    a session bus, ``DBusError`` without a notification server) and end up in the chain.
    """

    name = "desktop-notifier"

    def __init__(
        self,
        actions: AlertActions,
        *,
        app_name: str = "rostray",
        icon_path: Path | None = None,
        timeout: float = 5.0,
        server_capabilities: Callable[[], Awaitable[frozenset[str]]] = query_server_capabilities,
    ) -> None:
        self._actions = actions
        self._app_name = app_name
        self._icon_path = icon_path
        self._timeout = timeout
        self._server_capabilities = server_capabilities
        self._notifier: Any = None
        self._buttons_ok = False
        self._markup = False
        self._probed = False

    @property
    def markup(self) -> bool:
        """Whether bodies go out HTML-escaped (the server advertised "body-markup")."""
        return self._markup

    def _ensure(self) -> Any:
        if self._notifier is None:
            from desktop_notifier import DesktopNotifier, Icon
            from desktop_notifier.backends.dummy import DummyNotificationCenter
            from desktop_notifier.main import get_backend_class

            if issubclass(get_backend_class(), DummyNotificationCenter):
                # e.g. macOS outside an app bundle: it would "succeed" and show nothing.
                raise BackendUnavailable("desktop-notifier has no working backend here")
            icon = Icon(path=self._icon_path) if self._icon_path else None
            self._notifier = DesktopNotifier(app_name=self._app_name, app_icon=icon)
        return self._notifier

    async def _probe(self, notifier: Any) -> None:
        """Query capabilities once per backend instance (the chain resets make a new try)."""
        if self._probed:
            return
        from desktop_notifier import Capability

        capabilities = await notifier.get_capabilities()  # raises without bus or server
        server = await self._server_capabilities()
        self._buttons_ok = Capability.BUTTONS in capabilities  # the server's "actions"
        self._markup = "body-markup" in server
        self._probed = True

    async def send(self, alert: Alert) -> None:
        try:
            await self._send(alert)
        except BaseException:
            await self.aclose()  # start from a fresh connection next time (bus restarts)
            raise

    async def _send(self, alert: Alert) -> None:
        from desktop_notifier import Button, Urgency

        notifier = self._ensure()
        await asyncio.wait_for(self._probe(notifier), self._timeout)
        buttons = (
            [Button(title=b.title, on_pressed=b.invoke) for b in self._actions.buttons(alert)]
            if self._buttons_ok
            else []
        )
        dispatched = asyncio.Event()
        await asyncio.wait_for(
            notifier.send(
                # The summary is plain text by the spec, but servers that render body markup
                # (dunst, for one) may render it too: look-alikes read right on both kinds.
                title=markup_inert(alert.title, self._markup),
                message=alert.body_markup() if self._markup else alert.body,
                urgency=Urgency.Critical if alert.urgent else Urgency.Normal,
                buttons=buttons,
                on_clicked=lambda: self._actions.clicked(alert),
                on_dispatched=dispatched.set,
            ),
            self._timeout,
        )
        if not dispatched.is_set():
            raise BackendUnavailable("the notification server did not accept the notification")

    async def aclose(self) -> None:
        """Drop the D-Bus connection desktop-notifier opened (it has no close of its own)."""
        bus = getattr(getattr(self._notifier, "_backend", None), "bus", None)
        if bus is not None and getattr(bus, "connected", False):
            bus.disconnect()
        self._notifier = None
        self._probed = False


class TraySink(Protocol):
    """What the tray fallback needs; ``TrayController`` provides it."""

    @property
    def available(self) -> bool: ...

    def show_message(self, title: str, body: str, urgent: bool, msecs: int = ...) -> None: ...


class TrayMessageBackend:
    """``QSystemTrayIcon.showMessage``: no buttons, clicks not attributable; last resort."""

    name = "tray"

    def __init__(self, tray: TraySink) -> None:
        self._tray = tray

    async def send(self, alert: Alert) -> None:
        if not self._tray.available:
            raise BackendUnavailable("no system tray")
        self._tray.show_message(alert.title, alert.body, alert.urgent)


# -- the notifier -------------------------------------------------------------------------------


class Notifier(QObject):
    """Turns finished stacks into alerts: decision, coalescing, backend chain, history."""

    alertRecorded = Signal(object)  # AlertRecord
    alertDelivered = Signal(object, str)  # StackAlert (or a summary), backend name
    backendChanged = Signal(str)  # the backend now in use, "in-app" when none is left
    showStack = Signal(str)
    showMainWindow = Signal()

    def __init__(
        self,
        settings: NotificationSettings,
        backends: Sequence[NotificationBackend] | None = None,
        *,
        tray: TraySink | None = None,
        icon_path: Path | None = None,
        clock: Callable[[], float] = time.time,
        window: float = 1.0,
        min_interval: float = 1.0,
        burst_threshold: int = 3,
        send_timeout: float = 10.0,
        history: int = 200,
        parent: QObject | None = None,
    ) -> None:
        """``backends`` replaces the default chain (tests, other platforms). ``tray`` adds the
        showMessage fallback to the default chain, and a tray appearing late retries the
        primary backend."""
        super().__init__(parent)
        self.settings = settings
        if backends is None:
            chain: list[NotificationBackend] = [
                DesktopNotifierBackend(self, icon_path=icon_path or _app_icon())
            ]
            if tray is not None:
                chain.append(TrayMessageBackend(tray))
            backends = chain
        self._chain: list[NotificationBackend] = list(backends)
        self._index = 0
        self._clock = clock
        self._window_ms = round(window * 1000)
        self._interval = min_interval
        self._burst = burst_threshold
        self._send_timeout = send_timeout
        self._history = history
        self.alerts: list[AlertRecord] = []  # oldest first, at most ``history``
        self._pending: list[tuple[StackFinished, StackAlert]] = []
        self._last_popup: float | None = None  # time.monotonic() of the last flush
        self._lock = asyncio.Lock()
        self._tasks: set[asyncio.Task[Any]] = set()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)  # coarse ones fire up to 5 % early
        self._timer.timeout.connect(self._flush)
        changed = getattr(tray, "trayAvailabilityChanged", None)
        if changed is not None:
            changed.connect(self._on_tray_availability)

    # -- state -----------------------------------------------------------------------------

    @property
    def backend_name(self) -> str:
        return self._chain[self._index].name if self._index < len(self._chain) else IN_APP

    @property
    def backends(self) -> list[NotificationBackend]:
        return list(self._chain)

    def reset_backends(self) -> None:
        """Try the primary backend again (the service may have come back)."""
        if self._index != 0:
            self._index = 0
            self.backendChanged.emit(self.backend_name)

    @Slot(bool)
    def _on_tray_availability(self, available: bool) -> None:
        if available:
            self.reset_backends()

    def set_paused_until(self, until: float | None) -> None:
        """Connected to ``TrayController.pauseChanged``; the app persists the settings."""
        self.settings.paused_until = until

    def paused(self) -> bool:
        until = self.settings.paused_until
        return until is not None and self._clock() < until

    # -- input -----------------------------------------------------------------------------

    @Slot(object)
    def handle_event(self, event: object) -> None:
        """Connect to ``EngineBridge.stackFinished`` (or ``event``; others are ignored)."""
        if isinstance(event, StackFinished):
            self.result(event)

    def alert_for(self, event: StackFinished) -> StackAlert:
        first = event.outputs[0].key if event.outputs else None
        alert = compose(event, self.settings.max_outputs, QCoreApplication.translate)
        return StackAlert.from_alert(alert, event.stack_id, first)

    def result(self, event: StackFinished) -> None:
        """One announced result: record it, and queue a popup when the settings allow."""
        alert = self.alert_for(event)
        if not should_notify(event, self.settings, self._clock()):
            self._record(alert, "paused" if self.paused() else "muted")
            return
        self._pending.append((event, alert))
        if not self._timer.isActive():
            wait = max(self._window_ms, self._ms_until_next_popup())
            self._timer.start(wait)

    def send_test(self) -> None:
        """ "Send test notification": bypasses pause and coalescing, retries the primary."""
        self.reset_backends()
        alert = StackAlert(
            title=self.tr("rostray test notification"),
            body=self.tr("Notifications work. Finished stacks will look like this."),
            urgent=False,
            copy_text=None,
            copy_label=None,
            console_url=None,
        )
        self._spawn(self._deliver_and_record([alert], alert))

    # -- coalescing ------------------------------------------------------------------------

    def _ms_until_next_popup(self) -> int:
        if self._last_popup is None:
            return 0
        return max(round((self._last_popup + self._interval - time.monotonic()) * 1000), 0)

    @Slot()
    def _flush(self) -> None:
        if not self._pending:
            return
        batch, self._pending = self._pending, []
        if len(batch) > self._burst:
            popup = StackAlert.from_alert(
                summarize([event for event, _ in batch], QCoreApplication.translate)
            )
            alerts = [alert for _, alert in batch]
            self._spawn(self._deliver_and_record(alerts, popup, summarized=True))
        else:
            (_, first), self._pending = batch[0], batch[1:]
            self._spawn(self._deliver_and_record([first], first))
        self._last_popup = time.monotonic()
        if self._pending:
            self._timer.start(max(round(self._interval * 1000), 1))

    # -- delivery --------------------------------------------------------------------------

    async def _deliver_and_record(
        self, items: list[StackAlert], popup: StackAlert, summarized: bool = False
    ) -> None:
        via = await self.deliver(popup)
        for item in items:
            self._record(item, via, summarized)

    async def deliver(self, alert: Alert) -> str:
        """Send through the first backend that works; returns its name (or "in-app")."""
        async with self._lock:  # one popup at a time, in order
            while self._index < len(self._chain):
                backend = self._chain[self._index]
                try:
                    await asyncio.wait_for(backend.send(alert), self._send_timeout)
                except asyncio.CancelledError:
                    raise
                except Exception as exc:
                    log.warning("notification backend %s failed: %r", backend.name, exc)
                    self._index += 1
                    self.backendChanged.emit(self.backend_name)
                    continue
                self.alertDelivered.emit(alert, backend.name)
                return backend.name
            return IN_APP

    def _record(self, alert: StackAlert, via: str, summarized: bool = False) -> None:
        record = AlertRecord(alert, self._clock(), via, summarized)
        self.alerts.append(record)
        del self.alerts[: -self._history]
        self.alertRecorded.emit(record)

    # -- actions (AlertActions) ------------------------------------------------------------

    def buttons(self, alert: Alert) -> list[AlertButton]:
        stack_id = alert.stack_id if isinstance(alert, StackAlert) else None
        if stack_id is None:
            return [AlertButton(self.tr("Show rostray"), self.showMainWindow.emit)]
        result = [AlertButton(self.tr("Show details"), lambda: self.showStack.emit(stack_id))]
        copy_text = alert.copy_text
        if copy_text is not None:
            key = inert(getattr(alert, "copy_key", None) or "", 30)
            title = self.tr("Copy {key}").format(key=key) if key else self.tr("Copy value")
            result.append(AlertButton(title, lambda: self.copy_text(copy_text)))
        url = alert.console_url
        if url:  # None for sandbox stacks
            result.append(
                AlertButton(self.tr("Open in ROS console"), lambda: self.open_console(url))
            )
        return result

    def clicked(self, alert: Alert) -> None:
        stack_id = alert.stack_id if isinstance(alert, StackAlert) else None
        if stack_id is None:
            self.showMainWindow.emit()
        else:
            self.showStack.emit(stack_id)

    def copy_text(self, value: str) -> None:
        QGuiApplication.clipboard().setText(clipboard_text(value))

    def open_console(self, url: str) -> bool:
        qurl = QUrl(url)
        if qurl.scheme() != "https":  # only the console links compose() builds
            log.warning("refusing to open %r", url)
            return False
        return QDesktopServices.openUrl(qurl)

    # -- tasks -----------------------------------------------------------------------------

    def _spawn(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        task = _loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)
        return task

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("notification task failed", exc_info=task.exception())

    async def idle(self) -> None:
        """Wait until queued popups are out (tests; a clean shutdown)."""
        while self._tasks or self._timer.isActive():
            if self._tasks:
                await asyncio.gather(*list(self._tasks), return_exceptions=True)
            else:
                await asyncio.sleep(0.01)

    async def aclose(self) -> None:
        """Drop queued popups, cancel sends in progress, close backend connections."""
        self._timer.stop()
        self._pending.clear()
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        for backend in self._chain:
            close = getattr(backend, "aclose", None)
            if close is not None:
                with contextlib.suppress(Exception):
                    await close()


def _app_icon() -> Path | None:
    try:
        from rostray.gui.icons import app_icon_path

        return app_icon_path()
    except FileNotFoundError:
        return None


def _loop() -> asyncio.AbstractEventLoop:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.get_event_loop()
