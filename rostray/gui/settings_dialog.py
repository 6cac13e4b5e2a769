"""Settings dialog: account, tunnel, notifications, start at login.

Validation is config.py's own (``settings_from_dict``), so the dialog can never save what
loading would refuse; its ConfigError keys are mapped back to the fields. The AccessKey
secret goes only to the system keyring (``store_in_keyring``), never to the config file.
Keyring, file and network work runs off the GUI thread or as tasks on the qasync loop; the
dialog is shown with ``open()``/``show()``, never ``exec()``.
"""

from __future__ import annotations

import asyncio
import copy
import json
import math
import os
import shlex
import time
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import Any, Protocol

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from rostray.config import (
    LANGUAGES,
    RANGES,
    TUNNEL_MODES,
    ConfigError,
    RosSettings,
    Settings,
    default_config_path,
    save_settings,
    settings_from_dict,
    settings_to_dict,
)
from rostray.core.credentials import (
    ENV_ID,
    ENV_SECRET,
    KEYRING_ID_USER,
    KEYRING_SERVICE,
    CredentialError,
    Credentials,
    cli_config_path,
    from_cli_profile,
    from_env,
    from_keyring,
    mask_key_id,
    resolve,
    store_in_keyring,
)
from rostray.core.ros import RosClient, RosError
from rostray.core.text import inert
from rostray.gui.models import TaskSet

REGIONS = (
    "cn-hangzhou",
    "cn-shanghai",
    "cn-beijing",
    "cn-shenzhen",
    "cn-zhangjiakou",
    "cn-chengdu",
    "cn-hongkong",
    "ap-southeast-1",
    "ap-northeast-1",
    "us-west-1",
    "us-east-1",
    "eu-central-1",
)
MAX_PAUSE_MINUTES = 7 * 24 * 60
KEYRING_ID = "keyring.access_key_id"  # dialog-only keys: never part of Settings
KEYRING_SECRET = "keyring.access_key_secret"
GENERAL = ""  # errors with no field of their own
TUNNEL_FIELDS = {
    "none": (),
    "static": ("public_url",),
    "custom": ("command", "url_regex", "public_url"),
    "ssh": ("ssh_host", "ssh_user", "ssh_remote_port", "public_url"),
}


class Autostart(Protocol):
    """Start at login; the autostart file is the truth, so the dialog only asks and sets."""

    def is_enabled(self) -> bool: ...

    def set_enabled(self, enabled: bool) -> None: ...


TunnelCheck = Callable[[Settings], Awaitable[tuple[bool, str]]]


def cli_profiles(home: Path | None = None) -> tuple[list[str], str, str]:
    """(profile names, the CLI's current profile, a problem to show) from ~/.aliyun/config.json."""
    path = cli_config_path(home)

    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return (
            [],
            "",
            QCoreApplication.translate(
                "SettingsDialog", "{path} does not exist (run `aliyun configure`)"
            ).format(path=path),
        )
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        return (
            [],
            "",
            QCoreApplication.translate("SettingsDialog", "cannot read {path}: {error}").format(
                path=path, error=exc
            ),
        )
    if not isinstance(document, dict) or not isinstance(document.get("profiles"), list):
        return (
            [],
            "",
            QCoreApplication.translate("SettingsDialog", "{path} has no profile list").format(
                path=path
            ),
        )
    names = [str(p["name"]) for p in document["profiles"] if isinstance(p, dict) and p.get("name")]
    return names, str(document.get("current") or ""), ""


def _ok(text: str) -> str:
    return f"✓ {text}"


def _fail(text: str) -> str:
    return f"✗ {text}"


class Hint(QLabel):
    """Plain, wrapped text that takes no room while it is empty."""

    def __init__(self, text: str = "") -> None:
        super().__init__()
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setWordWrap(True)
        self.setText(text)

    def setText(self, text: str) -> None:
        super().setText(text)
        if self.parentWidget() is not None or not text:  # showing a parentless label
            self.setVisible(bool(text))  # would open it as a window of its own


