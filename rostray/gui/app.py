"""The tray app: QApplication + qasync loop, single instance, and the wiring between the
engine, the tray, the notifier and the windows.

Only the tray and the notifier are imported and built at start; the stacks window, the launch
form and the settings dialog are imported on first use (start-up to tray is a target, and a
tray started with ``--hidden`` may never open them)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from typing import TYPE_CHECKING, Any

os.environ.setdefault("QT_API", "pyside6")

from PySide6.QtCore import QCoreApplication, QObject, Qt
from PySide6.QtGui import QCloseEvent, QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from rostray.assets import resource_path
from rostray.config import ConfigError, Settings, load_settings, save_settings
from rostray.core.credentials import CredentialError
from rostray.core.engine import Engine, LaunchRefused, LaunchRequest
from rostray.core.heap import freeze_startup_heap, pace_full_collections
from rostray.core.i18n import Text, localized
from rostray.core.ros import RosError
from rostray.desktop_entry import APP_ID, autostart_for
from rostray.gui import i18n
from rostray.gui.bridge import EngineBridge
from rostray.gui.notifier import Notifier
from rostray.gui.single_instance import InstanceLock, InstanceServer
from rostray.gui.tray import TrayController
from rostray.instance import lock_path, send_to_running, socket_path

if TYPE_CHECKING:
    from rostray.gui.launch_form import EngineFormBackend, LaunchForm
    from rostray.gui.settings_dialog import SettingsDialog
    from rostray.gui.stacks_window import StacksWindow

log = logging.getLogger(__name__)


def ui_language(settings: Settings) -> str:
    """The template-label language ({en, zh-cn} dicts) matching the UI language."""
    return "zh-cn" if i18n.language_code(settings.ui.language) == "zh_CN" else "en"


def create_application(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance() or QApplication(argv or sys.argv[:1])
    app.setApplicationName("rostray")
    app.setApplicationDisplayName("rostray")
    app.setOrganizationName("rostray")
    app.setDesktopFileName(APP_ID)  # notifications and Wayland show rostray, not "python3"
    app.setWindowIcon(QIcon(str(resource_path("icons", "rostray.svg"))))
    app.setQuitOnLastWindowClosed(False)  # the tray keeps running; Quit is explicit
    return app


async def check_tunnel(settings: Settings) -> tuple[bool, str]:
    """The settings dialog's "Check tunnel": start it, self-probe, report, stop."""
    from rostray.core.tunnels import TunnelError
    from rostray.core.tunnels.check import verify_tunnel

    if settings.tunnel.mode == "none":
        return False, QCoreApplication.translate("app", "No tunnel is configured.")
    try:
        state = await verify_tunnel(settings.tunnel, timeout=60)
    except TunnelError as exc:
        return False, str(exc)
    return True, f"{state.url} · {state.rtt_ms:.0f} ms"


