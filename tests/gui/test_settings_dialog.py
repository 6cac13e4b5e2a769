"""The settings dialog: config round trip, validation next to the fields, the keyring-only
secret, the credentials test against the sandbox, and the injected tunnel check and
autostart. The dialog is never exec()'d; signals are awaited as futures."""

from __future__ import annotations

import asyncio
import json
import os
import stat
import time
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError
from PySide6.QtWidgets import QDialog
from qt_helpers import wait_signal

from rostray.config import Settings, load_settings
from rostray.core.credentials import ENV_ID, ENV_SECRET, KEYRING_ID_USER, KEYRING_SERVICE
from rostray.gui.settings_dialog import KEYRING_ID, KEYRING_SECRET, SettingsDialog
from rostray.sandbox import Sandbox

REPO = Path(__file__).resolve().parents[2]
KEY_ID = "LTAI5tTestKeyId0001"
SECRET = "very-secret-value-123"


class MemoryKeyring(KeyringBackend):
    """An in-memory keyring: the real keyring API, no Secret Service needed."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.passwords: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.passwords.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.passwords[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.passwords.pop((service, username), None) is None:
            raise PasswordDeleteError(username)


class FakeAutostart:
    """Stands for the autostart file; records what the dialog asked for."""

    def __init__(self, enabled: bool = False, fail: bool = False) -> None:
        self.enabled = enabled
        self.fail = fail
        self.calls: list[bool] = []

    def is_enabled(self) -> bool:
        return self.enabled

    def set_enabled(self, enabled: bool) -> None:
        self.calls.append(enabled)
        if self.fail:
            raise PermissionError("autostart folder is read-only")
        self.enabled = enabled


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def config_path(tmp_path: Path) -> Path:
    return tmp_path / "config" / "config.toml"


@pytest.fixture
def dialogs() -> Iterator[list[SettingsDialog]]:
    made: list[SettingsDialog] = []
    yield made
    for dialog in made:
        dialog.close()
        dialog.deleteLater()


@pytest.fixture
def make_dialog(dialogs: list[SettingsDialog], config_path: Path):
    def factory(settings: Settings | None = None, **kwargs) -> SettingsDialog:
        kwargs.setdefault("path", config_path)
        dialog = SettingsDialog(settings or load_settings(config_path), **kwargs)
        dialog.show()
        dialogs.append(dialog)
        return dialog

    return factory


def choose(combo, data) -> None:
    index = combo.findData(data)
    assert index >= 0, f"{data!r} is not offered"
    combo.setCurrentIndex(index)


def visible_errors(dialog: SettingsDialog) -> dict[str, str]:
    return {key: label.text() for key, label in dialog.errors.items() if not label.isHidden()}


# -- round trip -----------------------------------------------------------------------------------


async def test_round_trip_through_a_config_file(make_dialog, config_path: Path) -> None:
    config_path.parent.mkdir(parents=True)
    config_path.write_text("[receiver]\nport = 8080\n\n[tracker]\npoll_grace_seconds = 10.0\n")
    dialog = make_dialog()
    choose(dialog.credentials_combo, "env")
    dialog.region_combo.setCurrentText("cn-shanghai")
    dialog.endpoint_edit.setText("ros.cn-shanghai.aliyuncs.com")
    choose(dialog.tunnel_combo, "static")
    dialog.public_url_edit.setText("https://hooks.example.com/rostray")
    dialog.on_success_check.setChecked(False)
    dialog.max_outputs_spin.setValue(5)
    dialog.pause_check.setChecked(True)
    dialog.pause_spin.setValue(30)
    choose(dialog.language_combo, "zh_CN")
    changed: list[Settings] = []
    dialog.settingsChanged.connect(changed.append)

    assert await dialog.save()

    assert dialog.result() == QDialog.DialogCode.Accepted
    loaded = load_settings(config_path)
    assert [changed[0]] == [loaded]
    assert loaded.ros.credentials == "env"
    assert loaded.ros.region == "cn-shanghai"
    assert loaded.ros.endpoint == "ros.cn-shanghai.aliyuncs.com"
    assert (loaded.tunnel.mode, loaded.tunnel.public_url) == (
        "static",
        "https://hooks.example.com/rostray",
    )
    assert not loaded.notifications.on_success and loaded.notifications.on_failure
    assert loaded.notifications.max_outputs == 5
    assert abs(loaded.notifications.paused_until - (time.time() + 1800)) < 60
    assert loaded.ui.language == "zh_CN"
    assert loaded.receiver.port == 8080 and loaded.tracker.poll_grace_seconds == 10.0  # kept
    assert stat.S_IMODE(config_path.stat().st_mode) == 0o600

    again = make_dialog(loaded)
    assert again.credentials_mode() == "env"
    assert again.region_combo.currentText() == "cn-shanghai"
    assert again.endpoint_edit.text() == "ros.cn-shanghai.aliyuncs.com"
    assert again.tunnel_mode() == "static"
    assert again.public_url_edit.text() == "https://hooks.example.com/rostray"
    assert not again.on_success_check.isChecked()
    assert again.max_outputs_spin.value() == 5
    assert again.pause_check.isChecked() and 29 <= again.pause_spin.value() <= 30
    assert "Paused until" in again.pause_hint.text()
    # Saving again without touching the pause keeps the original deadline.
    assert await again.save()
    assert load_settings(config_path).notifications.paused_until == pytest.approx(
        loaded.notifications.paused_until
    )


async def test_custom_and_ssh_fields_round_trip(make_dialog, config_path: Path) -> None:
    dialog = make_dialog()
    choose(dialog.tunnel_combo, "custom")
    dialog.command_edit.setText("my-tunnel --port {port} --name 'my box'")
    dialog.url_regex_edit.setText(r"https://[a-z0-9-]+\.example\.net")
    assert await dialog.save()
    tunnel = load_settings(config_path).tunnel
    assert tunnel.command == ["my-tunnel", "--port", "{port}", "--name", "my box"]
    assert tunnel.url_regex == r"https://[a-z0-9-]+\.example\.net"

    dialog = make_dialog()
    assert dialog.command_edit.text() == "my-tunnel --port '{port}' --name 'my box'"
    choose(dialog.tunnel_combo, "ssh")
    dialog.ssh_host_edit.setText("serveo.net")
    dialog.ssh_user_edit.setText("me")
    dialog.ssh_port_edit.setText("8443")
    assert await dialog.save()
    tunnel = load_settings(config_path).tunnel
    assert (tunnel.mode, tunnel.ssh_host, tunnel.ssh_user, tunnel.ssh_remote_port) == (
        "ssh",
        "serveo.net",
        "me",
        8443,
    )
    assert tunnel.command == ["my-tunnel", "--port", "{port}", "--name", "my box"]  # kept


# -- validation -----------------------------------------------------------------------------------


async def test_invalid_fields_are_shown_next_to_them_and_nothing_is_saved(
    make_dialog, config_path: Path
) -> None:
    dialog = make_dialog()
    failures: list[dict] = []
    dialog.saveFailed.connect(failures.append)
    choose(dialog.tunnel_combo, "static")
    dialog.public_url_edit.setText("ftp://files.example.com")
    dialog.region_combo.setCurrentText("  ")
    assert not await dialog.save()
    errors = visible_errors(dialog)
    assert "http:// or https://" in errors["tunnel.public_url"]
    assert "non-empty" in errors["ros.region"]
    assert failures and set(failures[0]) == {"tunnel.public_url", "ros.region"}
    assert dialog.tabs.currentIndex() == 0  # the first problem's tab (Account) is shown
    assert not config_path.exists()

    dialog.public_url_edit.clear()
    dialog.region_combo.setCurrentText("cn-beijing")
    assert not await dialog.save()
    assert visible_errors(dialog) == {"tunnel.public_url": "Required for the selected mode."}
    assert dialog.tabs.currentIndex() == 1

    choose(dialog.tunnel_combo, "custom")
    dialog.command_edit.setText("tunnel --port {port}")
    dialog.url_regex_edit.setText("https://(unclosed")
    assert not await dialog.save()
    assert "not a valid regular expression" in visible_errors(dialog)["tunnel.url_regex"]

    dialog.command_edit.setText("tunnel 'unterminated")
    dialog.url_regex_edit.setText(r"https://\S+")
    assert not await dialog.save()
    assert "cannot split the command" in visible_errors(dialog)["tunnel.command"]

    choose(dialog.tunnel_combo, "ssh")
    dialog.ssh_host_edit.setText("tunnel.example.com")
    dialog.ssh_port_edit.setText("70000")
    assert not await dialog.save()
    assert visible_errors(dialog) == {
        "tunnel.ssh_remote_port": "expected an integer between 1 and 65535, got 70000"
    }
    dialog.ssh_port_edit.setText("http")
    assert not await dialog.save()
    assert visible_errors(dialog) == {
        "tunnel.ssh_remote_port": 'expected a port number, got "http"'
    }
    assert not config_path.exists()

    dialog.ssh_port_edit.setText("2222")
    assert await dialog.save()
    assert visible_errors(dialog) == {}
    assert load_settings(config_path).tunnel.ssh_remote_port == 2222


# -- keyring --------------------------------------------------------------------------------------


async def test_the_secret_goes_only_to_the_keyring(
    make_dialog, config_path: Path, memory_keyring: MemoryKeyring
) -> None:
    dialog = make_dialog()
    choose(dialog.credentials_combo, "keyring")
    await dialog.tasks.idle()  # the keyring is read lazily, off the GUI thread
    assert dialog.keyring_hint.text() == "No AccessKey is stored yet."
    assert not await dialog.save()
    assert visible_errors(dialog) == {KEYRING_ID: "No AccessKey is stored yet: enter one."}

    dialog.secret_edit.setText(SECRET)
    assert not await dialog.save()
    assert KEYRING_ID in visible_errors(dialog)

    dialog.key_id_edit.setText(KEY_ID)
    assert await dialog.save()
    assert memory_keyring.passwords == {
        (KEYRING_SERVICE, KEY_ID): SECRET,
        (KEYRING_SERVICE, KEYRING_ID_USER): KEY_ID,
    }
    text = config_path.read_text()
    assert SECRET not in text and KEY_ID not in text
    assert 'credentials = "keyring"' in text
    assert dialog.secret_edit.text() == ""

    again = make_dialog(load_settings(config_path))
    await again.tasks.idle()
    assert again.keyring_hint.text() == "Stored: LTAI****0001. Enter a new AccessKey to replace it."
    assert await again.save()  # nothing typed: the stored key stays
    assert memory_keyring.passwords[(KEYRING_SERVICE, KEYRING_ID_USER)] == KEY_ID


async def test_a_keyring_failure_is_shown_and_nothing_is_saved(
    make_dialog, config_path: Path
) -> None:
    class LockedKeyring(MemoryKeyring):
        def set_password(self, service: str, username: str, password: str) -> None:
            raise keyring.errors.KeyringLocked("the login keyring is locked")

    dialog = make_dialog(keyring_backend=LockedKeyring())
    choose(dialog.credentials_combo, "keyring")
    await dialog.tasks.idle()
    dialog.key_id_edit.setText(KEY_ID)
    dialog.secret_edit.setText(SECRET)
    assert not await dialog.save()
    message = visible_errors(dialog)[KEYRING_SECRET]
    assert "locked" in message and SECRET not in message
    assert not config_path.exists()


# -- credentials test ---------------------------------------------------------------------------


async def test_test_button_against_the_sandbox(
    make_dialog, sandbox: Sandbox, memory_keyring: MemoryKeyring
) -> None:
    dialog = make_dialog()
    choose(dialog.credentials_combo, "keyring")
    dialog.key_id_edit.setText(sandbox.access_key_id)
    dialog.secret_edit.setText(sandbox.access_key_secret)
    dialog.endpoint_edit.setText(sandbox.endpoint)
    dialog.test_button.click()
    ok, text = await wait_signal(dialog.testFinished, 15)
    assert ok, text
    assert text.startswith("✓ Connected with AccessKey") and "regions available" in text
    assert dialog.test_result.text() == text
    assert memory_keyring.passwords == {}  # testing stores nothing

    dialog.secret_edit.setText("not-the-secret")
    dialog.test_button.click()
    ok, text = await wait_signal(dialog.testFinished, 15)
    assert not ok
    assert text.startswith("✗ InvalidAccessKeySecret")
    assert "not-the-secret" not in text


async def test_test_button_with_env_and_cli_profile_sources(
    make_dialog, sandbox: Sandbox, tmp_path: Path
) -> None:
    environ = {ENV_ID: sandbox.access_key_id, ENV_SECRET: sandbox.access_key_secret}
    dialog = make_dialog(environ=environ)
    choose(dialog.credentials_combo, "env")
    assert "is set" in dialog.credentials_hint.text()
    dialog.endpoint_edit.setText(sandbox.endpoint)
    ok, text = await dialog.test_credentials()
    assert ok, text

    home = Path(os.environ["HOME"])
    (home / ".aliyun").mkdir()
    (home / ".aliyun" / "config.json").write_text(
        json.dumps(
            {
                "current": "default",
                "profiles": [
                    {"name": "default", "mode": "AK"},
                    {
                        "name": "sandbox",
                        "mode": "AK",
                        "access_key_id": sandbox.access_key_id,
                        "access_key_secret": sandbox.access_key_secret,
                    },
                ],
            }
        )
    )
    dialog = make_dialog(home=home)
    choose(dialog.credentials_combo, "profile")
    items = [dialog.profile_combo.itemText(i) for i in range(dialog.profile_combo.count())]
    assert items == ["The CLI's current profile (default)", "default", "sandbox"]
    choose(dialog.profile_combo, "sandbox")
    dialog.endpoint_edit.setText(sandbox.endpoint)
    ok, text = await dialog.test_credentials()
    assert ok and "profile:sandbox" in text
    choose(dialog.profile_combo, None)  # the CLI's current profile has no key
    ok, text = await dialog.test_credentials()
    assert not ok and "has no access_key_id" in text
    choose(dialog.profile_combo, "sandbox")
    assert await dialog.save()
    saved = load_settings(dialog._path)
    assert (saved.ros.credentials, saved.ros.profile) == ("profile", "sandbox")


# -- tunnel check ---------------------------------------------------------------------------------


async def test_check_tunnel_calls_the_injected_check(make_dialog, config_path: Path) -> None:
    seen: list[Settings] = []

    async def check(settings: Settings) -> tuple[bool, str]:
        seen.append(settings)
        await asyncio.sleep(0.01)
        if settings.tunnel.mode == "static":
            return False, f"{settings.tunnel.public_url} did not answer the probe within 10 s"
        if settings.tunnel.mode == "bore":
            raise RuntimeError("bore is not installed")
        return True, "https://quiet-fox.trycloudflare.com verified, RTT 42 ms"

    dialog = make_dialog(check_tunnel=check)
    choose(dialog.tunnel_combo, "cloudflared")
    dialog.check_button.click()
    await asyncio.sleep(0)  # the click only schedules the check
    assert not dialog.check_button.isEnabled()
    ok, text = await wait_signal(dialog.tunnelChecked)
    assert (ok, text) == (True, "✓ https://quiet-fox.trycloudflare.com verified, RTT 42 ms")
    assert seen[-1].tunnel.mode == "cloudflared"
    assert dialog.check_button.isEnabled()

    choose(dialog.tunnel_combo, "static")
    dialog.public_url_edit.setText("https://hooks.example.com")
    ok, text = await dialog.check_tunnel()
    assert not ok
    assert dialog.tunnel_result.text() == (
        "✗ https://hooks.example.com did not answer the probe within 10 s"
    )

    choose(dialog.tunnel_combo, "bore")
    ok, _ = await dialog.check_tunnel()
    assert dialog.tunnel_result.text() == "✗ RuntimeError: bore is not installed"

    choose(dialog.tunnel_combo, "static")
    dialog.public_url_edit.setText("not a url")
    calls = len(seen)
    ok, _ = await dialog.check_tunnel()
    assert not ok and len(seen) == calls  # invalid input never reaches the check
    assert "tunnel.public_url" in visible_errors(dialog)
    assert not config_path.exists()  # checking saves nothing


async def test_without_a_tunnel_check_the_button_is_disabled(make_dialog) -> None:
    dialog = make_dialog()
    assert not dialog.check_button.isEnabled()
    assert dialog.tunnel_result.text() == "Tunnel checks are not available here."


# -- start at login -------------------------------------------------------------------------------


async def test_start_at_login_goes_through_the_autostart_object(
    make_dialog, config_path: Path
) -> None:
    autostart = FakeAutostart(enabled=False)
    dialog = make_dialog(autostart=autostart)
    assert not dialog.autostart_check.isChecked()
    assert await dialog.save()
    assert autostart.calls == []  # unchanged: not touched
    dialog = make_dialog(autostart=autostart)
    dialog.autostart_check.setChecked(True)
    assert await dialog.save()
    assert autostart.calls == [True]
    assert "start_at_login" not in config_path.read_text()  # the file is the truth
    assert make_dialog(autostart=autostart).autostart_check.isChecked()


async def test_an_autostart_failure_stops_the_save(make_dialog, config_path: Path) -> None:
    dialog = make_dialog(autostart=FakeAutostart(enabled=False, fail=True))
    dialog.autostart_check.setChecked(True)
    assert not await dialog.save()
    assert visible_errors(dialog) == {"autostart": "autostart folder is read-only"}
    assert not config_path.exists()


async def test_without_autostart_support_the_checkbox_is_disabled(make_dialog) -> None:
    dialog = make_dialog()
    assert not dialog.autostart_check.isEnabled()


# -- screenshot -----------------------------------------------------------------------------------


def screenshot_dir(tmp_path: Path) -> Path:
    if os.environ.get("ROSTRAY_SCREENSHOTS") == "1":
        target = REPO / "docs" / "screenshots"
        target.mkdir(parents=True, exist_ok=True)
        return target
    return tmp_path


async def test_screenshot_settings(
    make_dialog, sandbox: Sandbox, tmp_path: Path, memory_keyring: MemoryKeyring
) -> None:
    async def check(settings: Settings) -> tuple[bool, str]:
        return True, f"{settings.tunnel.public_url} verified, RTT 38 ms"

    dialog = make_dialog(check_tunnel=check, autostart=FakeAutostart(enabled=True))
    choose(dialog.credentials_combo, "keyring")
    await dialog.tasks.idle()
    dialog.key_id_edit.setText(sandbox.access_key_id)
    dialog.secret_edit.setText(sandbox.access_key_secret)
    dialog.endpoint_edit.setText(sandbox.endpoint)
    ok, _ = await dialog.test_credentials()
    assert ok
    dialog.resize(640, dialog.sizeHint().height())
    await asyncio.sleep(0.05)
    path = screenshot_dir(tmp_path) / "settings.png"
    assert dialog.grab().save(str(path))

    dialog.tabs.setCurrentIndex(1)
    choose(dialog.tunnel_combo, "static")
    dialog.public_url_edit.setText("https://hooks.example.com/rostray")
    ok, _ = await dialog.check_tunnel()
    assert ok
    await asyncio.sleep(0.05)
    assert dialog.grab().save(str(screenshot_dir(tmp_path) / "settings-tunnel.png"))