class SettingsDialog(QDialog):
    """Edits a copy of Settings; Save validates, writes atomically and announces the result."""

    settingsChanged = Signal(object)  # the saved Settings
    testFinished = Signal(bool, str)  # credentials test: ok, message as shown
    tunnelChecked = Signal(bool, str)  # tunnel check: ok, message as shown
    saveFailed = Signal(dict)  # field key → message; nothing was saved

    def __init__(
        self,
        settings: Settings,
        *,
        path: Path | None = None,
        check_tunnel: TunnelCheck | None = None,
        autostart: Autostart | None = None,
        keyring_backend: Any | None = None,
        home: Path | None = None,
        environ: Mapping[str, str] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._original = copy.deepcopy(settings)
        self._path = path or settings.source or default_config_path()
        self._check_tunnel = check_tunnel
        self._autostart = autostart
        self._keyring = keyring_backend
        self._home = home
        self._environ = environ
        self._stored_key_id: str | None = None
        self._keyring_state = "unknown"  # unknown | loading | empty | stored | broken
        self.tasks = TaskSet()
        self.problems: dict[str, str] = {}  # what the last validation or save found
        self.destroyed.connect(self.tasks.cancel)  # no task may touch a deleted widget
        self.errors: dict[str, QLabel] = {}
        self.setWindowTitle(self.tr("rostray Settings"))
        self.setMinimumWidth(600)
        self._build()
        self._load(settings)

    # -- layout -------------------------------------------------------------------------------

    def _build(self) -> None:
        self.tabs = QTabWidget()
        self.tabs.addTab(self._build_account(), self.tr("Account"))
        self.tabs.addTab(self._build_tunnel(), self.tr("Tunnel"))
        self.tabs.addTab(self._build_notifications(), self.tr("Notifications"))
        self.tabs.addTab(self._build_general(), self.tr("General"))
        self.general_error = self._error_label(GENERAL)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.clicked.connect(lambda: self.tasks.spawn(self.save()))
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addWidget(self.general_error)
        layout.addWidget(self.buttons)
        self.setStyleSheet(
            "QLabel[role='error'] { color: #b42318; }"
            "QLabel[role='hint'] { color: palette(placeholder-text); }"
            "QLabel[state='ok'] { color: #1f7a35; }"
            "QLabel[state='fail'] { color: #b42318; }"
        )

    def _error_label(self, key: str) -> QLabel:
        label = QLabel()
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setWordWrap(True)
        label.setProperty("role", "error")
        label.hide()
        self.errors[key] = label
        return label

    def _hint(self, text: str = "") -> QLabel:
        label = Hint(text)
        label.setProperty("role", "hint")
        return label

    def _field(self, key: str, widget: QWidget, hint: str = "") -> QWidget:
        """The widget with its error label (and an optional hint) stacked under it."""
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(widget)
        if hint:
            column.addWidget(self._hint(hint))
        column.addWidget(self._error_label(key))
        return box

    def _form(self) -> tuple[QWidget, QFormLayout]:
        page = QWidget()
        form = QFormLayout(page)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        form.setVerticalSpacing(10)
        return page, form

    def _build_account(self) -> QWidget:
        page, form = self._form()
        self.account_form = form
        self.credentials_combo = QComboBox()
        for mode, label in (
            ("auto", self.tr("Automatic: environment, CLI profile, keyring, else the sandbox")),
            ("env", self.tr("Environment variables")),
            ("profile", self.tr("aliyun CLI profile")),
            ("keyring", self.tr("AccessKey stored in the system keyring")),
            ("sandbox", self.tr("Embedded ROS sandbox (no cloud account)")),
        ):
            self.credentials_combo.addItem(label, mode)
        self.credentials_combo.currentIndexChanged.connect(self._on_credentials_mode)
        self.credentials_hint = self._hint()
        form.addRow(
            self.tr("Credentials"),
            self._stack(self.credentials_combo, self.credentials_hint, "ros.credentials"),
        )
        self.profile_combo = QComboBox()
        self.profile_hint = self._hint()
        self.profile_row = self._stack(self.profile_combo, self.profile_hint, "ros.profile")
        form.addRow(self.tr("Profile"), self.profile_row)
        self.key_id_edit = QLineEdit()
        self.key_id_edit.setPlaceholderText(self.tr("LTAI…"))
        self.key_id_row = self._field(KEYRING_ID, self.key_id_edit)
        form.addRow(self.tr("AccessKey ID"), self.key_id_row)
        self.secret_edit = QLineEdit()
        self.secret_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.secret_edit.setPlaceholderText(self.tr("stored only in the system keyring"))
        self.keyring_hint = self._hint()
        self.secret_row = self._stack(self.secret_edit, self.keyring_hint, KEYRING_SECRET)
        form.addRow(self.tr("AccessKey secret"), self.secret_row)
        self.region_combo = QComboBox()
        self.region_combo.setEditable(True)
        self.region_combo.addItems(REGIONS)
        form.addRow(self.tr("Region"), self._field("ros.region", self.region_combo))
        self.endpoint_edit = QLineEdit()
        self.endpoint_edit.setPlaceholderText(self.tr("ros.aliyuncs.com (default)"))
        form.addRow(self.tr("Endpoint"), self._field("ros.endpoint", self.endpoint_edit))
        self.test_button = QPushButton(self.tr("Test"))
        self.test_button.setToolTip(self.tr("Call DescribeRegions with these credentials"))
        self.test_button.clicked.connect(lambda: self.tasks.spawn(self.test_credentials()))
        self.test_result = self._result_label()
        form.addRow("", self._button_row(self.test_button, self.test_result))
        return page

    def _stack(self, widget: QWidget, hint: QLabel, key: str) -> QWidget:
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(widget)
        column.addWidget(hint)
        column.addWidget(self._error_label(key))
        return box

    def _button_row(self, button: QPushButton, result: QLabel) -> QWidget:
        box = QWidget()
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        button.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
        row.addWidget(button, 0, Qt.AlignmentFlag.AlignTop)
        row.addWidget(result, 1)
        return box

    def _result_label(self) -> QLabel:
        """Always laid out (unlike a hint), so its button keeps its size when it is empty."""
        label = QLabel()
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setWordWrap(True)
        label.setProperty("role", "hint")
        return label

    def _build_tunnel(self) -> QWidget:
        page, form = self._form()
        self.tunnel_form = form
        self.tunnel_combo = QComboBox()
        labels = {
            "none": self.tr("None: sandbox only, or learn results by polling"),
            "static": self.tr("Static public URL (your reverse proxy or port forward)"),
            "ngrok": self.tr("ngrok"),
            "cloudflared": self.tr("Cloudflare quick tunnel (cloudflared)"),
            "localtunnel": self.tr("localtunnel"),
            "ssh": self.tr("SSH reverse tunnel (serveo, localhost.run or your host)"),
            "bore": self.tr("bore"),
            "tailscale": self.tr("Tailscale Funnel"),
            "pinggy": self.tr("Pinggy"),
            "custom": self.tr("Custom command"),
        }
        for mode in TUNNEL_MODES:
            self.tunnel_combo.addItem(labels.get(mode, mode), mode)
        self.tunnel_combo.currentIndexChanged.connect(self._on_tunnel_mode)
        self.tunnel_hint = self._hint()
        form.addRow(
            self.tr("Preset"), self._stack(self.tunnel_combo, self.tunnel_hint, "tunnel.mode")
        )
        self.public_url_edit = QLineEdit()
        self.public_url_edit.setPlaceholderText("https://hooks.example.com")
        self.command_edit = QLineEdit()
        self.command_edit.setPlaceholderText("my-tunnel --port {port}")
        self.url_regex_edit = QLineEdit()
        self.url_regex_edit.setPlaceholderText(r"https://[a-z0-9-]+\.example\.net")
        self.ssh_host_edit = QLineEdit()
        self.ssh_host_edit.setPlaceholderText("serveo.net  or  host.example.com:2222")
        self.ssh_user_edit = QLineEdit()
        self.ssh_port_edit = QLineEdit()
        self.ssh_port_edit.setPlaceholderText(self.tr("0 or empty: let the server choose"))
        self.tunnel_rows = {
            "command": self._field(
                "tunnel.command",
                self.command_edit,
                self.tr("Split like a shell command; {port} is the local receiver port."),
            ),
            "url_regex": self._field(
                "tunnel.url_regex",
                self.url_regex_edit,
                self.tr("Finds the public URL in the command's output."),
            ),
            "ssh_host": self._field("tunnel.ssh_host", self.ssh_host_edit),
            "ssh_user": self._field("tunnel.ssh_user", self.ssh_user_edit),
            "ssh_remote_port": self._field("tunnel.ssh_remote_port", self.ssh_port_edit),
            "public_url": self._field("tunnel.public_url", self.public_url_edit),
        }
        titles = {
            "public_url": self.tr("Public URL"),
            "command": self.tr("Command"),
            "url_regex": self.tr("URL pattern"),
            "ssh_host": self.tr("SSH host"),
            "ssh_user": self.tr("SSH user"),
            "ssh_remote_port": self.tr("Remote port"),
        }
        for name, row in self.tunnel_rows.items():
            form.addRow(titles[name], row)
        self.check_button = QPushButton(self.tr("Check tunnel"))
        self.check_button.clicked.connect(lambda: self.tasks.spawn(self.check_tunnel()))
        self.tunnel_result = self._result_label()
        if self._check_tunnel is None:
            self.check_button.setEnabled(False)
            self.tunnel_result.setText(self.tr("Tunnel checks are not available here."))
        form.addRow("", self._button_row(self.check_button, self.tunnel_result))
        return page

    def _build_notifications(self) -> QWidget:
        page, form = self._form()
        self.on_success_check = QCheckBox(self.tr("When an operation succeeds"))
        self.on_failure_check = QCheckBox(self.tr("When an operation fails"))
        column = QWidget()
        box = QVBoxLayout(column)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.on_success_check)
        box.addWidget(self.on_failure_check)
        form.addRow(self.tr("Notify"), column)
        self.max_outputs_spin = QSpinBox()
        self.max_outputs_spin.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        low, high = RANGES["notifications.max_outputs"]
        self.max_outputs_spin.setRange(int(low or 0), int(high or 20))
        self.max_outputs_spin.setSpecialValueText(self.tr("None"))
        form.addRow(
            self.tr("Outputs shown"),
            self._field(
                "notifications.max_outputs",
                self.max_outputs_spin,
                self.tr("How many stack outputs a notification lists."),
            ),
        )
        self.pause_check = QCheckBox(self.tr("Pause notifications for"))
        self.pause_spin = QSpinBox()
        self.pause_spin.setRange(1, MAX_PAUSE_MINUTES)
        self.pause_spin.setSuffix(self.tr(" min"))
        self.pause_spin.setValue(60)
        self.pause_check.toggled.connect(self.pause_spin.setEnabled)
        pause = QWidget()
        row = QHBoxLayout(pause)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.pause_check)
        row.addWidget(self.pause_spin)
        row.addStretch(1)
        self.pause_hint = self._hint()
        form.addRow(
            self.tr("Snooze"), self._stack(pause, self.pause_hint, "notifications.paused_until")
        )
        return page

    def _build_general(self) -> QWidget:
        page, form = self._form()
        self.autostart_check = QCheckBox(self.tr("Start rostray when I log in"))
        self.autostart_hint = self._hint()
        form.addRow(
            self.tr("Startup"), self._stack(self.autostart_check, self.autostart_hint, "autostart")
        )
        self.language_combo = QComboBox()
        names = {"auto": self.tr("System language"), "en": "English", "zh_CN": "简体中文"}
        for code in LANGUAGES:
            self.language_combo.addItem(names.get(code, code), code)
        form.addRow(
            self.tr("Language"),
            self._field(
                "ui.language", self.language_combo, self.tr("Takes effect after a restart.")
            ),
        )
        return page

    # -- loading values -----------------------------------------------------------------------

    def _load(self, settings: Settings) -> None:
        ros, tunnel, notes = settings.ros, settings.tunnel, settings.notifications
        self._select_data(self.credentials_combo, ros.credentials)
        self._fill_profiles(ros.profile)
        self.region_combo.setCurrentText(ros.region)
        self.endpoint_edit.setText(ros.endpoint or "")
        self._select_data(self.tunnel_combo, tunnel.mode)
        self.public_url_edit.setText(tunnel.public_url or "")
        self.command_edit.setText(shlex.join(tunnel.command) if tunnel.command else "")
        self.url_regex_edit.setText(tunnel.url_regex or "")
        self.ssh_host_edit.setText(tunnel.ssh_host or "")
        self.ssh_user_edit.setText(tunnel.ssh_user or "")
        self.ssh_port_edit.setText(str(tunnel.ssh_remote_port or ""))
        self.on_success_check.setChecked(notes.on_success)
        self.on_failure_check.setChecked(notes.on_failure)
        self.max_outputs_spin.setValue(notes.max_outputs)
        self._load_pause(notes.paused_until)
        self._load_autostart()
        self._select_data(self.language_combo, settings.ui.language)
        self._on_credentials_mode()
        self._on_tunnel_mode()

    @staticmethod
    def _select_data(combo: QComboBox, value: Any) -> None:
        index = combo.findData(value)
        combo.setCurrentIndex(max(index, 0))

    def _fill_profiles(self, chosen: str | None) -> None:
        names, current, problem = cli_profiles(self._home)
        self.profile_combo.clear()
        self.profile_combo.addItem(
            self.tr("The CLI's current profile ({name})").format(name=inert(current or "default")),
            None,
        )
        for name in names:
            self.profile_combo.addItem(inert(name, 80), name)
        if chosen and self.profile_combo.findData(chosen) < 0:
            self.profile_combo.addItem(
                self.tr("{name} (not in the CLI config)").format(name=inert(chosen, 80)), chosen
            )
        self._select_data(self.profile_combo, chosen)
        self.profile_hint.setText(problem)

    def _load_pause(self, paused_until: float | None) -> None:
        remaining = (paused_until or 0) - time.time()
        paused = remaining > 0
        self.pause_check.setChecked(paused)
        self.pause_spin.setEnabled(paused)
        if paused:
            self.pause_spin.setValue(max(1, min(math.ceil(remaining / 60), MAX_PAUSE_MINUTES)))
            until = time.strftime("%Y-%m-%d %H:%M", time.localtime(paused_until))
            self.pause_hint.setText(self.tr("Paused until {time}.").format(time=until))
        else:
            self.pause_hint.setText(self.tr("Results are still recorded while paused."))
        self._pause_initial = (self.pause_check.isChecked(), self.pause_spin.value())

    def _load_autostart(self) -> None:
        if self._autostart is None:
            self.autostart_check.setEnabled(False)
            self.autostart_hint.setText(self.tr("Not available on this system yet."))
            self._autostart_initial = False
            return
        try:
            enabled = bool(self._autostart.is_enabled())
        except Exception as exc:  # a broken autostart file must not break the dialog
            enabled = False
            self.autostart_hint.setText(inert(str(exc), 200))
        self.autostart_check.setChecked(enabled)
        self._autostart_initial = enabled

    # -- mode-dependent rows ------------------------------------------------------------------

    def credentials_mode(self) -> str:
        return str(self.credentials_combo.currentData())

    def tunnel_mode(self) -> str:
        return str(self.tunnel_combo.currentData())

    def _on_credentials_mode(self) -> None:
        mode = self.credentials_mode()
        form = self.account_form
        form.setRowVisible(self.profile_row, mode in ("profile", "auto"))
        form.setRowVisible(self.key_id_row, mode == "keyring")
        form.setRowVisible(self.secret_row, mode == "keyring")
        self.credentials_hint.setText(self._credentials_hint(mode))
        self.test_button.setEnabled(mode != "sandbox")
        if mode == "keyring" and self._keyring_state == "unknown":
            self._keyring_state = "loading"
            self.tasks.spawn(self._load_keyring_state())

    def _credentials_hint(self, mode: str) -> str:
        env = os.environ if self._environ is None else self._environ
        if mode == "env":
            key_id = env.get(ENV_ID, "").strip()
            if key_id:
                return self.tr("{var} is set ({masked}).").format(
                    var=ENV_ID, masked=mask_key_id(key_id)
                )
            return self.tr("Set {id} and {secret} before starting rostray.").format(
                id=ENV_ID, secret=ENV_SECRET
            )
        if mode == "sandbox":
            return self.tr("Stacks run in the embedded sandbox; nothing reaches Alibaba Cloud.")
        if mode == "auto":
            return self.tr("Uses the first source that has an AccessKey.")
        return ""

    async def _load_keyring_state(self) -> None:
        """Read lazily and off the GUI thread: a Secret Service call may block or prompt."""
        self.keyring_hint.setText(self.tr("Reading the system keyring…"))
        try:
            key_id = await asyncio.to_thread(self._keyring_key_id)
        except Exception as exc:  # backends raise KeyringError and raw D-Bus errors alike
            self._keyring_state = "broken"
            self.keyring_hint.setText(
                self.tr("The system keyring cannot be used: {error}").format(
                    error=inert(str(exc) or type(exc).__name__, 200)
                )
            )
            return
        self._stored_key_id = key_id
        self._keyring_state = "stored" if key_id else "empty"
        if key_id:
            self.keyring_hint.setText(
                self.tr("Stored: {masked}. Enter a new AccessKey to replace it.").format(
                    masked=mask_key_id(key_id)
                )
            )
        else:
            self.keyring_hint.setText(self.tr("No AccessKey is stored yet."))

    def _keyring_key_id(self) -> str | None:
        backend = self._keyring
        if backend is None:
            import keyring

            backend = keyring.get_keyring()
        return backend.get_password(KEYRING_SERVICE, KEYRING_ID_USER)

    def _on_tunnel_mode(self) -> None:
        mode = self.tunnel_mode()
        shown = TUNNEL_FIELDS.get(mode, ())
        for name, row in self.tunnel_rows.items():
            self.tunnel_form.setRowVisible(row, name in shown)
        hints = {
            "none": self.tr(
                "Without a tunnel only the sandbox can call back; cloud stacks are polled."
            ),
            "static": self.tr("ROS POSTs to this URL; it must forward to rostray's receiver."),
            "custom": self.tr("Give a URL pattern, or a fixed public URL."),
            "ssh": self.tr("A public URL is needed only for your own SSH host."),
        }
        self.tunnel_hint.setText(
            hints.get(mode, self.tr("rostray starts the {name} client and reads its URL.")).format(
                name=self.tunnel_combo.currentText()
            )
        )

    # -- validation ---------------------------------------------------------------------------

    def candidate(self) -> tuple[Settings, dict[str, str]]:
        """The edited settings (unvalidated) and the problems only the dialog can see."""
        problems: dict[str, str] = {}
        settings = copy.deepcopy(self._original)
        ros = settings.ros
        ros.credentials = self.credentials_mode()
        if ros.credentials in ("profile", "auto"):
            ros.profile = self.profile_combo.currentData()
        ros.region = self.region_combo.currentText().strip()
        ros.endpoint = self.endpoint_edit.text().strip() or None
        self._tunnel_values(settings, problems)
        notes = settings.notifications
        notes.on_success = self.on_success_check.isChecked()
        notes.on_failure = self.on_failure_check.isChecked()
        notes.max_outputs = self.max_outputs_spin.value()
        pause_now = (self.pause_check.isChecked(), self.pause_spin.value())
        if not pause_now[0]:
            notes.paused_until = None
        elif pause_now != self._pause_initial:
            notes.paused_until = time.time() + pause_now[1] * 60
        settings.ui.language = str(self.language_combo.currentData())
        if ros.credentials == "keyring":
            problems.update(self._keyring_problems())
        return settings, problems

    def _tunnel_values(self, settings: Settings, problems: dict[str, str]) -> None:
        """Only the chosen preset's fields come from the form; the others keep their values."""
        tunnel = settings.tunnel
        tunnel.mode = self.tunnel_mode()
        shown = TUNNEL_FIELDS.get(tunnel.mode, ())
        if "public_url" in shown:
            tunnel.public_url = self.public_url_edit.text().strip() or None
        if "url_regex" in shown:
            tunnel.url_regex = self.url_regex_edit.text() or None
        if "command" in shown:
            try:
                tunnel.command = shlex.split(self.command_edit.text()) or None
            except ValueError as exc:
                problems["tunnel.command"] = self.tr("cannot split the command: {error}").format(
                    error=exc
                )
                tunnel.command = None
        if "ssh_host" in shown:
            tunnel.ssh_host = self.ssh_host_edit.text().strip() or None
            tunnel.ssh_user = self.ssh_user_edit.text().strip() or None
            port = self.ssh_port_edit.text().strip()
            tunnel.ssh_remote_port = None
            if port and port != "0":
                try:
                    tunnel.ssh_remote_port = int(port)
                except ValueError:
                    problems["tunnel.ssh_remote_port"] = self.tr(
                        'expected a port number, got "{text}"'
                    ).format(text=inert(port, 30))

    def _keyring_problems(self) -> dict[str, str]:
        key_id, secret = self.key_id_edit.text().strip(), self.secret_edit.text()
        if secret and not key_id:
            return {KEYRING_ID: self.tr("Enter the AccessKey ID that goes with the secret.")}
        if key_id and not secret and key_id != self._stored_key_id:
            return {KEYRING_SECRET: self.tr("Enter the AccessKey secret.")}
        if not key_id and self._keyring_state == "empty":
            return {KEYRING_ID: self.tr("No AccessKey is stored yet: enter one.")}
        return {}

    def validate(self) -> Settings | None:
        """Show every problem next to its field; the validated Settings, or None."""
        candidate, problems = self.candidate()
        document = settings_to_dict(candidate)
        validated: Settings | None = None
        for _ in range(64):  # each round removes one bad key, so this ends
            try:
                validated = settings_from_dict(document, self._path)
                break
            except ConfigError as exc:
                key = exc.key or GENERAL
                message = exc.message
                if message.startswith("required when"):
                    message = self.tr("Required for the selected mode.")
                problems.setdefault(key, message)
                section, _, name = key.partition(".")
                if not (name and name in document.get(section, {})):
                    break
                del document[section][name]
        self.show_errors(problems)
        if problems or validated is None:
            return None
        validated.source = candidate.source
        validated.source_exists = candidate.source_exists
        return validated

    def show_errors(self, problems: Mapping[str, str]) -> None:
        self.problems = dict(problems)
        unplaced = []
        for key, label in self.errors.items():
            message = problems.get(key, "")
            label.setText(message)
            label.setVisible(bool(message))
        for key, message in problems.items():
            if key not in self.errors:
                unplaced.append(f"{key}: {message}" if key else message)
        if unplaced:
            self.general_error.setText("\n".join(unplaced))
            self.general_error.show()
        if problems:
            self._reveal(next(iter(problems)))

    def _reveal(self, key: str) -> None:
        """Switch to the tab that holds the first problem, so the user sees why nothing saved."""
        label = self.errors.get(key)
        if label is None:
            return
        for index in range(self.tabs.count()):
            if self.tabs.widget(index).isAncestorOf(label):
                self.tabs.setCurrentIndex(index)
                return

    # -- save ---------------------------------------------------------------------------------

    async def save(self) -> bool:
        """Validate, store the secret in the keyring, set autostart, write the file; then close."""
        settings = self.validate()
        if settings is None:
            self.saveFailed.emit(dict(self.problems))
            return False
        self.save_button.setEnabled(False)
        try:
            if not await self._store_secret() or not await self._apply_autostart():
                self.saveFailed.emit(dict(self.problems))
                return False
            try:
                await asyncio.to_thread(save_settings, settings, self._path)
            except (ConfigError, OSError) as exc:
                self.show_errors({GENERAL: str(exc)})
                self.saveFailed.emit(dict(self.problems))
                return False
        finally:
            self.save_button.setEnabled(True)
        self.secret_edit.clear()
        self._original = copy.deepcopy(settings)
        self.settingsChanged.emit(settings)
        self.accept()
        return True

    async def _store_secret(self) -> bool:
        if self.credentials_mode() != "keyring" or not self.secret_edit.text():
            return True
        try:
            creds = Credentials(
                self.key_id_edit.text().strip(), self.secret_edit.text(), source="keyring"
            )
            await asyncio.to_thread(store_in_keyring, creds, keyring_backend=self._keyring)
        except CredentialError as exc:
            self.show_errors({KEYRING_SECRET: str(exc)})
            return False
        self._stored_key_id = creds.access_key_id
        self._keyring_state = "stored"
        self.keyring_hint.setText(
            self.tr("Stored: {masked}.").format(masked=mask_key_id(creds.access_key_id))
        )
        return True

    async def _apply_autostart(self) -> bool:
        wanted = self.autostart_check.isChecked()
        if self._autostart is None or wanted == self._autostart_initial:
            return True
        try:
            await asyncio.to_thread(self._autostart.set_enabled, wanted)
        except Exception as exc:  # a file we could not write: say so, save nothing
            self.show_errors({"autostart": inert(str(exc) or type(exc).__name__, 300)})
            return False
        self._autostart_initial = wanted
        return True

    # -- test credentials ---------------------------------------------------------------------

    async def test_credentials(self) -> tuple[bool, str]:
        """DescribeRegions with the chosen (possibly unsaved) credentials, region and endpoint."""
        mode = self.credentials_mode()
        profile = self.profile_combo.currentData()
        key_id, secret = self.key_id_edit.text().strip(), self.secret_edit.text()
        region = self.region_combo.currentText().strip() or RosSettings().region
        endpoint = self.endpoint_edit.text().strip() or None
        self.test_button.setEnabled(False)
        self._show_result(self.test_result, None, self.tr("Testing…"))
        try:
            ok, text = await self._test(mode, profile, key_id, secret, region, endpoint)
        finally:
            self.test_button.setEnabled(mode != "sandbox")
        self._show_result(self.test_result, ok, text)
        self.testFinished.emit(ok, self.test_result.text())
        return ok, text

    async def _test(
        self,
        mode: str,
        profile: str | None,
        key_id: str,
        secret: str,
        region: str,
        endpoint: str | None,
    ) -> tuple[bool, str]:
        if mode == "sandbox":
            return True, self.tr("The embedded sandbox needs no credentials.")
        try:
            creds = await asyncio.to_thread(self._credentials_for, mode, profile, key_id, secret)
        except CredentialError as exc:
            return False, inert(str(exc), 400)
        if creds is None:
            return False, self.tr("No credentials found: rostray would use the embedded sandbox.")
        try:
            client = RosClient(creds, region=region, endpoint=endpoint, retries=0)
        except Exception as exc:  # the SDK rejects some inputs (a bad region) at construction
            return False, inert(f"{type(exc).__name__}: {exc}", 400)
        try:
            regions = await client.describe_regions()
        except RosError as exc:
            return False, f"{exc.code}: {inert(exc.message, 300)}"
        finally:
            await client.close()
        self._offer_regions([r for r, _ in regions])
        return True, self.tr("Connected with {creds}: {n} regions available.").format(
            creds=inert(str(creds), 120), n=len(regions)
        )

    def _credentials_for(
        self, mode: str, profile: str | None, key_id: str, secret: str
    ) -> Credentials | None:
        """Runs in a worker thread (keyring and file reads may block); no widgets here."""
        env = os.environ if self._environ is None else self._environ
        if mode == "keyring" and key_id and secret:
            return Credentials(key_id, secret, source="keyring, not saved yet")
        if mode == "keyring":
            return from_keyring(self._keyring, [], required=True) or _missing_keyring()
        if mode == "env":
            found = from_env(env)
            if found is None:
                raise CredentialError(f"{ENV_ID} and {ENV_SECRET} are not set")
            return found
        if mode == "profile":
            return from_cli_profile(profile, env, self._home, required=True)
        return resolve(
            mode="auto",
            profile=profile,
            environ=env,
            home=self._home,
            keyring_backend=self._keyring,
        ).credentials

    def _offer_regions(self, regions: list[str]) -> None:
        current = self.region_combo.currentText()
        for region in regions:
            if self.region_combo.findText(region) < 0:
                self.region_combo.addItem(region)
        self.region_combo.setCurrentText(current)

    # -- check tunnel -------------------------------------------------------------------------

    async def check_tunnel(self) -> tuple[bool, str]:
        """Run the injected check on the edited (validated) settings; show URL and RTT or why."""
        if self._check_tunnel is None:
            return False, self.tunnel_result.text()
        settings = self.validate()
        if settings is None:
            text = self.tr("Fix the highlighted fields first.")
            self._show_result(self.tunnel_result, False, text)
            self.tunnelChecked.emit(False, self.tunnel_result.text())
            return False, text
        self.check_button.setEnabled(False)
        self._show_result(self.tunnel_result, None, self.tr("Checking…"))
        try:
            ok, text = await self._check_tunnel(settings)
        except Exception as exc:  # the check's own failure is a result to show, not a crash
            ok, text = False, f"{type(exc).__name__}: {exc}"
        finally:
            self.check_button.setEnabled(True)
        self._show_result(self.tunnel_result, ok, inert(text, 400))
        self.tunnelChecked.emit(ok, self.tunnel_result.text())
        return ok, text

    def _show_result(self, label: QLabel, ok: bool | None, text: str) -> None:
        label.setText(text if ok is None else _ok(text) if ok else _fail(text))
        label.setProperty("state", "" if ok is None else "ok" if ok else "fail")
        label.style().unpolish(label)
        label.style().polish(label)


def _missing_keyring() -> Credentials:
    raise CredentialError("no AccessKey is stored in the system keyring")