class Controller(QObject):
    """Owns the Qt side of a running app and connects it to the engine."""

    def __init__(self, app: QApplication, engine: Engine, args: argparse.Namespace) -> None:
        super().__init__()
        self.app = app
        self.engine = engine
        self.settings = engine.settings
        self.language = ui_language(self.settings)
        self.quit_requested: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.forms: list[LaunchForm] = []
        self._tasks: set[asyncio.Task[None]] = set()
        self.settings_dialog: SettingsDialog | None = None
        self._window: StacksWindow | None = None
        self._early_warnings: list[object] = []  # for the window, until it exists

        self.bridge = EngineBridge()
        self.tray = TrayController(self.bridge)
        self.notifier = Notifier(
            self.settings.notifications,
            tray=self.tray,
            icon_path=resource_path("icons", "rostray.svg"),
        )
        self.bridge.warning.connect(self._early_warning)
        for warning in engine.warnings:
            self.add_warning(warning)

        self.bridge.stackFinished.connect(self.notifier.result)
        self.notifier.showStack.connect(self.show_stack)
        self.notifier.showMainWindow.connect(self.show_window)
        self.tray.launchRequested.connect(self.open_form)
        self.tray.showStack.connect(self.show_stack)
        self.tray.settingsRequested.connect(self.open_settings)
        self.tray.quitRequested.connect(self.request_quit)
        self.tray.showMainWindow.connect(self.show_window)
        self.tray.pauseChanged.connect(self.set_paused)
        self.tray.testNotificationRequested.connect(self.notifier.send_test)
        self.tray.trayAvailabilityChanged.connect(self._on_tray_availability)
        app.aboutToQuit.connect(self.request_quit)

        self.tray.set_paused_until(self.settings.notifications.paused_until)
        self.bridge.start(engine.bus)
        self.tray.start()
        if not self.tray.available or not args.hidden:
            self.show_window()
        if not self.tray.available:
            self.add_warning(
                self.tr(
                    "No system tray found: rostray runs in this window. On GNOME, install the "
                    "AppIndicator extension to get a tray icon."
                )
            )

    # --- windows ------------------------------------------------------------------------

    @property
    def window(self) -> StacksWindow:
        """The stacks window, built (and its module imported) on first use."""
        if self._window is None:
            from rostray.gui.stacks_window import StacksWindow

            window = StacksWindow(self.engine)
            window.connect_bridge(self.bridge)
            window.installEventFilter(self)
            window.replayRequested.connect(self.notifier.result)
            window.updateRequested.connect(self.open_update_form)
            self._window = window
            for item in self._early_warnings:
                if isinstance(item, str | Text):
                    window.add_warning(item)
                else:
                    window.on_event(item)
            self._early_warnings.clear()
        return self._window

    def add_warning(self, text: str | Text) -> None:
        """A line for the window's banner; kept until the window exists."""
        if self._window is None:
            self._early_warnings.append(text)
        else:
            self._window.add_warning(text)

    def _early_warning(self, event: object) -> None:
        if self._window is None:  # afterwards the window gets the bridge's warnings itself
            self._early_warnings.append(event)

    def _refresh_window(self) -> None:
        if self._window is not None:  # a window built later loads the history when shown
            self._window.refresh()

    def show_window(self) -> None:
        self.window.show()
        self.window.setWindowState(self.window.windowState() & ~Qt.WindowState.WindowMinimized)
        self.window.raise_()
        self.window.activateWindow()

    def show_stack(self, stack_id: str) -> None:
        self.show_window()
        self.window.show_stack(stack_id)

    def _new_form(self, backend: EngineFormBackend, title: str | None = None) -> LaunchForm:
        from rostray.gui.launch_form import LaunchForm

        form = LaunchForm(backend, language=self.language)
        if title:
            form.setWindowTitle(title)
        form.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        form.destroyed.connect(lambda *_: self.forms.remove(form) if form in self.forms else None)
        form.launched.connect(lambda stack_id, _name: self._refresh_window())
        self.forms.append(form)
        return form

    def open_form(self) -> LaunchForm:
        from rostray.gui.launch_form import EngineFormBackend

        form = self._new_form(EngineFormBackend(self.engine))
        form.show()
        form.raise_()
        form.activateWindow()
        return form

    def open_update_form(self, stack_id: str) -> LaunchForm:
        """The launch form, prefilled with the stack's template and (unmasked) parameters."""
        from rostray.gui.launch_form import UpdateBackend

        form = self._new_form(
            UpdateBackend(self.engine, stack_id), self.tr("Update stack — rostray")
        )
        form.show()
        task = asyncio.ensure_future(self._prefill_update(form, stack_id))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return form

    async def _prefill_update(self, form: LaunchForm, stack_id: str) -> None:
        launch = await self.engine.find(stack_id)
        body = launch.request.get("template_body")
        if not isinstance(body, str) or not form.load_template_text(
            body, str(launch.request.get("template_name") or "template")
        ):
            return
        known = {
            k: v
            for k, v in (launch.request.get("parameters") or {}).items()
            if v != "****"  # NoEcho values were never stored; the user types them again
        }
        form.prefill(None, launch.stack_name, known)

    def open_settings(self) -> None:
        if self.settings_dialog is not None and self.settings_dialog.isVisible():
            self.settings_dialog.raise_()
            return
        from rostray.gui.settings_dialog import SettingsDialog

        dialog = SettingsDialog(self.settings, autostart=autostart_for(), check_tunnel=check_tunnel)
        dialog.settingsChanged.connect(self._on_settings_saved)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.settings_dialog = dialog
        dialog.open()

    async def seed_in_flight(self) -> None:
        """Stacks still running from an earlier session show as in progress at once."""
        for launch in await self.engine.history(limit=200, with_request=False):
            if launch.finished_at is None:
                self.bridge.track(
                    launch.stack_id, launch.stack_name, launch.created_at, launch.status
                )

    def _on_settings_saved(self, settings: Settings) -> None:
        self.notifier.settings = settings.notifications
        self.tray.set_paused_until(settings.notifications.paused_until)
        self.add_warning(
            self.tr("Settings saved. Backend and tunnel changes apply after a restart.")
        )

    def set_paused(self, until: float | None) -> None:
        self.notifier.set_paused_until(until)
        self.settings.notifications.paused_until = until
        try:
            save_settings(self.settings)
        except (OSError, ConfigError) as exc:
            log.warning("could not save the pause setting: %s", exc)

    def _on_tray_availability(self, available: bool) -> None:
        if not available:
            self.show_window()

    # --- closing --------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: Any) -> bool:
        closing = watched is self._window and isinstance(event, QCloseEvent)
        if closing and not self.tray.available:
            event.ignore()
            self._ask_keep_running()
            return True
        return super().eventFilter(watched, event)

    def _ask_keep_running(self) -> None:
        box = QMessageBox(self.window)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle(self.tr("Keep rostray running?"))
        box.setText(
            self.tr(
                "There is no system tray. Keep rostray running in the background "
                "so it can tell you when stacks finish?"
            )
        )
        keep = box.addButton(self.tr("Keep running"), QMessageBox.ButtonRole.AcceptRole)
        box.addButton(self.tr("Quit"), QMessageBox.ButtonRole.DestructiveRole)
        box.finished.connect(
            lambda _r: self.window.hide() if box.clickedButton() is keep else self.request_quit()
        )
        box.open()  # never exec(): a nested loop would break the qasync loop

    def request_quit(self) -> None:
        if not self.quit_requested.done():
            self.quit_requested.set_result(None)

    async def aclose(self) -> None:
        for form in list(self.forms):
            form.close()
        if self._window is not None:
            self._window.hide()
        self.tray.icon.hide()
        await self.bridge.aclose()
        await self.notifier.aclose()

    # --- hand-over from other rostray processes -----------------------------------------

    async def handle_request(self, request: dict[str, Any]) -> dict[str, Any]:
        command = request.get("command")
        if command == "show":
            self.show_window()
            return {"ok": True}
        if command == "launch":
            return await self._handle_launch(request)
        if command == "status":
            return {"ok": True, "mode": self.engine.mode, "backend": self.engine.mode_description}
        return {"ok": False, "error": f"unknown command {command!r}"}

    async def _handle_launch(self, request: dict[str, Any]) -> dict[str, Any]:
        body = request.get("template_body")
        if not isinstance(body, str):
            return {"ok": False, "error": "template_body must be a string"}
        name = str(request.get("template_name") or "template")
        parameters = {str(k): str(v) for k, v in (request.get("parameters") or {}).items()}
        stack_name = request.get("name")
        if request.get("yes"):
            try:
                launch = await self.engine.launch(
                    LaunchRequest(
                        template_body=body,
                        stack_name=str(stack_name),
                        parameters=parameters,
                        template_name=name,
                    )
                )
            except LaunchRefused as exc:
                error = localized(exc, QCoreApplication.translate)
                return {"ok": False, "error": error, "errors": exc.errors}
            except RosError as exc:
                return {"ok": False, "error": str(exc)}
            self._refresh_window()
            return {"ok": True, "stack_id": launch.stack_id}
        form = self.open_form()
        if not form.load_template_text(body, name):
            return {"ok": False, "error": form.error_text()}
        form.prefill(None, str(stack_name) if stack_name else None, parameters)
        return {"ok": True, "form": True}


async def _start_engine(args: argparse.Namespace) -> tuple[Engine, list[str]]:
    """Start the engine; a broken config or credentials degrade to defaults / the sandbox."""
    problems: list[str] = []
    try:
        settings = load_settings(args.config)
    except ConfigError as exc:
        problems.append(
            QCoreApplication.translate(
                "Controller", "{error} — using default settings until it is fixed"
            ).format(error=exc)
        )
        settings = Settings()
    engine = Engine(settings, force_sandbox=args.sandbox, endpoint=args.endpoint)
    try:
        await engine.start()
    except CredentialError as exc:
        problems.append(
            QCoreApplication.translate(
                "Controller", "{error} — running on the embedded sandbox instead"
            ).format(error=exc)
        )
        await engine.stop()
        engine = Engine(settings, force_sandbox=True)
        await engine.start()
    engine.warnings.extend(problems)
    return engine, problems


async def main(app: QApplication, args: argparse.Namespace) -> int:
    engine, _ = await _start_engine(args)
    i18n.install(engine.settings.ui.language)  # before any widget exists
    controller = Controller(app, engine, args)
    await controller.seed_in_flight()
    server = InstanceServer(socket_path(), controller.handle_request)
    if not server.listen():
        controller.add_warning(
            QCoreApplication.translate(
                "Controller", "Another program holds rostray's socket; hand-overs are disabled."
            )
        )
    freeze_startup_heap()
    pacer = pace_full_collections(engine.bus)
    print(f"rostray is running on the {engine.mode_description}", file=sys.stderr, flush=True)
    try:
        await controller.quit_requested
    finally:
        pacer.stop()
        server.close()
        await controller.aclose()
        await engine.stop()
    return 0


def run_gui(args: argparse.Namespace) -> int:
    import qasync

    app = create_application()
    lock = InstanceLock(lock_path())
    if not lock.acquire():
        reply = send_to_running({"command": "show"})
        # Before the settings are read: the command line's language (config, else locale).
        from rostray.commands import lang

        if reply is not None:
            print(
                lang.translate("Cli", "rostray is already running; its window was raised."),
                file=sys.stderr,
            )
            return 0
        print(
            lang.translate("Cli", "rostray: another instance holds the lock but does not answer."),
            file=sys.stderr,
        )
        return 1
    try:
        with asyncio.Runner(loop_factory=lambda: qasync.QEventLoop(app)) as runner:
            return runner.run(main(app, args))
    finally:
        lock.release()
